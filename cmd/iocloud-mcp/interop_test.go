package main

import (
	"context"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Protocol eras the official client is pinned to: the stateless 2026-07-28
// core and the handshake era most desktop hosts still speak.
var eras = []string{"2026-07-28", "2025-06-18"}

// The official go-sdk client drives the built binary over stdio: tools/list
// and each tool's happy path on the sandbox, in both protocol eras, with a
// client that shows confirmation prompts and with one that cannot.
func TestGoSDKOverStdio(t *testing.T) {
	t.Parallel()
	for _, era := range eras {
		for _, elicits := range []bool{true, false} {
			t.Run(sessionName(era, elicits), func(t *testing.T) {
				t.Parallel()
				cs, stderr := stdioSession(t, baseEnv(), clientOptions(elicits), era, "--sandbox")
				exerciseTools(t, cs, elicits)
				assert.Contains(t, stderr.String(), "serving MCP on stdio", "logs go to stderr")
			})
		}
	}
	t.Run("read-only", func(t *testing.T) {
		t.Parallel()
		cs, _ := stdioSession(t, baseEnv(), nil, "", "--sandbox", "--read-only")
		assert.Equal(t, []string{"list_api_keys", "list_available_replicas", "list_hardware", "quote_price"}, listNames(t, cs))
	})
}

// The same over streamable HTTP. In the 2026-07-28 era HTTP has no sessions,
// so the two-step token must carry across two independent requests.
func TestGoSDKOverHTTP(t *testing.T) {
	t.Parallel()
	srv := startHTTP(t, baseEnv(), "--sandbox")
	for _, era := range eras {
		for _, elicits := range []bool{true, false} {
			t.Run(sessionName(era, elicits), func(t *testing.T) {
				t.Parallel()
				cs := httpSession(t, srv.url, nil, clientOptions(elicits), era)
				exerciseTools(t, cs, elicits)
			})
		}
	}
}

func sessionName(era string, elicits bool) string {
	if elicits {
		return era + "/prompt"
	}
	return era + "/token"
}

func clientOptions(elicits bool) *mcp.ClientOptions {
	if elicits {
		return &mcp.ClientOptions{ElicitationHandler: accept}
	}
	return nil
}

// exerciseTools lists the tools and runs each one's happy path; with
// elicits, create_api_key is confirmed through the client's prompt,
// otherwise through the confirmation_token.
func exerciseTools(t *testing.T, cs *mcp.ClientSession, elicits bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	list, err := cs.ListTools(ctx, &mcp.ListToolsParams{})
	require.NoError(t, err)
	names := make([]string, 0, len(list.Tools))
	for _, tool := range list.Tools {
		names = append(names, tool.Name)
		require.NotNil(t, tool.Annotations, tool.Name)
		require.NotNil(t, tool.Annotations.DestructiveHint, tool.Name)
		assert.Equal(t, tool.Name == "revoke_api_key", *tool.Annotations.DestructiveHint, tool.Name)
		assert.Equal(t, tool.Name != "create_api_key" && tool.Name != "revoke_api_key", tool.Annotations.ReadOnlyHint, tool.Name)
		assert.NotNil(t, tool.OutputSchema, tool.Name)
	}
	assert.Equal(t, []string{"create_api_key", "list_api_keys", "list_available_replicas", "list_hardware", "quote_price", "revoke_api_key"}, names)

	hw := callTool(t, cs, "list_hardware", map[string]any{})
	require.False(t, hw.IsError, textOf(hw))
	assert.Len(t, structuredOf(t, hw)["hardware"], 6)
	assert.Equal(t, true, structuredOf(t, hw)["sandbox"])
	assert.Contains(t, textOf(hw), "sandbox data")

	rep := callTool(t, cs, "list_available_replicas", map[string]any{"hardware": "A100 80GB SXM", "gpus_per_container": 2})
	require.False(t, rep.IsError, textOf(rep))
	assert.InDelta(t, 11, structuredOf(t, rep)["total_available_replicas"], 0)

	args := map[string]any{"description": "interop " + t.Name(), "expires_in_days": 7}
	key := callTool(t, cs, "create_api_key", args)
	require.False(t, key.IsError, textOf(key))
	if !elicits {
		// Without a form prompt the person approves on the approval page;
		// the assistant's follow-up call only learns the outcome.
		out := structuredOf(t, key)
		require.Equal(t, "approval_required", out["status"])
		token, _ := out["confirmation_token"].(string)
		link, _ := out["approval_url"].(string)
		withToken := map[string]any{"description": args["description"], "expires_in_days": 7, "confirmation_token": token}
		assert.Equal(t, "approval_pending", structuredOf(t, callTool(t, cs, "create_api_key", withToken))["status"])
		assert.Contains(t, approveOnPage(t, link, "approve"), "shown this once")
		key = callTool(t, cs, "create_api_key", withToken)
		require.False(t, key.IsError, textOf(key))
		out = structuredOf(t, key)
		assert.Equal(t, "created", out["status"])
		assert.Equal(t, "approval_page", out["secret_delivery"])
		assert.Empty(t, out["api_key"], "the secret went to the person, not the assistant")
		assert.NotEmpty(t, out["key_id"])
		return
	}
	out := structuredOf(t, key)
	assert.Equal(t, "created", out["status"])
	assert.NotEmpty(t, out["api_key"])
	assert.NotEmpty(t, out["key_id"])
}

func listNames(t *testing.T, cs *mcp.ClientSession) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	list, err := cs.ListTools(ctx, &mcp.ListToolsParams{})
	require.NoError(t, err)
	var names []string
	for _, tool := range list.Tools {
		names = append(names, tool.Name)
	}
	slices.Sort(names)
	return names
}

// bearerClient adds the token to every request, as a configured host does.
func bearerClient(token string) *http.Client {
	return &http.Client{Transport: roundTripper(func(r *http.Request) (*http.Response, error) {
		r = r.Clone(r.Context())
		r.Header.Set("Authorization", "Bearer "+token)
		return http.DefaultTransport.RoundTrip(r)
	})}
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
