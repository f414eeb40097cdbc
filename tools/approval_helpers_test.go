package tools_test

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

// pageGet loads an approval page as a browser would and returns its status,
// body and headers.
func pageGet(t *testing.T, link string) (int, string, http.Header) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, link, nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(body), resp.Header
}

// csrfOf reads the form token from a page.
func csrfOf(t *testing.T, page string) string {
	t.Helper()
	m := csrfField.FindStringSubmatch(page)
	require.Len(t, m, 2, "the page has a form with a CSRF token: %s", page)
	return m[1]
}

// pagePost submits the page's form; origin "" sends none.
func pagePost(t *testing.T, link, decision, csrf, origin string) (int, string) {
	t.Helper()
	h := map[string]string{}
	if origin != "" {
		h["Origin"] = origin
	}
	return pagePostWith(t, link, decision, csrf, h)
}

// pagePostWith submits the page's form with these request headers.
func pagePostWith(t *testing.T, link, decision, csrf string, headers map[string]string) (int, string) {
	t.Helper()
	form := url.Values{"decision": {decision}, "csrf": {csrf}}
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, link, strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(body)
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
