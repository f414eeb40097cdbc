package main

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// IOCLOUD_MCP_TOKENS_FILE with the built binary: a bad line stops start-up
// with one line naming it; a good file lets each person in under their own
// name, off loopback without IOCLOUD_MCP_AUTH_TOKEN.
func TestTokensFileWithTheBinary(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(body), 0o600))
		return p
	}
	sum := sha256.Sum256([]byte("alice-secret-token-0123456789"))
	good := write("good", "# team\nalice sha256:"+hex.EncodeToString(sum[:])+"\n")
	bad := write("bad", "# team\nalice alice-secret-token-0123456789\n")

	stdout, stderr, code := runBinary(t, baseEnv("IOCLOUD_MCP_TOKENS_FILE="+bad), "--sandbox", "--transport", "http", "--addr", "127.0.0.1:0")
	assert.NotEqual(t, 0, code)
	assert.Empty(t, stdout)
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	require.Len(t, lines, 1, stderr)
	assert.True(t, strings.HasPrefix(lines[0], "iocloud-mcp: IOCLOUD_MCP_TOKENS_FILE: line 2: "), lines[0])
	assert.NotContains(t, stderr, "alice-secret-token", "a token pasted into the file is not echoed")

	_, stderr, code = runBinary(t, baseEnv("IOCLOUD_MCP_TOKENS_FILE="+good, "IOCLOUD_MCP_KEY_CREATORS=token:alcie"),
		"--sandbox", "--transport", "http", "--addr", "127.0.0.1:0")
	assert.NotEqual(t, 0, code)
	assert.Contains(t, stderr, `IOCLOUD_MCP_KEY_CREATORS: "token:alcie" is not a name in IOCLOUD_MCP_TOKENS_FILE`)

	srv := startHTTP(t, baseEnv("IOCLOUD_MCP_TOKENS_FILE="+good), "--sandbox")
	res := post(t, srv.url, initialize, nil, "")
	assert.Equal(t, http.StatusUnauthorized, res.status)
	res = post(t, srv.url, initialize, bearerHeader("alice-secret-token-0123456789"), "")
	assert.Equal(t, http.StatusOK, res.status)
	cs := httpSession(t, srv.url, bearerClient("alice-secret-token-0123456789"), nil, "")
	assert.Contains(t, listNames(t, cs), "create_api_key")
	assert.NotContains(t, srv.stderr.String(), "alice-secret-token")
}
