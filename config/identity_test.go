package config

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	"github.com/sethvargo/go-envconfig"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func hashOf(token string) string {
	sum := sha256.Sum256([]byte(token))
	return "sha256:" + hex.EncodeToString(sum[:])
}

func writeTokens(t *testing.T, body string, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "tokens")
	require.NoError(t, os.WriteFile(p, []byte(body), mode))
	require.NoError(t, os.Chmod(p, mode)) // past the umask
	return p
}

func TestMCPValidateIdentity(t *testing.T) {
	t.Parallel()
	tokens := writeTokens(t, "alice "+hashOf("a")+"\n", 0o600)
	groupWritable := writeTokens(t, "alice "+hashOf("a")+"\n", 0o620)
	httpOff := map[string]string{"IOCLOUD_MCP_TRANSPORT": "http", "IOCLOUD_MCP_ADDR": "0.0.0.0:8080"}
	with := func(base map[string]string, kv ...string) map[string]string {
		out := map[string]string{}
		for k, v := range base {
			out[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			out[kv[i]] = kv[i+1]
		}
		return out
	}
	bare := map[string]string{"IOCLOUD_API_KEY": "k", "IOCLOUD_MCP_TRANSPORT": "http", "IOCLOUD_MCP_ADDR": "0.0.0.0:8080"}

	tests := []validateCase{
		{name: "a tokens file is enough off loopback", bare: true, env: with(bare, "IOCLOUD_MCP_TOKENS_FILE", tokens)},
		{name: "an issuer and public URL are enough off loopback", bare: true,
			env: with(bare, "IOCLOUD_MCP_OAUTH_ISSUER", "https://login.example.com/", "IOCLOUD_MCP_PUBLIC_URL", "https://mcp.example.com")},
		{name: "http issuer on loopback", env: map[string]string{"IOCLOUD_MCP_OAUTH_ISSUER": "http://127.0.0.1:9000"}},
		{
			name: "http issuer off loopback", env: map[string]string{"IOCLOUD_MCP_OAUTH_ISSUER": "http://login.example.com"},
			want: `IOCLOUD_MCP_OAUTH_ISSUER: "http://login.example.com" uses plain http off loopback (use https://, or http:// only with 127.0.0.1, ::1 or localhost)`,
		},
		{
			name: "issuer off loopback needs the public URL", bare: true, env: with(bare, "IOCLOUD_MCP_OAUTH_ISSUER", "https://login.example.com/"),
			want: `IOCLOUD_MCP_PUBLIC_URL: required with IOCLOUD_MCP_OAUTH_ISSUER when IOCLOUD_MCP_ADDR "0.0.0.0:8080" is reachable beyond this machine (set the URL clients reach the server at, e.g. https://mcp.example.com; it names the resource tokens are for)`,
		},
		{
			name: "audience without issuer", env: map[string]string{"IOCLOUD_MCP_OAUTH_AUDIENCE": "api://iocloud"},
			want: `IOCLOUD_MCP_OAUTH_AUDIENCE: is set but IOCLOUD_MCP_OAUTH_ISSUER is not (set the issuer too, or unset the audience)`,
		},
		{
			name: "plain http public URL", env: map[string]string{"IOCLOUD_MCP_PUBLIC_URL": "http://mcp.example.com"},
			want: `IOCLOUD_MCP_PUBLIC_URL: "http://mcp.example.com" uses plain http off loopback (use https://, or http:// only with 127.0.0.1, ::1 or localhost)`,
		},
		{
			name: "missing tokens file", env: map[string]string{"IOCLOUD_MCP_TOKENS_FILE": "/nonexistent/tokens"},
			want: `IOCLOUD_MCP_TOKENS_FILE: "/nonexistent/tokens" cannot be used: it does not exist (create it with one "name sha256:<hex>" line per person, or unset the variable)`,
		},
		{
			name: "group-writable tokens file", env: map[string]string{"IOCLOUD_MCP_TOKENS_FILE": groupWritable},
			want: `IOCLOUD_MCP_TOKENS_FILE: "` + groupWritable + `" is writable by group or others, who could add their own token (chmod 600 or 644 it)`,
		},
		{name: "origins", env: map[string]string{"IOCLOUD_MCP_ALLOWED_ORIGINS": "https://app.example.com, http://localhost:6274"}},
		{
			name: "a wildcard origin", env: map[string]string{"IOCLOUD_MCP_ALLOWED_ORIGINS": "*"},
			want: `IOCLOUD_MCP_ALLOWED_ORIGINS: "*" is not an origin (list scheme://host[:port] values such as https://app.example.com, comma-separated; no * and no path)`,
		},
		{
			name: "an origin with a path", env: map[string]string{"IOCLOUD_MCP_ALLOWED_ORIGINS": "https://a.example/x"},
			want: `IOCLOUD_MCP_ALLOWED_ORIGINS: "https://a.example/x" is not an origin (list scheme://host[:port] values such as https://app.example.com, comma-separated; no * and no path)`,
		},
		{name: "creators of every kind", env: with(httpOff, "IOCLOUD_MCP_TOKENS_FILE", tokens, "IOCLOUD_MCP_OAUTH_ISSUER", "https://login.example.com",
			"IOCLOUD_MCP_PUBLIC_URL", "https://mcp.example.com", "IOCLOUD_MCP_KEY_CREATORS", "oauth:248289761001, ann@example.com, token:alice, token:shared")},
		{
			name: "creators without identities", env: map[string]string{"IOCLOUD_API_KEY": "k", "IOCLOUD_MCP_TRANSPORT": "http", "IOCLOUD_MCP_KEY_CREATORS": "token:alice"}, bare: true,
			want: `IOCLOUD_MCP_KEY_CREATORS: is set but HTTP callers are not identified, so nobody could be matched (set IOCLOUD_MCP_OAUTH_ISSUER, IOCLOUD_MCP_TOKENS_FILE or IOCLOUD_MCP_AUTH_TOKEN, or unset it)`,
		},
		{
			name: "an email without an issuer", env: with(httpOff, "IOCLOUD_MCP_KEY_CREATORS", "ann@example.com"),
			want: `IOCLOUD_MCP_KEY_CREATORS: "ann@example.com" names an OAuth identity but IOCLOUD_MCP_OAUTH_ISSUER is not set (set it, or list token:<name> entries)`,
		},
		{
			name: "a named token without a file", env: with(httpOff, "IOCLOUD_MCP_KEY_CREATORS", "token:alice"),
			want: `IOCLOUD_MCP_KEY_CREATORS: "token:alice" names a token but IOCLOUD_MCP_TOKENS_FILE is not set (set it, or remove the entry)`,
		},
		{
			name: "not a caller", env: map[string]string{"IOCLOUD_MCP_KEY_CREATORS": "U0123"},
			want: `IOCLOUD_MCP_KEY_CREATORS: "U0123" is not a caller (list oauth:<subject>, an email address or token:<name>, comma-separated)`,
		},
		{name: "stdio does not cross-check creators", env: map[string]string{"IOCLOUD_MCP_KEY_CREATORS": "oauth:x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			checkValidate(t, tt, func(t *testing.T, env map[string]string) error {
				var m MCP
				require.NoError(t, Load(t.Context(), envconfig.MapLookuper(env), &m))
				return m.Validate(false)
			})
		})
	}
}

func TestTokensFile(t *testing.T) {
	t.Parallel()
	good := "# the team\n\nalice " + hashOf("alice-token") + "\n  bob\t" + hashOf("bob-token") + "  \n"
	tests := []struct {
		name, body, creators, want string
	}{
		{name: "good", body: good, creators: "token:alice,token:shared"},
		{name: "three fields", body: "alice " + hashOf("x") + " extra\n",
			want: `IOCLOUD_MCP_TOKENS_FILE: line 1: has 3 fields (write name sha256:<hex of the token>, separated by a space)`},
		{name: "the token itself", body: "# c\nalice s3cret-token-value\n",
			want: `IOCLOUD_MCP_TOKENS_FILE: line 2: the second field is not sha256: and 64 hex digits (write the SHA-256 of the token, e.g. from: printf %s "$TOKEN" | sha256sum; never the token itself)`},
		{name: "short hex", body: "alice sha256:abcd\n",
			want: `IOCLOUD_MCP_TOKENS_FILE: line 1: the second field is not sha256: and 64 hex digits (write the SHA-256 of the token, e.g. from: printf %s "$TOKEN" | sha256sum; never the token itself)`},
		{name: "bad name", body: "al/ice " + hashOf("x") + "\n",
			want: `IOCLOUD_MCP_TOKENS_FILE: line 1: "al/ice" is not a usable name (use letters, digits and . _ @ + -, up to 64 characters; "shared" is reserved for IOCLOUD_MCP_AUTH_TOKEN)`},
		{name: "reserved name", body: "shared " + hashOf("x") + "\n",
			want: `IOCLOUD_MCP_TOKENS_FILE: line 1: "shared" is not a usable name (use letters, digits and . _ @ + -, up to 64 characters; "shared" is reserved for IOCLOUD_MCP_AUTH_TOKEN)`},
		{name: "same name twice", body: good + "alice " + hashOf("other") + "\n",
			want: `IOCLOUD_MCP_TOKENS_FILE: line 5: "alice" is already on line 3 (one line per person)`},
		{name: "same token twice", body: good + "carol " + hashOf("bob-token") + "\n",
			want: `IOCLOUD_MCP_TOKENS_FILE: line 5: the same token as line 4 (give every person their own token)`},
		{name: "empty", body: "# nobody yet\n",
			want: `IOCLOUD_MCP_TOKENS_FILE: holds no tokens (add one "name sha256:<hex of the token>" line per person)`},
		{name: "the shared token", body: "carol " + hashOf(testSecrets["IOCLOUD_MCP_AUTH_TOKEN"]) + "\n",
			want: `IOCLOUD_MCP_TOKENS_FILE: the token of "carol" is IOCLOUD_MCP_AUTH_TOKEN itself (give every person their own token)`},
		{name: "a creator not in the file", body: good, creators: "token:alcie",
			want: `IOCLOUD_MCP_KEY_CREATORS: "token:alcie" is not a name in IOCLOUD_MCP_TOKENS_FILE (fix the spelling, or add the person to the file)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := map[string]string{"IOCLOUD_MCP_TOKENS_FILE": writeTokens(t, tt.body, 0o600), "IOCLOUD_MCP_KEY_CREATORS": tt.creators}
			var m MCP
			require.NoError(t, Load(t.Context(), withSecrets(env), &m))
			got, err := m.Tokens()
			if tt.want != "" {
				require.Error(t, err)
				assert.Equal(t, tt.want, err.Error())
				var cfgErr *Error
				require.ErrorAs(t, err, &cfgErr)
				assert.NotContains(t, err.Error(), "s3cret")
				return
			}
			require.NoError(t, err)
			require.Len(t, got, 2)
			assert.Equal(t, "alice", got[0].Name)
			assert.Equal(t, sha256.Sum256([]byte("alice-token")), got[0].SHA256)
			assert.Equal(t, "bob", got[1].Name)
			assert.NotContains(t, got[1].String(), hashOf("bob-token")[7:], "String shows no digest")
		})
	}

	var none MCP
	got, err := none.Tokens()
	require.NoError(t, err)
	assert.Nil(t, got, "no file, no named tokens")
}

func TestNormalizeOrigin(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"HTTPS://App.Example.com:443/": "https://app.example.com",
		"http://localhost:8080":        "http://localhost:8080",
		"http://[::1]:80":              "http://[::1]",
		"null":                         "null",
	} {
		assert.Equal(t, want, NormalizeOrigin(in), in)
	}
}
