package main

import (
	"testing"

	"github.com/iocloud-chatops/iocloud/internal/testutil"
)

// approveOnPage is the person: it opens the approval link as a browser
// would and presses a button on the page. It returns the answer page.
func approveOnPage(t *testing.T, link, decision string) string {
	t.Helper()
	return testutil.Decide(t, link, decision)
}
