package testutil

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// PageGet loads an approval page as a browser would: status, body, headers.
func PageGet(t testing.TB, link string) (int, string, http.Header) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, link, nil)
	if err != nil {
		t.Fatalf("GET %s: %v", link, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", link, err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", link, err)
	}
	return resp.StatusCode, string(body), resp.Header
}

// CSRFOf reads the form token from an approval page.
func CSRFOf(t testing.TB, page string) string {
	t.Helper()
	m := csrfField.FindStringSubmatch(page)
	if len(m) != 2 {
		t.Fatalf("the approval page has no form with a CSRF token: %s", page)
	}
	return m[1]
}

// PagePost submits the approval page's form with the given headers (e.g.
// Origin, Sec-Fetch-Site); an empty header value is not sent.
func PagePost(t testing.TB, link, decision, csrf string, header map[string]string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	form := url.Values{"decision": {decision}, "csrf": {csrf}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, link, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatalf("POST %s: %v", link, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		if v != "" {
			req.Header.Set(k, v)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", link, err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("POST %s: %v", link, err)
	}
	return resp.StatusCode, string(body)
}

// Decide is the person on the approval page: load it, press a button from
// the page's own origin, and return the answer page (which must be 200).
func Decide(t testing.TB, link, decision string) string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatalf("approval link %q: %v", link, err)
	}
	status, page, _ := PageGet(t, link)
	if status != http.StatusOK {
		t.Fatalf("approval page answered %d: %s", status, page)
	}
	status, answer := PagePost(t, link, decision, CSRFOf(t, page), map[string]string{"Origin": u.Scheme + "://" + u.Host})
	if status != http.StatusOK {
		t.Fatalf("approval POST answered %d: %s", status, answer)
	}
	return answer
}
