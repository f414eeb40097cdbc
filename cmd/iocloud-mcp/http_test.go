package main

import (
	"context"
	"net/http"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/iocloud-chatops/iocloud/internal/testutil"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const initialize = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"curl","version":"1"}}}`

func post(t *testing.T, url, body string, header http.Header, host string) reply {
	t.Helper()
	h := http.Header{
		"Content-Type": {"application/json"},
		"Accept":       {"application/json, text/event-stream"},
	}
	for k, v := range header {
		h[k] = v
	}
	res, err := do(http.MethodPost, url, body, h, host)
	require.NoError(t, err)
	return res
}

func TestBearerToken(t *testing.T) {
	t.Parallel()
	const token = "test-bearer-token-0123456789abcdef"
	srv := startHTTP(t, baseEnv("IOCLOUD_MCP_AUTH_TOKEN="+token), "--sandbox")

	for name, header := range map[string]http.Header{
		"no token":     {},
		"wrong token":  {"Authorization": {"Bearer not-the-token"}},
		"wrong scheme": {"Authorization": {"Basic " + token}},
	} {
		res := post(t, srv.url, initialize, header, "")
		assert.Equal(t, http.StatusUnauthorized, res.status, name)
		assert.Contains(t, res.header.Get("WWW-Authenticate"), "Bearer", name)
	}

	ok := post(t, srv.url, initialize, http.Header{"Authorization": {"Bearer " + token}}, "")
	assert.Equal(t, http.StatusOK, ok.status)

	health, err := get(srv.base + "/healthz")
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, health.status, "/healthz needs no token")
	assert.JSONEq(t, `{"status":"ok"}`, health.body, "and reveals nothing")

	cs := httpSession(t, srv.url, bearerClient(token), nil, "")
	assert.Len(t, listNames(t, cs), 6)

	// make run's ready-to-paste configuration refers to the token, never shows it.
	assert.Contains(t, srv.stderr.String(), `"Authorization": "Bearer ${IOCLOUD_MCP_AUTH_TOKEN}"`)
	assert.NotContains(t, srv.stderr.String(), token)
}

func TestSandboxHTTPPrintsClientConfig(t *testing.T) {
	t.Parallel()
	srv := startHTTP(t, baseEnv(), "--sandbox")
	require.Eventually(t, func() bool { return strings.Contains(srv.stderr.String(), "claude mcp add-json") }, 5*time.Second, 20*time.Millisecond)
	out := srv.stderr.String()
	assert.Contains(t, out, `"mcpServers"`)
	assert.Contains(t, out, `"url": "`+srv.url+`"`)
	assert.Contains(t, out, "sandbox data")
	assert.NotContains(t, out, "Authorization", "no token configured, no header suggested")
}

// mcp-go's DNS-rebinding protection stays on: a browser tricked into calling
// the local server under another name is refused.
func TestDNSRebindingProtection(t *testing.T) {
	t.Parallel()
	srv := startHTTP(t, baseEnv(), "--sandbox")
	res := post(t, srv.url, initialize, nil, "attacker.example:8080")
	assert.Equal(t, http.StatusForbidden, res.status)
	res = post(t, srv.url, initialize, nil, "localhost")
	assert.Equal(t, http.StatusOK, res.status)
}

func TestGracefulShutdown(t *testing.T) {
	t.Parallel()
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		srv := startHTTP(t, baseEnv(), "--sandbox")
		// A connected handshake-era client keeps a standalone SSE stream
		// open; it must not hold the shutdown up.
		cs := httpSession(t, srv.url, nil, nil, "2025-06-18")
		require.Len(t, listNames(t, cs), 6)
		start := time.Now()
		require.NoError(t, srv.cmd.Process.Signal(sig))
		select {
		case <-srv.done:
			require.NoError(t, srv.exit, "exit status after %v\n%s", sig, srv.stderr.String())
			assert.Less(t, time.Since(start), 4*time.Second, "open streams closed, not waited out")
		case <-time.After(10 * time.Second):
			t.Fatalf("no exit within 10 s of %v", sig)
		}
		assert.Contains(t, srv.stderr.String(), "shutting down")
	}
}

func TestStartupFailuresAreOneLine(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		env  []string
		args []string
		want string
	}{
		"no API key":          {baseEnv(), nil, "IOCLOUD_API_KEY"},
		"bad duration":        {baseEnv("IOCLOUD_TIMEOUT=soon"), []string{"--sandbox"}, "IOCLOUD_TIMEOUT"},
		"bad transport flag":  {baseEnv(), []string{"--sandbox", "--transport", "carrier-pigeon"}, "IOCLOUD_MCP_TRANSPORT"},
		"unknown flag":        {baseEnv(), []string{"--sandbox", "--verbose"}, "--help"},
		"bad confirm mode":    {baseEnv("IOCLOUD_MCP_CONFIRM=maybe"), []string{"--sandbox"}, "IOCLOUD_MCP_CONFIRM"},
		"plain http upstream": {baseEnv("IOCLOUD_API_KEY=k", "IOCLOUD_BASE_URL=http://api.example.com"), nil, "IOCLOUD_BASE_URL"},
		"non-loopback HTTP without a token": {baseEnv(), []string{"--sandbox", "--transport", "http", "--addr", "0.0.0.0:0"},
			"IOCLOUD_MCP_AUTH_TOKEN"},
		"non-loopback HTTP from env": {baseEnv("IOCLOUD_MCP_TRANSPORT=http", "IOCLOUD_MCP_ADDR=:8080"), []string{"--sandbox"},
			"IOCLOUD_MCP_AUTH_TOKEN"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			stdout, stderr, code := runBinary(t, tc.env, tc.args...)
			assert.NotEqual(t, 0, code)
			assert.Empty(t, stdout)
			lines := strings.Split(strings.TrimSpace(stderr), "\n")
			require.Len(t, lines, 1, "exactly one line:\n%s", stderr)
			assert.Contains(t, lines[0], tc.want)
			assert.True(t, strings.HasPrefix(lines[0], "iocloud-mcp: "), lines[0])
		})
	}
}

func TestVersionAndHelpNeedNoConfiguration(t *testing.T) {
	t.Parallel()
	secret := "IOCLOUD_API_KEY=very-secret-api-key-value"
	stdout, stderr, code := runBinary(t, baseEnv(secret, "IOCLOUD_TIMEOUT=nonsense"), "--version")
	assert.Equal(t, 0, code, stderr)
	assert.True(t, strings.HasPrefix(stdout, "iocloud-mcp "), stdout)

	stdout, stderr, code = runBinary(t, baseEnv(secret), "--help")
	assert.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "--sandbox")
	assert.Contains(t, stdout, "IOCLOUD_MCP_CONFIRM")
	assert.NotContains(t, stdout+stderr, "very-secret-api-key-value")
}

func TestGracefulShutdownStdio(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	cmd := exec.CommandContext(ctx, binPath, "--sandbox")
	cmd.Env = baseEnv()
	stdin, err := cmd.StdinPipe() // held open: only the signal may end the server
	require.NoError(t, err)
	t.Cleanup(func() { _ = stdin.Close() })
	stderr := &testutil.SyncBuffer{}
	cmd.Stderr = stderr
	require.NoError(t, cmd.Start())
	require.Eventually(t, func() bool { return strings.Contains(stderr.String(), "serving MCP on stdio") },
		10*time.Second, 20*time.Millisecond)

	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		require.NoError(t, err, stderr.String())
	case <-time.After(10 * time.Second):
		t.Fatal("no exit within 10 s of SIGTERM")
	}
}
