package main

import (
	"context"
	"sync"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pageOpener is a host that declared URL elicitation: it shows the person
// the approval page's URL. With approve set, the person approves there
// before the host answers; otherwise they have not decided yet.
type pageOpener struct {
	t       *testing.T
	approve bool
	mu      sync.Mutex
	seen    []*mcp.ElicitParams
}

func (p *pageOpener) handle(_ context.Context, req *mcp.ElicitRequest) (*mcp.ElicitResult, error) {
	p.mu.Lock()
	p.seen = append(p.seen, req.Params)
	p.mu.Unlock()
	if p.approve && req.Params.Mode == "url" {
		// The person acts in their browser, outside the host's request.
		approveOnPage(p.t, req.Params.URL, "approve") //nolint:contextcheck // see above
	}
	return &mcp.ElicitResult{Action: "accept"}, nil
}

func (p *pageOpener) shown() []*mcp.ElicitParams {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]*mcp.ElicitParams(nil), p.seen...)
}

func (p *pageOpener) options() *mcp.ClientOptions {
	return &mcp.ClientOptions{
		ElicitationHandler: p.handle,
		Capabilities:       &mcp.ClientCapabilities{Elicitation: &mcp.ElicitationCapabilities{URL: &mcp.URLElicitationCapabilities{}}},
	}
}

// The official go-sdk client, declaring URL elicitation, gets the approval
// page through it from the built binary, over HTTP in both eras that have
// URL elicitation and over stdio. Its answer approves nothing: the call
// reports approval_pending (or created, when the person approved on the
// page meanwhile), never the secret.
func TestGoSDKURLElicitation(t *testing.T) {
	t.Parallel()
	srv := startHTTP(t, baseEnv(), "--sandbox")
	for _, era := range []string{"2026-07-28", "2025-11-25"} {
		t.Run("http/"+era, func(t *testing.T) {
			t.Parallel()
			host := &pageOpener{t: t}
			cs := httpSession(t, srv.url, nil, host.options(), era)
			exerciseURLElicitation(t, cs, host)
		})
	}
	t.Run("stdio", func(t *testing.T) {
		t.Parallel()
		host := &pageOpener{t: t}
		cs, _ := stdioSession(t, baseEnv(), host.options(), "2025-11-25", "--sandbox")
		exerciseURLElicitation(t, cs, host)
	})
}

func exerciseURLElicitation(t *testing.T, cs *mcp.ClientSession, host *pageOpener) {
	t.Helper()
	args := map[string]any{"description": "url elicitation " + t.Name(), "expires_in_days": 3}
	res := callTool(t, cs, "create_api_key", args)
	require.False(t, res.IsError, textOf(res))
	out := structuredOf(t, res)
	require.Equal(t, "approval_pending", out["status"], textOf(res))
	shown := host.shown()
	require.Len(t, shown, 1)
	assert.Equal(t, "url", shown[0].Mode)
	assert.Equal(t, shown[0].URL, out["approval_url"])
	assert.NotEmpty(t, shown[0].ElicitationID)
	token, _ := out["confirmation_token"].(string)
	require.NotEmpty(t, token)
	assert.Zero(t, countKeys(t, cs, args["description"].(string)), "the host's answer created nothing")

	assert.Contains(t, approveOnPage(t, shown[0].URL, "approve"), "shown this once")
	done := structuredOf(t, callTool(t, cs, "create_api_key", withToken(args, token)))
	assert.Equal(t, "created", done["status"])
	assert.Empty(t, done["api_key"])
	assert.Equal(t, 1, countKeys(t, cs, args["description"].(string)))

	// A person who approves while the host shows the link: the answer
	// already says created.
	host.approve = true
	again := map[string]any{"description": "url elicitation, approved at once " + t.Name()}
	res = callTool(t, cs, "create_api_key", again)
	out = structuredOf(t, res)
	assert.Equal(t, "created", out["status"], textOf(res))
	assert.Equal(t, "approval_page", out["secret_delivery"])
	assert.Empty(t, out["api_key"])
}
