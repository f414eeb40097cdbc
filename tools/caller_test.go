package tools_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/iocloud-chatops/iocloud/tools"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func withKeyCreators(c ...string) envOption {
	return func(o *envOptions) { o.cfg.KeyCreators = c }
}

var (
	alice = tools.Caller{ID: "oauth:alice-sub", Name: "alice@example.com", Email: "alice@example.com"}
	bob   = tools.Caller{ID: "token:bob", Name: "bob"}
)

// rpc sends one JSON-RPC request to srv as the transport would after
// authenticating caller, and returns the raw result or error.
func rpc(t *testing.T, srv *server.MCPServer, caller *tools.Caller, method string, params any) (json.RawMessage, *mcp.JSONRPCErrorDetails) {
	t.Helper()
	body, err := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
	require.NoError(t, err)
	ctx := context.Background()
	if caller != nil {
		ctx = tools.WithCaller(ctx, *caller)
	}
	out, err := json.Marshal(srv.HandleMessage(ctx, body))
	require.NoError(t, err)
	var resp struct {
		Result json.RawMessage          `json:"result"`
		Error  *mcp.JSONRPCErrorDetails `json:"error"`
	}
	require.NoError(t, json.Unmarshal(out, &resp))
	return resp.Result, resp.Error
}

func listAs(t *testing.T, srv *server.MCPServer, caller *tools.Caller) []string {
	t.Helper()
	raw, rpcErr := rpc(t, srv, caller, "tools/list", map[string]any{})
	require.Nil(t, rpcErr)
	var res mcp.ListToolsResult
	require.NoError(t, json.Unmarshal(raw, &res))
	names := []string{}
	for _, tl := range res.Tools {
		names = append(names, tl.Name)
	}
	return names
}

func callAs(t *testing.T, srv *server.MCPServer, caller *tools.Caller, name string, args map[string]any) *mcp.CallToolResult {
	t.Helper()
	raw, rpcErr := rpc(t, srv, caller, "tools/call", map[string]any{"name": name, "arguments": args})
	require.Nil(t, rpcErr, "a refusal is a tool result, not a protocol error")
	res, err := mcp.ParseCallToolResult(&raw)
	require.NoError(t, err)
	return res
}

// The actor the guard binds tickets and audit records to is the caller the
// transport authenticated; without one (stdio) it is "local".
func TestActorIsTheCaller(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withMode(tools.ConfirmToken))
	args := map[string]any{"description": "ci"}

	res := callAs(t, e.srv, &alice, "create_api_key", args)
	require.False(t, res.IsError, textOf(res))
	assert.Contains(t, e.audit.String(), `"actor":"mcp:oauth:alice-sub"`)

	res = callAs(t, e.srv, nil, "create_api_key", args)
	require.False(t, res.IsError, textOf(res))
	assert.Contains(t, e.audit.String(), `"actor":"mcp:local"`)
}

// A confirmation_token minted for one person cannot be redeemed by another,
// whatever else they share; its owner still can.
func TestTicketIsBoundToTheCaller(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withMode(tools.ConfirmToken))
	args := map[string]any{"description": "alice's key"}
	first := callAs(t, e.srv, &alice, "create_api_key", args)
	require.False(t, first.IsError, textOf(first))
	token, _ := structuredOf(t, first)["confirmation_token"].(string)
	require.NotEmpty(t, token)

	withToken := map[string]any{"description": "alice's key", "confirmation_token": token}
	stolen := callAs(t, e.srv, &bob, "create_api_key", withToken)
	assert.True(t, stolen.IsError)
	assert.Equal(t, 0, e.createdKeys())

	local := callAs(t, e.srv, nil, "create_api_key", withToken)
	assert.True(t, local.IsError, "no caller is not the same as alice")
	assert.Equal(t, 0, e.createdKeys())

	own := callAs(t, e.srv, &alice, "create_api_key", withToken)
	require.False(t, own.IsError, textOf(own))
	assert.Equal(t, "created", structuredOf(t, own)["status"])
	assert.Equal(t, 1, e.createdKeys())
}

// IOCLOUD_MCP_KEY_CREATORS: the listed callers (by id or verified email) see
// and may call create_api_key; everyone else neither sees it nor can call
// it, and is told so by name.
func TestKeyCreators(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withMode(tools.ConfirmToken), withKeyCreators("alice@example.com", "token:carol"))
	carol := tools.Caller{ID: "token:carol", Name: "carol"}
	// The same address, but not one the identity provider vouched for.
	unverified := tools.Caller{ID: "oauth:mallory", Name: "alice@example.com"}

	for _, c := range []tools.Caller{alice, carol} {
		assert.Contains(t, listAs(t, e.srv, &c), "create_api_key", c.ID)
		res := callAs(t, e.srv, &c, "create_api_key", map[string]any{"description": "allowed"})
		assert.False(t, res.IsError, textOf(res))
	}
	for _, c := range []*tools.Caller{&bob, &unverified, nil} {
		names := listAs(t, e.srv, c)
		assert.NotContains(t, names, "create_api_key")
		assert.Contains(t, names, "list_hardware", "read tools stay")
		res := callAs(t, e.srv, c, "create_api_key", map[string]any{"description": "refused"})
		assert.True(t, res.IsError)
		assert.Contains(t, textOf(res), "create_api_key")
		assert.Contains(t, textOf(res), "key creators (IOCLOUD_MCP_KEY_CREATORS)")
	}
	assert.Contains(t, e.audit.String(), `"actor":"mcp:token:carol"`)
	assert.NotContains(t, e.audit.String(), `refused`, "a refused caller never reached the guard")
}

// Each kind of IOCLOUD_MCP_KEY_CREATORS entry matches in its own namespace:
// an email claim never matches a token: or oauth: entry, and addresses are
// compared ignoring ASCII case only, so a Unicode look-alike does not pass.
func TestKeyCreatorsMatchEachKindOnItsOwn(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withMode(tools.ConfirmToken),
		withKeyCreators("token:bob@example.com", "oauth:ops@corp.example", "kate@example.com"))
	for _, c := range []tools.Caller{
		{ID: "oauth:mallory", Email: "token:bob@example.com"},
		{ID: "oauth:mallory", Email: "TOKEN:BOB@EXAMPLE.COM"},
		{ID: "oauth:mallory", Email: "oauth:ops@corp.example"},
		{ID: "oauth:k1", Email: "\u212Aate@example.com"}, // KELVIN SIGN, folds to k in Unicode
	} {
		assert.NotContains(t, listAs(t, e.srv, &c), "create_api_key", "%s as %q", c.ID, c.Email)
	}
	for _, c := range []tools.Caller{
		{ID: "oauth:k2", Email: "KATE@Example.com"},
		{ID: "token:bob@example.com"},
		{ID: "oauth:ops@corp.example"},
	} {
		assert.Contains(t, listAs(t, e.srv, &c), "create_api_key", "%s as %q", c.ID, c.Email)
	}
}

func TestNoKeyCreatorsMeansEveryone(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withMode(tools.ConfirmToken))
	assert.Contains(t, listAs(t, e.srv, &bob), "create_api_key")
	res := callAs(t, e.srv, &bob, "create_api_key", map[string]any{"description": "anyone"})
	assert.False(t, res.IsError, textOf(res))
}
