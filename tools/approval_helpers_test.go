package tools_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/iocloud-chatops/iocloud/internal/testutil"
)

func pageGet(t *testing.T, link string) (int, string, http.Header) { return testutil.PageGet(t, link) }
func csrfOf(t *testing.T, page string) string                      { return testutil.CSRFOf(t, page) }

// pagePost submits the page's form; origin "" sends none.
func pagePost(t *testing.T, link, decision, csrf, origin string) (int, string) {
	return testutil.PagePost(t, link, decision, csrf, map[string]string{"Origin": origin})
}

// pagePostWith submits the form with exactly these headers.
func pagePostWith(t *testing.T, link, decision, csrf string, headers map[string]string) (int, string) {
	return testutil.PagePost(t, link, decision, csrf, headers)
}

// decide is the person on the page: load it, press a button, return the
// answer page. sameOrigin false sends the POST from another origin.
func (e *env) decide(t *testing.T, link, decision string, sameOrigin bool) string {
	t.Helper()
	require.True(t, strings.HasPrefix(link, e.pageURL+"/approve/"), "the link points at the approval page: %s", link)
	status, page, _ := pageGet(t, link)
	require.Equal(t, http.StatusOK, status)
	origin := e.pageURL
	if !sameOrigin {
		origin = "http://evil.example.com"
	}
	_, answer := pagePost(t, link, decision, csrfOf(t, page), origin)
	return answer
}
