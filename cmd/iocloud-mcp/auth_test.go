package main

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/iocloud-chatops/iocloud/iocloud"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeIssuer is a minimal OpenID issuer for unit tests: a discovery document
// and a JWKS with one RSA key, and tokens minted here with go-jose. The
// integration test (oidc_test.go) uses a real provider instead.
type fakeIssuer struct {
	url string
	key *rsa.PrivateKey
	kid string
}

func newFakeIssuer(t *testing.T) *fakeIssuer {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	f := &fakeIssuer{key: key, kid: "k1"}
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	f.url = srv.URL
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, _ *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]any{
			"issuer": f.url, "jwks_uri": f.url + "/keys",
			"authorization_endpoint": f.url + "/authorize", "token_endpoint": f.url + "/token",
			"id_token_signing_alg_values_supported": []string{"RS256"},
		})
	})
	mux.HandleFunc("/keys", func(w http.ResponseWriter, _ *http.Request) {
		_ = json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
			{Key: &f.key.PublicKey, KeyID: f.kid, Algorithm: "RS256", Use: "sig"},
		}})
	})
	return f
}

// mint signs claims with key (the issuer's unless another is given).
func (f *fakeIssuer) mint(t *testing.T, claims map[string]any, alg jose.SignatureAlgorithm, key any) string {
	t.Helper()
	if key == nil {
		key = f.key
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key},
		(&jose.SignerOptions{}).WithType("at+jwt").WithHeader("kid", f.kid))
	require.NoError(t, err)
	tok, err := jwt.Signed(signer).Claims(claims).Serialize()
	require.NoError(t, err)
	return tok
}

func (f *fakeIssuer) claims(aud string, extra map[string]any) map[string]any {
	now := time.Now()
	c := map[string]any{"iss": f.url, "sub": "248289761001", "aud": aud,
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(5 * time.Minute).Unix()}
	for k, v := range extra {
		if v == nil {
			delete(c, k)
			continue
		}
		c[k] = v
	}
	return c
}

func TestOAuthAccessTokens(t *testing.T) {
	t.Parallel()
	iss := newFakeIssuer(t)
	p := startInProcess(t, httpSettings{oauthIssuer: iss.url, tokens: namedTokens("ci-bot")})
	aud := p.url // the default audience: the public /mcp URL
	metadata := p.base + "/.well-known/oauth-protected-resource/mcp"

	// No token: where to get one, and no error.
	res := post(t, p.url, initialize, nil, "")
	require.Equal(t, http.StatusUnauthorized, res.status)
	challenge := res.header.Get("WWW-Authenticate")
	assert.True(t, strings.HasPrefix(challenge, "Bearer "), challenge)
	assert.Contains(t, challenge, `resource_metadata="`+metadata+`"`)
	assert.NotContains(t, challenge, "error=")

	other, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	refused := map[string]string{
		"expired":          iss.mint(t, iss.claims(aud, map[string]any{"exp": time.Now().Add(-time.Minute).Unix()}), jose.RS256, nil),
		"not yet valid":    iss.mint(t, iss.claims(aud, map[string]any{"nbf": time.Now().Add(time.Hour).Unix()}), jose.RS256, nil),
		"wrong audience":   iss.mint(t, iss.claims("https://other.example/mcp", nil), jose.RS256, nil),
		"wrong issuer":     iss.mint(t, iss.claims(aud, map[string]any{"iss": "https://evil.example"}), jose.RS256, nil),
		"wrongly signed":   iss.mint(t, iss.claims(aud, nil), jose.RS256, other),
		"HMAC with the n":  iss.mint(t, iss.claims(aud, nil), jose.HS256, iss.key.N.Bytes()),
		"no subject":       iss.mint(t, iss.claims(aud, map[string]any{"sub": nil}), jose.RS256, nil),
		"no expiry":        iss.mint(t, iss.claims(aud, map[string]any{"exp": nil}), jose.RS256, nil),
		"not a JWT at all": "opaque-token-value",
	}
	for name, tok := range refused {
		res := post(t, p.url, initialize, bearerHeader(tok), "")
		assert.Equal(t, http.StatusUnauthorized, res.status, name)
		challenge := res.header.Get("WWW-Authenticate")
		assert.Contains(t, challenge, `error="invalid_token"`, name)
		assert.Contains(t, challenge, `resource_metadata="`+metadata+`"`, name)
		assert.NotContains(t, res.body+challenge, tok, "the token is not echoed")
	}
	expired := post(t, p.url, initialize, bearerHeader(refused["expired"]), "")
	assert.Contains(t, expired.header.Get("WWW-Authenticate"), "expired")

	// A good token: its subject is the caller, shown with its verified email.
	good := iss.mint(t, iss.claims(aud, map[string]any{"email": "ann@example.com", "email_verified": true}), jose.RS256, nil)
	sid := p.initialize(t, bearerHeader(good))
	status, who := p.whoami(t, sid, bearerHeader(good))
	require.Equal(t, http.StatusOK, status, who)
	assert.Equal(t, "oauth:248289761001|ann@example.com|ann@example.com", who)

	// An address the provider did not vouch for does not count as their
	// email (IOCLOUD_MCP_KEY_CREATORS), and where it names the caller it
	// says so; a chosen name comes before it.
	unverified := iss.mint(t, iss.claims(aud, map[string]any{"sub": "u2", "email": "ann@example.com"}), jose.RS256, nil)
	sid2 := p.initialize(t, bearerHeader(unverified))
	_, who = p.whoami(t, sid2, bearerHeader(unverified))
	assert.Equal(t, "oauth:u2|ann@example.com (unverified)|", who)
	named := iss.mint(t, iss.claims(aud, map[string]any{"sub": "u3", "email": "ann@example.com", "name": "Mallory"}), jose.RS256, nil)
	_, who = p.whoami(t, p.initialize(t, bearerHeader(named)), bearerHeader(named))
	assert.Equal(t, "oauth:u3|Mallory|", who)

	// Named tokens work next to OAuth.
	bot := bearerHeader(tokenOf("ci-bot"))
	_, who = p.whoami(t, p.initialize(t, bot), bot)
	assert.Equal(t, "token:ci-bot|ci-bot|", who)

	// RFC 9728 metadata, at the bare well-known path and the /mcp one.
	for _, path := range []string{"/.well-known/oauth-protected-resource", "/.well-known/oauth-protected-resource/mcp"} {
		res, err := get(p.base + path)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, res.status, path)
		var meta map[string]any
		require.NoError(t, json.Unmarshal([]byte(res.body), &meta))
		assert.Equal(t, p.url, meta["resource"], path)
		assert.Equal(t, []any{iss.url}, meta["authorization_servers"], path)
	}
}

// A configured audience replaces the /mcp URL; the metadata still names the
// URL, which is what the resource is.
func TestOAuthConfiguredAudience(t *testing.T) {
	t.Parallel()
	iss := newFakeIssuer(t)
	p := startInProcess(t, httpSettings{oauthIssuer: iss.url, oauthAudience: "api://iocloud", publicURL: "https://mcp.example.com"})
	res := post(t, p.url, initialize, bearerHeader(iss.mint(t, iss.claims("api://iocloud", nil), jose.RS256, nil)), "")
	assert.Equal(t, http.StatusOK, res.status)
	res = post(t, p.url, initialize, bearerHeader(iss.mint(t, iss.claims(p.url, nil), jose.RS256, nil)), "")
	assert.Equal(t, http.StatusUnauthorized, res.status, "the listener URL is not the audience")
	assert.Contains(t, res.header.Get("WWW-Authenticate"),
		`resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp"`, "metadata is on the public URL")
	meta, err := get(p.base + "/.well-known/oauth-protected-resource/mcp")
	require.NoError(t, err)
	assert.Contains(t, meta.body, `"resource":"https://mcp.example.com/mcp"`)
}

// Without OAuth a 401 points to no metadata (there is no authorization
// server to find) and says whether a token was refused.
func TestSharedTokenCaller(t *testing.T) {
	t.Parallel()
	p := startInProcess(t, httpSettings{token: iocloud.Secret("shared-token-0123456789"), tokens: namedTokens("alice")})
	res := post(t, p.url, initialize, nil, "")
	require.Equal(t, http.StatusUnauthorized, res.status)
	assert.Equal(t, `Bearer realm="iocloud-mcp"`, res.header.Get("WWW-Authenticate"))
	res = post(t, p.url, initialize, bearerHeader("nope"), "")
	require.Equal(t, http.StatusUnauthorized, res.status)
	assert.Contains(t, res.header.Get("WWW-Authenticate"), `error="invalid_token"`)
	metaRes, err := get(p.base + "/.well-known/oauth-protected-resource")
	require.NoError(t, err)
	assert.Equal(t, http.StatusNotFound, metaRes.status, "no metadata without OAuth")

	shared := bearerHeader("shared-token-0123456789")
	_, who := p.whoami(t, p.initialize(t, shared), shared)
	assert.Equal(t, "token:shared|shared token|", who)
	alice := bearerHeader(tokenOf("alice"))
	_, who = p.whoami(t, p.initialize(t, alice), alice)
	assert.Equal(t, "token:alice|alice|", who)

	// Two Authorization headers (a proxy adding its own, say): which one
	// counts would be a guess, so neither does.
	both := http.Header{"Authorization": {"Bearer " + tokenOf("alice"), "Bearer shared-token-0123456789"}}
	res = post(t, p.url, initialize, both, "")
	assert.Equal(t, http.StatusBadRequest, res.status)
	assert.Contains(t, res.header.Get("WWW-Authenticate"), `error="invalid_request"`)
	assert.Contains(t, res.body, "exactly one Authorization header")
}

// An issuer that cannot be discovered stops start-up with one line naming
// the variable.
func TestOAuthDiscoveryFailureStopsStartup(t *testing.T) {
	t.Parallel()
	var lc net.ListenConfig
	dead, err := lc.Listen(t.Context(), "tcp", "127.0.0.1:0")
	require.NoError(t, err)
	issuer := "http://" + dead.Addr().String()
	require.NoError(t, dead.Close())

	ln, err := lc.Listen(t.Context(), "tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = serveListener(ctx, ln, whoamiServer(), httpSettings{addr: "127.0.0.1:0", oauthIssuer: issuer, oauthTimeout: 2 * time.Second},
		slog.New(slog.DiscardHandler), io.Discard)
	require.Error(t, err)
	assert.True(t, strings.HasPrefix(err.Error(), "IOCLOUD_MCP_OAUTH_ISSUER: "), err.Error())
	assert.NotContains(t, err.Error(), "\n")
}
