// Command vulnerable calls golang.org/x/text/language.ParseAcceptLanguage of
// x/text v0.3.7, which has GO-2022-1059 (denial of service, fixed in
// v0.3.8). scripts/vulncheck.sh requires govulncheck to report it.
package main

import (
	"fmt"
	"os"

	"golang.org/x/text/language"
)

func main() {
	tags, _, err := language.ParseAcceptLanguage(os.Getenv("ACCEPT_LANGUAGE"))
	fmt.Println(tags, err)
}
