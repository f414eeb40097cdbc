package main

import (
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/iocloud-chatops/iocloud/internal/oidcprovider"
	"github.com/iocloud-chatops/iocloud/internal/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The built server against a real OpenID provider (zitadel/oidc's op on
// loopback): it discovers the issuer, takes the JWT access tokens the
// provider issues through the client_credentials grant, refuses the ones it
// must, binds tickets and audit records to the token's subject, and keeps
// create_api_key from callers outside IOCLOUD_MCP_KEY_CREATORS.
func TestRealOpenIDProvider(t *testing.T) {
	t.Parallel()
	idp, err := oidcprovider.Start("")
	require.NoError(t, err)
	t.Cleanup(idp.Close)
	// A second provider posing as the first: same issuer, its own key.
	impostor, err := oidcprovider.Start(idp.Issuer)
	require.NoError(t, err)
	t.Cleanup(impostor.Close)

	audit := filepath.Join(t.TempDir(), "audit.jsonl")
	srv := startHTTP(t, baseEnv(
		"IOCLOUD_MCP_OAUTH_ISSUER="+idp.Issuer,
		"IOCLOUD_MCP_CONFIRM=token",
		"IOCLOUD_AUDIT_LOG="+audit,
		"IOCLOUD_MCP_KEY_CREATORS=alice@example.com,oauth:erin-sub",
	), "--sandbox")
	metadata := srv.base + "/.well-known/oauth-protected-resource/mcp"

	// Tokens are for the server's /mcp URL (the default audience), known
	// only now that it runs.
	client := func(name, email string, aud string, lifetime time.Duration) oidcprovider.Client {
		c := oidcprovider.Client{ID: name + "-app", Secret: name + "-secret", Subject: name + "-sub",
			Audience: []string{aud}, Email: email, Lifetime: lifetime}
		idp.AddClient(c)
		impostor.AddClient(c)
		return c
	}
	alice := client("alice", "alice@example.com", srv.url, 0)
	bob := client("bob", "", srv.url, 0)
	erin := client("erin", "", srv.url, 0)
	carol := client("carol", "", srv.url, time.Second)
	dave := client("dave", "", "https://other.example/mcp", 0)

	token := func(p *oidcprovider.Provider, c oidcprovider.Client) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		tok, err := p.Token(ctx, c)
		require.NoError(t, err)
		require.Equal(t, 2, strings.Count(tok, "."), "a JWT access token")
		return tok
	}
	short := token(idp, carol)

	// Missing: where to get a token, and no error.
	res := post(t, srv.url, initialize, nil, "")
	require.Equal(t, http.StatusUnauthorized, res.status)
	assert.Equal(t, `Bearer realm="iocloud-mcp", resource_metadata="`+metadata+`"`, res.header.Get("WWW-Authenticate"))

	aliceToken := token(idp, alice)
	tampered := aliceToken[:len(aliceToken)-4] + flip(aliceToken[len(aliceToken)-4:])
	time.Sleep(2 * time.Second) // carol's token expires
	for name, tok := range map[string]string{
		"expired":                    short,
		"wrong audience":             token(idp, dave),
		"signed by another provider": token(impostor, alice),
		"signature altered":          tampered,
	} {
		res := post(t, srv.url, initialize, bearerHeader(tok), "")
		assert.Equal(t, http.StatusUnauthorized, res.status, name)
		challenge := res.header.Get("WWW-Authenticate")
		assert.Contains(t, challenge, `resource_metadata="`+metadata+`"`, name)
		assert.Contains(t, challenge, `error="invalid_token"`, name)
	}

	// The protected resource metadata names the provider.
	meta, err := get(metadata)
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, json.Unmarshal([]byte(meta.body), &doc))
	assert.Equal(t, srv.url, doc["resource"])
	assert.Equal(t, []any{idp.Issuer}, doc["authorization_servers"])

	// alice (a creator by her verified email) gets a preview; the pending
	// record carries her subject.
	aliceSession := httpSession(t, srv.url, bearerClient(aliceToken), nil, "2025-06-18")
	assert.Contains(t, listNames(t, aliceSession), "create_api_key")
	args := map[string]any{"description": "alice via OIDC"}
	first := callTool(t, aliceSession, "create_api_key", args)
	require.False(t, first.IsError, textOf(first))
	preview := structuredOf(t, first)
	require.Equal(t, "confirmation_required", preview["status"])
	ticket, _ := preview["confirmation_token"].(string)
	require.NotEmpty(t, ticket)
	pending := auditRecords(t, audit, "pending")
	require.Len(t, pending, 1)
	assert.Equal(t, "mcp:oauth:alice-sub", pending[0]["actor"])

	// bob is not a creator: he neither sees create_api_key nor can call it.
	bobSession := httpSession(t, srv.url, bearerClient(token(idp, bob)), nil, "2025-06-18")
	assert.NotContains(t, listNames(t, bobSession), "create_api_key")
	assert.Contains(t, listNames(t, bobSession), "list_hardware")
	refused := callTool(t, bobSession, "create_api_key", args)
	assert.True(t, refused.IsError)
	assert.Contains(t, textOf(refused), "create_api_key")
	assert.Contains(t, textOf(refused), "IOCLOUD_MCP_KEY_CREATORS")

	// erin may create keys, but not with alice's ticket.
	erinSession := httpSession(t, srv.url, bearerClient(token(idp, erin)), nil, "2025-06-18")
	stolen := callTool(t, erinSession, "create_api_key", map[string]any{"description": "alice via OIDC", "confirmation_token": ticket})
	assert.True(t, stolen.IsError, textOf(stolen))
	assert.Empty(t, auditRecords(t, audit, "created"), "nothing created for erin")
	rejected := auditRecords(t, audit, "rejected")
	require.Len(t, rejected, 1)
	assert.Equal(t, "mcp:oauth:erin-sub", rejected[0]["actor"])

	// alice redeems her own ticket, on a new connection with a new token.
	again := httpSession(t, srv.url, bearerClient(token(idp, alice)), nil, "")
	created := callTool(t, again, "create_api_key", map[string]any{"description": "alice via OIDC", "confirmation_token": ticket})
	require.False(t, created.IsError, textOf(created))
	assert.Equal(t, "created", structuredOf(t, created)["status"])
	done := auditRecords(t, audit, "created")
	require.Len(t, done, 1)
	assert.Equal(t, "mcp:oauth:alice-sub", done[0]["actor"])
}

// flip changes every character of s, so a signature no longer verifies.
func flip(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
	}
	return string(b)
}

// auditRecords are the audit file's records with the given outcome.
func auditRecords(t *testing.T, path, outcome string) []map[string]any {
	t.Helper()
	return slices.DeleteFunc(testutil.AuditFile(t, path), func(rec map[string]any) bool { return rec["outcome"] != outcome })
}
