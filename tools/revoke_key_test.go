package tools_test

import (
	"context"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/iocloud-chatops/iocloud/iocloud"
	"github.com/iocloud-chatops/iocloud/iocloud/sandbox"
	"github.com/iocloud-chatops/iocloud/tools"
)

// existingKey creates a key straight in the sandbox (not through the
// tools), so a revocation has something to act on.
func (e *env) existingKey(t *testing.T) iocloud.APIKey {
	t.Helper()
	k, err := e.client.CreateAPIKey(context.Background(), iocloud.KeyRequest{
		Description: "old CI key", ExpiresAt: time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second),
		Project: "io-cloud", Scopes: []string{"read"},
	})
	require.NoError(t, err)
	return k.Key
}

func (e *env) revokes() int { return e.sb.Requests(sandbox.RouteRevokeKey) }

func TestRevokeUnknownKeyIsReportedBeforeAnyApproval(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := connect(t, e.srv)
	res := call(t, c, "revoke_api_key", map[string]any{"key_id": "0b8e6c4e-1c0a-4a55-9a4e-1d6f2b0c7e11"})
	assert.True(t, res.IsError)
	assert.Equal(t, "not_found", structuredOf(t, res)["status"])
	assert.Equal(t, 0, e.revokes())
	assert.NotContains(t, e.audit.String(), `"outcome":"pending"`, "no approval was asked for")
}

func TestRevokeTokenModeRevokesOnceAfterConfirmation(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withMode(tools.ConfirmToken))
	key := e.existingKey(t)
	c := connect(t, e.srv)
	args := map[string]any{"key_id": key.KeyID}
	first := structuredOf(t, call(t, c, "revoke_api_key", args))
	assert.Equal(t, "confirmation_required", first["status"])
	assert.Equal(t, "old CI key", first["preview"].(map[string]any)["description"], "the preview names the key")
	assert.Equal(t, 0, e.revokes(), "nothing is revoked before confirmation")

	token := first["confirmation_token"].(string)
	res := call(t, c, "revoke_api_key", withToken(args, token))
	require.False(t, res.IsError, textOf(res))
	assert.Equal(t, "revoked", structuredOf(t, res)["status"])
	assert.Equal(t, 1, e.revokes())

	replay := call(t, c, "revoke_api_key", withToken(args, token))
	assert.True(t, replay.IsError, "a replayed token revokes nothing")
	assert.Equal(t, 1, e.revokes())
	forged := call(t, c, "revoke_api_key", withToken(args, "x"+token[1:]))
	assert.True(t, forged.IsError)
	assert.Contains(t, textOf(forged), "Not revoked. This confirmation is not valid and nothing was done")
	assert.NotContains(t, textOf(forged), "created", "the revoke flow's words, not create's")
	assert.Contains(t, e.audit.String(), `"action":"revoke_api_key"`)
	assert.Contains(t, e.audit.String(), `"outcome":"revoking"`)
}

func TestRevokeApprovalPage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	key := e.existingKey(t)
	c := connect(t, e.srv)
	args := map[string]any{"key_id": key.KeyID}
	first := structuredOf(t, call(t, c, "revoke_api_key", args))
	require.Equal(t, "approval_required", first["status"])
	token, link := first["confirmation_token"].(string), first["approval_url"].(string)
	for range 3 {
		assert.Equal(t, "approval_pending", structuredOf(t, call(t, c, "revoke_api_key", withToken(args, token)))["status"])
	}
	assert.Equal(t, 0, e.revokes(), "the assistant's calls revoke nothing")

	_, page, _ := pageGet(t, link)
	assert.Contains(t, page, "Revoke this io.net API key?")
	assert.Contains(t, page, key.Display)
	answer := e.decide(t, link, "approve", true)
	assert.Contains(t, answer, "revoked")
	assert.Equal(t, 1, e.revokes())
	assert.Equal(t, "revoked", structuredOf(t, call(t, c, "revoke_api_key", withToken(args, token)))["status"])
}

func TestRevokeElicitationDeclineRevokesNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	key := e.existingKey(t)
	decline := connect(t, e.srv, client.WithElicitationHandler(answering(mcp.ElicitationResponseActionDecline, nil)))
	res := call(t, decline, "revoke_api_key", map[string]any{"key_id": key.KeyID})
	assert.Equal(t, "cancelled", structuredOf(t, res)["status"])
	assert.Equal(t, 0, e.revokes())

	accept := connect(t, e.srv, client.WithElicitationHandler(answering(mcp.ElicitationResponseActionAccept, map[string]any{"confirm": true})))
	res = call(t, accept, "revoke_api_key", map[string]any{"key_id": key.KeyID})
	require.False(t, res.IsError, textOf(res))
	assert.Equal(t, "revoked", structuredOf(t, res)["status"])
	assert.Equal(t, 1, e.revokes())
}
