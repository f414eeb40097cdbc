package tools_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/iocloud-chatops/iocloud/iocloud/sandbox"
	"github.com/iocloud-chatops/iocloud/tools"
)

// The assistant alone, however often it calls and with whatever token,
// creates nothing in auto mode: only the person on the page can.
func TestApprovalAssistantAloneCreatesNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := connect(t, e.srv)
	first := call(t, c, "create_api_key", ciKey)
	require.False(t, first.IsError, textOf(first))
	out := structuredOf(t, first)
	assert.Equal(t, "approval_required", out["status"])
	link, _ := out["approval_url"].(string)
	token, _ := out["confirmation_token"].(string)
	require.NotEmpty(t, link)
	require.NotEmpty(t, token)
	assert.Contains(t, textOf(first), link)

	for range 5 {
		again := call(t, c, "create_api_key", withToken(ciKey, token))
		assert.Equal(t, "approval_pending", structuredOf(t, again)["status"])
	}
	other := call(t, c, "create_api_key", withToken(map[string]any{"description": "other"}, token))
	assert.True(t, other.IsError, "a token redeems nothing for other arguments")
	assert.Equal(t, 0, e.createdKeys())
	assert.Equal(t, 0, e.sb.Requests(sandbox.RouteCreateKey))
}

// Approve on the page creates exactly one key and shows its secret there,
// once; the assistant learns the outcome, never the secret.
func TestApprovalPageApproveCreatesOnceAndShowsSecretOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := connect(t, e.srv)
	out := structuredOf(t, call(t, c, "create_api_key", ciKey))
	link, token := out["approval_url"].(string), out["confirmation_token"].(string)

	status, page, h := pageGet(t, link)
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, page, "ci runner")
	assert.Equal(t, "no-store", h.Get("Cache-Control"))
	assert.Contains(t, h.Get("Content-Security-Policy"), "frame-ancestors 'none'")
	assert.Contains(t, h.Get("Content-Security-Policy"), "default-src 'none'")
	assert.Equal(t, "no-referrer", h.Get("Referrer-Policy"))

	answer := e.decide(t, link, "approve", true)
	require.Equal(t, 1, e.createdKeys())
	secret := e.sb.CreatedKeys()[0].Value
	assert.Contains(t, answer, secret, "the secret is on the approval answer")

	_, reloaded, _ := pageGet(t, link)
	assert.NotContains(t, reloaded, secret, "a reload shows it no more")
	assert.Contains(t, reloaded, "created")
	assert.NotContains(t, reloaded, `name="csrf"`, "no buttons once decided")

	res := call(t, c, "create_api_key", withToken(ciKey, token))
	got := structuredOf(t, res)
	assert.Equal(t, "created", got["status"])
	assert.Equal(t, "approval_page", got["secret_delivery"])
	assert.NotContains(t, got, "api_key")
	raw, _ := json.Marshal(res)
	assert.NotContains(t, string(raw), secret, "the secret never reaches the assistant")
	assert.Contains(t, e.audit.String(), `"via":"approval_page"`)
}

func TestApprovalPageConcurrentApprovesCreateOne(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := connect(t, e.srv)
	link := structuredOf(t, call(t, c, "create_api_key", ciKey))["approval_url"].(string)
	_, page, _ := pageGet(t, link)
	csrf := csrfOf(t, page)
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() { pagePost(t, link, "approve", csrf, e.pageURL) })
	}
	wg.Wait()
	assert.Equal(t, 1, e.createdKeys(), "ten clicks, one key")
	assert.Equal(t, 1, e.sb.Requests(sandbox.RouteCreateKey))
}

func TestApprovalPageCancelCreatesNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := connect(t, e.srv)
	out := structuredOf(t, call(t, c, "create_api_key", ciKey))
	link, token := out["approval_url"].(string), out["confirmation_token"].(string)
	answer := e.decide(t, link, "cancel", true)
	assert.Contains(t, answer, "Cancelled")
	assert.Equal(t, 0, e.createdKeys())
	assert.Equal(t, "cancelled", structuredOf(t, call(t, c, "create_api_key", withToken(ciKey, token)))["status"])
	_, page, _ := pageGet(t, link)
	assert.NotContains(t, page, `name="csrf"`)
}

func TestApprovalPageRefusesForgedPosts(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := connect(t, e.srv)
	link := structuredOf(t, call(t, c, "create_api_key", ciKey))["approval_url"].(string)
	_, page, _ := pageGet(t, link)
	csrf := csrfOf(t, page)

	for name, tc := range map[string]struct {
		csrf    string
		headers map[string]string
	}{
		"no csrf":                                {"", map[string]string{"Origin": e.pageURL}},
		"wrong csrf":                             {strings.Repeat("A", len(csrf)), map[string]string{"Origin": e.pageURL}},
		"foreign origin":                         {csrf, map[string]string{"Origin": "http://evil.example.com"}},
		"foreign origin, same-origin fetch site": {csrf, map[string]string{"Origin": "http://evil.example.com", "Sec-Fetch-Site": "same-origin"}},
		"null origin":                            {csrf, map[string]string{"Origin": "null"}},
		"null origin from a site":                {csrf, map[string]string{"Origin": "null", "Sec-Fetch-Site": "cross-site"}},
		"null origin, same site":                 {csrf, map[string]string{"Origin": "null", "Sec-Fetch-Site": "same-site"}},
		"no origin at all":                       {csrf, nil},
	} {
		status, _ := pagePostWith(t, link, "approve", tc.csrf, tc.headers)
		assert.Equal(t, http.StatusForbidden, status, name)
	}
	assert.Equal(t, 0, e.createdKeys(), "no forged POST creates a key")
	// The real person can still approve afterwards, with what a browser
	// sends from this page: under its no-referrer policy "Origin: null",
	// and Sec-Fetch-Site: same-origin.
	status, _ := pagePostWith(t, link, "approve", csrf, map[string]string{"Origin": "null", "Sec-Fetch-Site": "same-origin"})
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, 1, e.createdKeys())
}

func TestApprovalExpires(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := connect(t, e.srv)
	out := structuredOf(t, call(t, c, "create_api_key", ciKey))
	link, token := out["approval_url"].(string), out["confirmation_token"].(string)
	e.clock.Advance(11 * time.Minute)
	res := call(t, c, "create_api_key", withToken(ciKey, token))
	assert.True(t, res.IsError)
	assert.Contains(t, textOf(res), "expired")
	status, page, _ := pageGet(t, link)
	if status == http.StatusOK && strings.Contains(page, `name="csrf"`) {
		_, answer := pagePost(t, link, "approve", csrfOf(t, page), e.pageURL)
		assert.Contains(t, answer, "expired")
	}
	assert.Equal(t, 0, e.createdKeys())
}

// url mode sends even a form-capable client to the page.
func TestApprovalURLModeIgnoresFormElicitation(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withMode(tools.ConfirmURL))
	c := connect(t, e.srv, client.WithElicitationHandler(answering(mcp.ElicitationResponseActionAccept, map[string]any{"confirm": true})))
	out := structuredOf(t, call(t, c, "create_api_key", ciKey))
	assert.Equal(t, "approval_required", out["status"])
	assert.Equal(t, 0, e.createdKeys())
}
