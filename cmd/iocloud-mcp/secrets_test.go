package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iocloud-chatops/iocloud/iocloud/sandbox"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A full create flow through the binary, against a sandbox this test owns
// (so it knows every credential): afterwards neither the server's stderr nor
// its audit file holds the API key, the JWT or the new secret.
func TestNoSecretsInStderrOrAuditLog(t *testing.T) {
	t.Parallel()
	sb, err := sandbox.Start()
	require.NoError(t, err)
	t.Cleanup(sb.Close)
	auditPath := filepath.Join(t.TempDir(), "audit.jsonl")
	env := baseEnv(
		"IOCLOUD_BASE_URL="+sb.URL(),
		"IOCLOUD_API_KEY="+sb.APIKey(),
		"IOCLOUD_JWT="+sb.JWT(),
		"IOCLOUD_AUDIT_LOG="+auditPath,
	)

	cs, stderr := stdioSession(t, env, &mcp.ClientOptions{ElicitationHandler: accept}, "")
	exerciseToolsLive(t, cs)
	plain, plainStderr := stdioSession(t, env, nil, "")
	args := map[string]any{"description": "secrets check", "scopes": []any{"read"}}
	first := callTool(t, plain, "create_api_key", args)
	token, _ := structuredOf(t, first)["confirmation_token"].(string)
	link, _ := structuredOf(t, first)["approval_url"].(string)
	require.NotEmpty(t, token)
	approveOnPage(t, link, "approve")
	second := callTool(t, plain, "create_api_key", map[string]any{"description": "secrets check", "scopes": []any{"read"}, "confirmation_token": token})
	require.False(t, second.IsError, textOf(second))
	require.Equal(t, "created", structuredOf(t, second)["status"])
	require.NoError(t, cs.Close())
	require.NoError(t, plain.Close())

	keys := sb.CreatedKeys()
	require.Len(t, keys, 2)
	audit, err := os.ReadFile(auditPath)
	require.NoError(t, err)
	assert.Contains(t, string(audit), `"outcome":"created"`)
	assert.Equal(t, 2, strings.Count(string(audit), `"outcome":"created"`))
	written := stderr.String() + plainStderr.String() + string(audit)
	require.NotEmpty(t, stderr.String())
	for name, secret := range map[string]string{
		"API key": sb.APIKey(), "JWT": sb.JWT(), "first new key": keys[0].Value, "second new key": keys[1].Value,
	} {
		assert.NotContains(t, written, secret, name)
	}
}

// exerciseToolsLive runs the reads and an elicited creation against a
// non-sandbox upstream: answers say so (sandbox false).
func exerciseToolsLive(t *testing.T, cs *mcp.ClientSession) {
	t.Helper()
	hw := callTool(t, cs, "list_hardware", map[string]any{})
	require.False(t, hw.IsError, textOf(hw))
	assert.Equal(t, false, structuredOf(t, hw)["sandbox"])
	assert.NotContains(t, textOf(hw), "sandbox data")
	key := callTool(t, cs, "create_api_key", map[string]any{"description": "secrets check", "expires_in_days": 3})
	require.False(t, key.IsError, textOf(key))
	assert.Equal(t, "created", structuredOf(t, key)["status"])
}
