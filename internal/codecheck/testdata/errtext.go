// Planted for TestNoDecisionOnErrorTextBites: each "want" line decides on
// an error's text and must be reported; the typed twins below must not be.
package sample

import (
	"errors"
	"io/fs"
	"regexp"
	"strings"

	"github.com/iocloud-chatops/iocloud/iocloud"
)

var notFound = regexp.MustCompile(`not found`)

func planted(err error) int {
	if strings.Contains(err.Error(), "may have been created") { // want
		return 1
	}
	if strings.HasPrefix(strings.ToLower(err.Error()), "io.net") { // want
		return 2
	}
	if err.Error() == "confirmation has expired" { // want
		return 3
	}
	msg := err.Error()
	if strings.HasSuffix(msg, "anyway") { // want
		return 4
	}
	switch iocloud.Advice(err) { // want
	case "":
		return 5
	}
	if notFound.MatchString(err.Error()) { // want
		return 6
	}
	advice := iocloud.Advice(err)
	if strings.Contains(advice, "revoke") { // want
		return 7
	}
	return 0
}

func typed(err error) (int, string) {
	var pe *fs.PathError
	switch {
	case errors.Is(err, iocloud.ErrMayBeCreated):
		return 1, ""
	case errors.As(err, &pe):
		return 2, pe.Op
	case strings.Contains("constant text", "text"):
		return 3, ""
	}
	return 0, "failed: " + err.Error() // showing the text is fine; deciding by it is not
}
