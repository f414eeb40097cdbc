// Command printversion prints version.String, for TestBuildInfoInABinary.
package main

import (
	"fmt"

	"github.com/iocloud-chatops/iocloud/cmd/internal/version"
)

func main() { fmt.Println(version.String("printversion")) }
