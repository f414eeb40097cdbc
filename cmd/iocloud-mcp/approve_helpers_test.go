package main

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// approveOnPage is the person: it opens the approval link as a browser
// would, and presses a button on the page (same origin, with the form's
// CSRF token). It returns the answer page.
func approveOnPage(t *testing.T, link, decision string) string {
	t.Helper()
	u, err := url.Parse(link)
	require.NoError(t, err)
	ctx := context.Background()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, link, nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	page, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	require.NoError(t, err)
	m := csrfField.FindStringSubmatch(string(page))
	require.Len(t, m, 2, "the approval page has a form: %s", page)

	form := url.Values{"decision": {decision}, "csrf": {m[1]}}
	post, err := http.NewRequestWithContext(ctx, http.MethodPost, link, strings.NewReader(form.Encode()))
	require.NoError(t, err)
	post.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	post.Header.Set("Origin", u.Scheme+"://"+u.Host)
	resp, err = http.DefaultClient.Do(post)
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	answer, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(answer))
	return string(answer)
}
