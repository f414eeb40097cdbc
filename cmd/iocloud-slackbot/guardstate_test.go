package main

// The Slack bot binary against a simulator the test owns (so io.net's POSTs
// are counted outside the process): SIGTERM in the middle of a slow
// creation, in console and in HTTP mode, and the start-up refusals of an
// unsafe audit path and of a shared ticket secret without a durable store.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/iocloud-chatops/iocloud/internal/testutil"
	"github.com/iocloud-chatops/iocloud/iocloud/sandbox"
)

const slowCreate = 3 * time.Second

func startIONet(t *testing.T) *sandbox.Server {
	t.Helper()
	sb, err := sandbox.Start()
	require.NoError(t, err)
	t.Cleanup(sb.Close)
	return sb
}

// ionetEnv points the bot at sb (not --sandbox: the simulator is the
// test's, outside the process).
func ionetEnv(sb *sandbox.Server, extra ...string) []string {
	return append([]string{
		"PATH=" + os.Getenv("PATH"),
		"IOCLOUD_BASE_URL=" + sb.URL(),
		"IOCLOUD_API_KEY=" + sb.APIKey(),
		"IOCLOUD_JWT=" + sb.JWT(),
	}, extra...)
}

// requireCreatingThenCreated checks the audit holds, for one ticket,
// pending, then creating (before the POST), then created with the key's id.
func requireCreatingThenCreated(t *testing.T, path string, sb *sandbox.Server) {
	t.Helper()
	require.Len(t, sb.CreatedKeys(), 1)
	records := testutil.AuditFile(t, path)
	var id string
	for _, r := range records {
		if r["outcome"] == "creating" {
			require.Empty(t, id, "one creating record")
			id, _ = r["ticket_id"].(string)
		}
	}
	require.NotEmpty(t, id, "a creating record with a ticket id:\n%v", records)
	var trail []string
	for _, r := range records {
		if r["ticket_id"] == id {
			trail = append(trail, fmt.Sprint(r["outcome"]))
			if r["outcome"] == "created" {
				assert.Equal(t, sb.CreatedKeys()[0].KeyID, r["key_id"])
			}
		}
	}
	assert.Equal(t, []string{"pending", "creating", "created"}, trail)
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.NotContains(t, string(raw), sb.CreatedKeys()[0].Value)
}

// sigterm signals the process and waits for its exit.
func sigterm(t *testing.T, cmd *exec.Cmd, exited <-chan error, logs fmt.Stringer) (time.Duration, error) {
	t.Helper()
	start := time.Now()
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	select {
	case err := <-exited:
		return time.Since(start), err
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		require.FailNow(t, "no exit after SIGTERM", logs.String())
		return 0, nil
	}
}

// The console: confirm pressed, the POST on its way, SIGTERM. The bot
// waits for io.net, audits the key, prints it, and exits 0.
func TestSIGTERMDuringSlowCreateConsole(t *testing.T) {
	t.Parallel()
	bin := builtBinary(t)
	sb := startIONet(t)
	sb.SetFault(sandbox.RouteCreateKey, sandbox.Fault{Latency: slowCreate})
	auditPath := filepath.Join(t.TempDir(), "audit.jsonl")
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--console")
	cmd.Env = ionetEnv(sb, "IOCLOUD_AUDIT_LOG="+auditPath)
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	var stdout, stderr testutil.SyncBuffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Start())
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	// stdin stays open: the end of input is not what stops the bot here.
	_, err = io.WriteString(stdin, "/iocloud create-key sigterm-console --expires 30d\nconfirm\n")
	require.NoError(t, err)
	require.Eventually(t, func() bool { return sb.Requests(sandbox.RouteCreateKey) == 1 }, 15*time.Second, 10*time.Millisecond,
		"the POST reached io.net:\n%s\n%s", stdout.String(), stderr.String())

	took, exit := sigterm(t, cmd, exited, &stderr)
	require.NoError(t, exit, "exit 0:\n%s", stderr.String())
	assert.Greater(t, took, slowCreate/2, "the bot waited for the creation")
	assert.Equal(t, 1, sb.Requests(sandbox.RouteCreateKey))
	requireCreatingThenCreated(t, auditPath, sb)
	assert.Contains(t, stdout.String(), "io.net API key created", "the person still got the key")
	assert.NotContains(t, stderr.String(), sb.CreatedKeys()[0].Value)
}

// HTTP mode as Slack drives it: a signed create-key, the preview on
// response_url, a signed Confirm click, then SIGTERM while io.net is slow.
func TestSIGTERMDuringSlowCreateHTTP(t *testing.T) {
	t.Parallel()
	bin := builtBinary(t)
	sb := startIONet(t)
	hook, posts := responseURL(t)
	auditPath := filepath.Join(t.TempDir(), "audit.jsonl")
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin)
	cmd.Env = ionetEnv(sb,
		"IOCLOUD_AUDIT_LOG="+auditPath,
		"SLACK_SIGNING_SECRET="+testSigningSecret,
		"IOCLOUD_SLACK_ADDR=127.0.0.1:0",
		"IOCLOUD_SLACK_KEY_CREATORS=U0001",
	)
	base, logs, exited := startListening(t, cmd)

	resp := slackPost(t, base, "/slack/commands", commandBody("create-key sigterm-http --expires 30d", hook.URL+"/cmd"), testSigningSecret)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	token := confirmValue(t, string(body))

	sb.SetFault(sandbox.RouteCreateKey, sandbox.Fault{Latency: slowCreate})
	resp = slackPost(t, base, "/slack/interactions", clickFormBody(t, token, hook.URL+"/click"), testSigningSecret)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Eventually(t, func() bool { return sb.Requests(sandbox.RouteCreateKey) == 1 }, 15*time.Second, 10*time.Millisecond)

	took, exit := sigterm(t, cmd, exited, logs)
	require.NoError(t, exit, "exit 0:\n%s", logs.String())
	assert.Greater(t, took, slowCreate/2, "the bot waited for the creation")
	requireCreatingThenCreated(t, auditPath, sb)
	select {
	case p := <-posts:
		assert.Equal(t, "/click", p["_raw_path"])
		assert.Contains(t, fmt.Sprint(p["text"]), "created", "the result still reached response_url before the exit")
	default:
		assert.Fail(t, "the result was not posted to response_url before the bot exited")
	}
	assert.NotContains(t, logs.String(), sb.CreatedKeys()[0].Value)
}

// confirmValue finds the Confirm button's value (the ticket) in a preview.
func confirmValue(t *testing.T, body string) string {
	t.Helper()
	var m struct {
		Blocks []struct {
			Elements []struct {
				ActionID string `json:"action_id"`
				Value    string `json:"value"`
			} `json:"elements"`
		} `json:"blocks"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &m), body)
	for _, b := range m.Blocks {
		for _, e := range b.Elements {
			if e.ActionID == "iocloud_create_key_confirm" {
				require.NotEmpty(t, e.Value)
				return e.Value
			}
		}
	}
	require.FailNow(t, "no Confirm button in the preview", body)
	return ""
}

// clickFormBody is a block_actions payload: U0001 (commandBody's user)
// presses Confirm on the preview.
func clickFormBody(t *testing.T, token, respURL string) string {
	t.Helper()
	payload, err := json.Marshal(map[string]any{
		"type":         "block_actions",
		"team":         map[string]any{"id": "T0001", "domain": "example"},
		"user":         map[string]any{"id": "U0001", "username": "someone", "team_id": "T0001"},
		"api_app_id":   "A1",
		"token":        "unused-verification-token",
		"container":    map[string]any{"type": "message", "message_ts": "1548261231.000200", "channel_id": "C0001", "is_ephemeral": true},
		"trigger_id":   "1.2.3",
		"channel":      map[string]any{"id": "C0001", "name": "test"},
		"response_url": respURL,
		"actions": []any{map[string]any{
			"action_id": "iocloud_create_key_confirm",
			"block_id":  "iocloud_create_key",
			"text":      map[string]any{"type": "plain_text", "text": "Confirm"},
			"value":     token,
			"type":      "button",
			"action_ts": "1548426417.840180",
		}},
	})
	require.NoError(t, err)
	return url.Values{"payload": {string(payload)}}.Encode()
}

// An unsafe audit path stops start-up with one line naming
// IOCLOUD_AUDIT_LOG.
func TestUnsafeAuditLogRefusesStartup(t *testing.T) {
	t.Parallel()
	bin := builtBinary(t)
	dir := t.TempDir()
	target := filepath.Join(dir, "elsewhere.jsonl")
	link := filepath.Join(dir, "link.jsonl")
	require.NoError(t, os.Symlink(target, link))
	loose := filepath.Join(dir, "loose.jsonl")
	require.NoError(t, os.WriteFile(loose, nil, 0o600))
	require.NoError(t, os.Chmod(loose, 0o666))

	for name, path := range map[string]string{"symlink": link, "0666": loose} {
		ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
		cmd := exec.CommandContext(ctx, bin, "--console", "--sandbox")
		cmd.Env = []string{"IOCLOUD_AUDIT_LOG=" + path}
		cmd.Stdin = strings.NewReader("")
		var stderr testutil.SyncBuffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		cancel()
		var exitErr *exec.ExitError
		require.ErrorAs(t, err, &exitErr, "%s: start-up refused", name)
		assert.NotZero(t, exitErr.ExitCode())
		lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
		last := lines[len(lines)-1]
		assert.Contains(t, last, "IOCLOUD_AUDIT_LOG", name)
		assert.Contains(t, last, "refused", name)
	}
	_, err := os.Lstat(target)
	assert.True(t, os.IsNotExist(err), "the symlink was not followed")
	fi, err := os.Stat(loose)
	require.NoError(t, err)
	assert.Zero(t, fi.Size())
}

func TestConfirmSecretWithMemoryRefusesStartup(t *testing.T) {
	t.Parallel()
	bin := builtBinary(t)
	const secret = "0123456789abcdef0123456789abcdef-shared-confirm"
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--console", "--sandbox")
	cmd.Env = []string{"IOCLOUD_CONFIRM_SECRET=" + secret, "IOCLOUD_STATE=memory"}
	cmd.Stdin = strings.NewReader("")
	out, err := cmd.CombinedOutput()
	var exitErr *exec.ExitError
	require.ErrorAs(t, err, &exitErr)
	assert.NotZero(t, exitErr.ExitCode())
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	last := lines[len(lines)-1]
	assert.Contains(t, last, "IOCLOUD_CONFIRM_SECRET")
	assert.Contains(t, last, "IOCLOUD_STATE")
	assert.NotContains(t, string(out), secret)
}

// logrotate moves the audit file away and sends SIGHUP: the bot reopens the
// path (a new 0600 file) and records from then on go there.
func TestSIGHUPReopensAuditFile(t *testing.T) {
	t.Parallel()
	bin := builtBinary(t)
	sb := startIONet(t)
	dir := t.TempDir()
	auditPath := filepath.Join(dir, "audit.jsonl")
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--console")
	cmd.Env = ionetEnv(sb, "IOCLOUD_AUDIT_LOG="+auditPath)
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	var stdout, stderr testutil.SyncBuffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Start())
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	createKey := func(desc string, keys int) {
		t.Helper()
		_, err := io.WriteString(stdin, "/iocloud create-key "+desc+" --expires 7d\nconfirm\n")
		require.NoError(t, err)
		require.Eventually(t, func() bool { return strings.Count(stdout.String(), "io.net API key created") == keys },
			15*time.Second, 10*time.Millisecond, stdout.String())
	}
	createKey("before-rotation", 1)
	require.NoError(t, os.Rename(auditPath, auditPath+".1"))
	require.NoError(t, cmd.Process.Signal(syscall.SIGHUP))
	require.Eventually(t, func() bool { return strings.Contains(stderr.String(), "audit file reopened") }, 10*time.Second, 10*time.Millisecond, stderr.String())
	createKey("after-rotation", 2)
	require.NoError(t, stdin.Close())
	select {
	case err := <-exited:
		require.NoError(t, err, stderr.String())
	case <-time.After(20 * time.Second):
		require.FailNow(t, "no exit after the end of input")
	}

	descriptions := func(path string) []string {
		var out []string
		for _, r := range testutil.AuditFile(t, path) {
			if r["outcome"] == "created" {
				out = append(out, fmt.Sprint(r["request"].(map[string]any)["description"]))
			}
		}
		return out
	}
	assert.Equal(t, []string{"before-rotation"}, descriptions(auditPath+".1"), "the rotated file keeps what was written before")
	assert.Equal(t, []string{"after-rotation"}, descriptions(auditPath), "new records go to the reopened path")
	fi, err := os.Stat(auditPath)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
}
