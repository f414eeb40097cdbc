package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/iocloud-chatops/iocloud/internal/testutil"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// binPath is the command built once by TestMain, for the tests that
// drive it as a user would; errBuild says why it is missing.
var (
	binPath  string
	errBuild error
)

func builtBinary(t *testing.T) string {
	t.Helper()
	require.NoError(t, errBuild)
	return binPath
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "iocloud-slackbot-test")
	if err != nil {
		errBuild = err
	} else {
		binPath, errBuild = build(dir)
	}
	code := m.Run()
	if dir != "" {
		_ = os.RemoveAll(dir)
	}
	os.Exit(code)
}

func build(dir string) (string, error) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "iocloud-slackbot")
	out, err := exec.CommandContext(context.Background(), goBin, "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %w\n%s", err, out)
	}
	return bin, nil
}

// The README's try-it: the console on the sandbox, driven through stdin.
func TestBinaryConsole(t *testing.T) {
	t.Parallel()
	bin := builtBinary(t)
	auditPath := filepath.Join(t.TempDir(), "audit.jsonl")
	cmd := exec.CommandContext(t.Context(), bin, "--console", "--sandbox")
	cmd.Env = []string{"IOCLOUD_AUDIT_LOG=" + auditPath}
	cmd.Stdin = strings.NewReader("/iocloud help\n/iocloud hardware\n/iocloud create-key ci-bot --expires 30d\nconfirm\n")
	var stdout, stderr testutil.SyncBuffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Run(), stderr.String())

	out := stdout.String()
	assert.Contains(t, out, "/iocloud replicas [hardware]")
	assert.Contains(t, out, "H200 141GB HBM3e")
	assert.Contains(t, out, "Create this io.net API key?")
	assert.Equal(t, 1, strings.Count(out, "io.net API key created"), "exactly one key")
	secret := secretIn(t, out)

	audit, err := os.ReadFile(auditPath)
	require.NoError(t, err)
	assert.Equal(t, 1, strings.Count(string(audit), `"outcome":"created"`))
	assert.NotContains(t, string(audit), secret)
	assert.NotContains(t, stderr.String(), secret)
}

// HTTP mode as Slack meets it: signed requests, an immediate ack, the
// answer on response_url, and a clean stop on SIGTERM.
func TestBinaryHTTP(t *testing.T) {
	t.Parallel()
	bin := builtBinary(t)
	hook, posts := responseURL(t)
	cmd := exec.CommandContext(t.Context(), bin, "--sandbox")
	cmd.Env = []string{
		"SLACK_SIGNING_SECRET=" + testSigningSecret,
		"IOCLOUD_SLACK_ADDR=127.0.0.1:0",
	}
	base, logs, exited := startListening(t, cmd)

	resp := slackPost(t, base, "/slack/commands", commandBody("hardware", hook.URL+"/r/1"), testSigningSecret)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, string(body), "Working on it")
	select {
	case p := <-posts:
		assert.Equal(t, "/r/1", p["_raw_path"])
		assert.Contains(t, p["text"], "io.net GPU types")
	case <-time.After(10 * time.Second):
		require.FailNow(t, "no answer on response_url")
	}

	resp = slackPost(t, base, "/slack/commands", commandBody("hardware", hook.URL+"/r/2"), "wrong-secret")
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)

	health, err := http.NewRequestWithContext(t.Context(), http.MethodGet, base+"/healthz", nil)
	require.NoError(t, err)
	resp, err = http.DefaultClient.Do(health)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	select {
	case err := <-exited:
		require.NoError(t, err, "a clean exit on SIGTERM")
	case <-time.After(15 * time.Second):
		_ = cmd.Process.Kill()
		require.FailNow(t, "no exit after SIGTERM")
	}
	assert.Contains(t, logs.String(), "stopped")
	assert.NotContains(t, logs.String(), testSigningSecret)
	assert.Contains(t, logs.String(), "slack request rejected", "the forged request is logged, without detail")
}

// startListening starts the bot in HTTP mode and returns its base URL once
// it logs the address it listens on, its log so far (kept up to date) and
// its exit.
func startListening(t *testing.T, cmd *exec.Cmd) (string, *testutil.SyncBuffer, <-chan error) {
	t.Helper()
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	exited := make(chan error, 1)
	logs := &testutil.SyncBuffer{}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		re := regexp.MustCompile(`msg="slack bot listening" addr=(\S+)`)
		for sc.Scan() {
			_, _ = logs.Write([]byte(sc.Text() + "\n"))
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
		exited <- cmd.Wait()
	}()
	select {
	case a := <-addr:
		return "http://" + a, logs, exited
	case <-time.After(20 * time.Second):
		_ = cmd.Process.Kill()
		require.FailNow(t, "the bot did not start", logs.String())
		return "", nil, nil
	}
}
