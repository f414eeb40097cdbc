package main

// The guard's promise held by the real binary, as an operator runs it: one
// simulator owned by the test counts io.net's POSTs across every process;
// replicas share a real redis-server, restarts share a state file, SIGTERM
// arrives in the middle of a slow creation.

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/iocloud-chatops/iocloud/internal/testutil"
	"github.com/iocloud-chatops/iocloud/iocloud/sandbox"
)

const (
	// sharedSecret is IOCLOUD_CONFIRM_SECRET, shared by replicas and restarts.
	sharedSecret = "0123456789abcdef0123456789abcdef-shared-confirm"
	// sharedToken is IOCLOUD_MCP_AUTH_TOKEN on every process, and sent, so
	// that the caller is the same actor whichever process answers.
	sharedToken = "guardstate-bearer-token-0123456789abcdef"
	// statelessEra has no MCP sessions over HTTP: any process may answer
	// any call, as behind a load balancer.
	statelessEra = "2026-07-28"
)

// startIONet is the test's own simulator, outside every binary.
func startIONet(t *testing.T) *sandbox.Server {
	t.Helper()
	sb, err := sandbox.Start()
	require.NoError(t, err)
	t.Cleanup(sb.Close)
	return sb
}

// ionetEnv points the binary at sb, in the two-step token mode, behind the
// shared bearer token.
func ionetEnv(sb *sandbox.Server, extra ...string) []string {
	return baseEnv(append([]string{
		"IOCLOUD_BASE_URL=" + sb.URL(),
		"IOCLOUD_API_KEY=" + sb.APIKey(),
		"IOCLOUD_JWT=" + sb.JWT(),
		"IOCLOUD_MCP_CONFIRM=token",
		"IOCLOUD_MCP_AUTH_TOKEN=" + sharedToken,
	}, extra...)...)
}

func createCount(sb *sandbox.Server) int { return sb.Requests(sandbox.RouteCreateKey) }

// session is the official client on s, stateless, with the bearer token.
func (s *httpServer) session(t *testing.T) *mcp.ClientSession {
	t.Helper()
	return httpSession(t, s.url, bearerClient(sharedToken), nil, statelessEra)
}

// stop sends SIGTERM and waits for the exit; it returns how long the
// process took and its exit error.
func (s *httpServer) stop(t *testing.T, within time.Duration) (time.Duration, error) {
	t.Helper()
	start := time.Now()
	require.NoError(t, s.cmd.Process.Signal(syscall.SIGTERM))
	select {
	case <-s.done:
		return time.Since(start), s.exit
	case <-time.After(within):
		require.FailNow(t, "no exit after SIGTERM", "waited %s\n%s", within, s.stderr.String())
		return 0, nil
	}
}

// preview asks for a key and returns the confirmation token.
func preview(t *testing.T, cs *mcp.ClientSession, args map[string]any) string {
	t.Helper()
	res := callTool(t, cs, "create_api_key", args)
	require.False(t, res.IsError, textOf(res))
	out := structuredOf(t, res)
	require.Equal(t, "confirmation_required", out["status"])
	token, _ := out["confirmation_token"].(string)
	require.NotEmpty(t, token)
	return token
}

func withToken(args map[string]any, token string) map[string]any {
	out := map[string]any{"confirmation_token": token}
	for k, v := range args {
		out[k] = v
	}
	return out
}

// tryCall is callTool for goroutines: it returns the error instead of
// failing the test from another goroutine.
func tryCall(cs *mcp.ClientSession, args map[string]any) (*mcp.CallToolResult, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return cs.CallTool(ctx, &mcp.CallToolParams{Name: "create_api_key", Arguments: args})
}

// statusOf is the structured status of a result ("" when there is none).
func statusOf(res *mcp.CallToolResult) string {
	m, _ := res.StructuredContent.(map[string]any)
	s, _ := m["status"].(string)
	return s
}

// outcomes lists the audit's outcome words (for ticketID, when not empty).
func outcomes(records []map[string]any, ticketID string) []string {
	var out []string
	for _, r := range records {
		if ticketID == "" || r["ticket_id"] == ticketID {
			out = append(out, fmt.Sprint(r["outcome"]))
		}
	}
	return out
}

// ticketOf is the ticket id of the (only) record with outcome.
func ticketOf(t *testing.T, records []map[string]any, outcome string) string {
	t.Helper()
	var ids []string
	for _, r := range records {
		if r["outcome"] == outcome {
			ids = append(ids, fmt.Sprint(r["ticket_id"]))
		}
	}
	require.Lenf(t, ids, 1, "one %q record", outcome)
	require.NotEmpty(t, ids[0])
	return ids[0]
}

// Two iocloud-mcp processes share a real redis-server and the ticket
// secret. One preview, twenty confirmations at once spread over both:
// exactly one POST reaches io.net and exactly one caller hears "created".
func TestTwoProcessesShareRedis(t *testing.T) {
	t.Parallel()
	redis := testutil.StartRedis(t)
	sb := startIONet(t)
	sb.SetFault(sandbox.RouteCreateKey, sandbox.Fault{Latency: 300 * time.Millisecond}) // the others overlap the winner
	dir := t.TempDir()

	var procs [2]*httpServer
	var sessions [2]*mcp.ClientSession
	for i := range procs {
		procs[i] = startHTTP(t, ionetEnv(sb,
			"IOCLOUD_STATE="+redis.URL(),
			"IOCLOUD_CONFIRM_SECRET="+sharedSecret,
			fmt.Sprintf("IOCLOUD_AUDIT_LOG=%s/audit-%d.jsonl", dir, i),
		))
		sessions[i] = procs[i].session(t)
	}
	args := map[string]any{"description": "two replicas", "expires_in_days": 30, "scopes": []any{"read"}}
	token := preview(t, sessions[0], args)

	const confirms = 20
	type answer struct {
		res *mcp.CallToolResult
		err error
	}
	answers := make(chan answer, confirms)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range confirms {
		wg.Go(func() {
			<-start
			res, err := tryCall(sessions[i%2], withToken(args, token))
			answers <- answer{res, err}
		})
	}
	close(start)
	wg.Wait()
	close(answers)

	var created, used int
	for a := range answers {
		require.NoError(t, a.err)
		switch {
		case !a.res.IsError && statusOf(a.res) == "created":
			created++
		case a.res.IsError && strings.Contains(textOf(a.res), "already used"):
			used++
		default:
			t.Errorf("unexpected answer: %s", textOf(a.res))
		}
	}
	assert.Equal(t, 1, created, "exactly one created answer")
	assert.Equal(t, confirms-1, used)
	assert.Equal(t, 1, createCount(sb), "exactly one POST across both processes")
	assert.Len(t, sb.CreatedKeys(), 1)

	var all []map[string]any
	for i := range procs {
		all = append(all, testutil.AuditFile(t, fmt.Sprintf("%s/audit-%d.jsonl", dir, i))...)
	}
	id := ticketOf(t, all, "created")
	assert.Equal(t, id, ticketOf(t, all, "creating"))
	assert.Equal(t, id, ticketOf(t, all, "pending"))
	for i := range procs {
		assert.NotContains(t, procs[i].stderr.String(), sb.CreatedKeys()[0].Value)
	}
}

// Confirm, restart (same state file, same secret), replay: one POST, not
// two. A preview made before the restart still works after it.
func TestRestartReplayFileState(t *testing.T) {
	t.Parallel()
	sb := startIONet(t)
	dir := t.TempDir()
	env := ionetEnv(sb,
		"IOCLOUD_STATE=file:"+filepath.Join(dir, "state.db"),
		"IOCLOUD_CONFIRM_SECRET="+sharedSecret,
		"IOCLOUD_AUDIT_LOG="+filepath.Join(dir, "audit.jsonl"),
	)
	usedArgs := map[string]any{"description": "before restart", "expires_in_days": 30}
	keptArgs := map[string]any{"description": "across restart", "expires_in_days": 30}

	first := startHTTP(t, env)
	cs := first.session(t)
	used := preview(t, cs, usedArgs)
	res := callTool(t, cs, "create_api_key", withToken(usedArgs, used))
	require.Equal(t, "created", statusOf(res), textOf(res))
	kept := preview(t, cs, keptArgs)
	require.NoError(t, cs.Close())
	_, exit := first.stop(t, 20*time.Second)
	require.NoError(t, exit, first.stderr.String())
	require.Equal(t, 1, createCount(sb))

	second := startHTTP(t, env)
	cs = second.session(t)
	res = callTool(t, cs, "create_api_key", withToken(usedArgs, used))
	require.True(t, res.IsError)
	assert.Contains(t, textOf(res), "already used")
	assert.Equal(t, 1, createCount(sb), "1 POST, not 2")

	res = callTool(t, cs, "create_api_key", withToken(keptArgs, kept))
	require.Equal(t, "created", statusOf(res), "a ticket from before the restart still opens once: %s", textOf(res))
	assert.Equal(t, 2, createCount(sb))
	assert.Len(t, sb.CreatedKeys(), 2)
}

// SIGTERM while a creation is in flight: the process stops taking
// requests, waits for the POST, records its outcome and exits 0.
func TestSIGTERMDuringSlowCreate(t *testing.T) {
	t.Parallel()
	const slow = 3 * time.Second
	sb := startIONet(t)
	auditPath := filepath.Join(t.TempDir(), "audit.jsonl")
	srv := startHTTP(t, ionetEnv(sb, "IOCLOUD_AUDIT_LOG="+auditPath))
	cs := srv.session(t)
	args := map[string]any{"description": "sigterm", "expires_in_days": 30}
	token := preview(t, cs, args)

	sb.SetFault(sandbox.RouteCreateKey, sandbox.Fault{Latency: slow})
	go func() { _, _ = tryCall(cs, withToken(args, token)) }() // its answer may be cut off; the audit is what counts
	require.Eventually(t, func() bool { return createCount(sb) == 1 }, 10*time.Second, 10*time.Millisecond, "the POST reached io.net")

	took, exit := srv.stop(t, 30*time.Second)
	require.NoError(t, exit, "exit 0 after waiting:\n%s", srv.stderr.String())
	assert.Greater(t, took, slow/2, "the process waited for the creation")
	require.Len(t, sb.CreatedKeys(), 1)

	records := testutil.AuditFile(t, auditPath)
	id := ticketOf(t, records, "creating")
	assert.Equal(t, []string{"pending", "creating", "created"}, outcomes(records, id))
	created := records[len(records)-1]
	assert.Equal(t, sb.CreatedKeys()[0].KeyID, created["key_id"])
	assert.NotContains(t, srv.stderr.String(), sb.CreatedKeys()[0].Value)
}

// An audit path that is a symlink, or a file others may write, stops
// start-up with one line naming IOCLOUD_AUDIT_LOG; nothing is written.
func TestUnsafeAuditLogRefusesStartup(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	target := filepath.Join(dir, "elsewhere.jsonl")
	link := filepath.Join(dir, "link.jsonl")
	require.NoError(t, os.Symlink(target, link))
	loose := filepath.Join(dir, "loose.jsonl")
	require.NoError(t, os.WriteFile(loose, nil, 0o600))
	require.NoError(t, os.Chmod(loose, 0o666)) // not subject to the umask
	groupWritable := filepath.Join(dir, "group.jsonl")
	require.NoError(t, os.WriteFile(groupWritable, nil, 0o600))
	require.NoError(t, os.Chmod(groupWritable, 0o620))

	for name, path := range map[string]string{"symlink": link, "0666": loose, "0620": groupWritable} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, stderr, code := runBinary(t, baseEnv("IOCLOUD_AUDIT_LOG="+path), "--sandbox")
			assert.NotZero(t, code, "start-up refused")
			last := lastLine(stderr)
			assert.Contains(t, last, "IOCLOUD_AUDIT_LOG")
			assert.Contains(t, last, "refused")
			assert.Equal(t, 1, strings.Count(strings.TrimSpace(last), "\n")+1)
		})
	}
	t.Cleanup(func() {
		_, err := os.Lstat(target)
		assert.True(t, os.IsNotExist(err), "the symlink was not followed")
		for _, p := range []string{loose, groupWritable} {
			fi, err := os.Stat(p)
			require.NoError(t, err)
			assert.Zero(t, fi.Size(), "nothing was written to %s", p)
		}
	})
}

// A shared ticket secret without a durable store would let a restart or a
// second replica accept a used confirmation: refused, naming both variables.
func TestConfirmSecretWithMemoryRefusesStartup(t *testing.T) {
	t.Parallel()
	for _, state := range []string{"", "IOCLOUD_STATE=memory"} {
		env := baseEnv("IOCLOUD_CONFIRM_SECRET=" + sharedSecret)
		if state != "" {
			env = append(env, state)
		}
		_, stderr, code := runBinary(t, env, "--sandbox")
		assert.NotZero(t, code)
		last := lastLine(stderr)
		assert.Contains(t, last, "IOCLOUD_CONFIRM_SECRET")
		assert.Contains(t, last, "IOCLOUD_STATE")
		assert.NotContains(t, stderr, sharedSecret, "the secret is never printed")
	}
}

// lastLine is the last non-empty line of a process's stderr (start-up
// failures are one line at the end).
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// The same over stdio, the transport desktop hosts use: SIGTERM with a
// creation in flight, and the binary still exits 0 with the outcome on
// record.
func TestSIGTERMDuringSlowCreateStdio(t *testing.T) {
	t.Parallel()
	const slow = 3 * time.Second
	sb := startIONet(t)
	auditPath := filepath.Join(t.TempDir(), "audit.jsonl")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binPath)
	cmd.Env = ionetEnv(sb, "IOCLOUD_AUDIT_LOG="+auditPath)
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	var stderr testutil.SyncBuffer
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	exited := make(chan error, 1)
	lines := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		exited <- cmd.Wait()
	}()
	send := func(msg string) {
		_, err := io.WriteString(stdin, msg+"\n")
		require.NoError(t, err)
	}
	answer := func(id int) map[string]any {
		t.Helper()
		for {
			select {
			case line, ok := <-lines:
				require.True(t, ok, "stdout closed early:\n%s", stderr.String())
				var m map[string]any
				require.NoError(t, json.Unmarshal([]byte(line), &m), line)
				if m["id"] == float64(id) {
					return m
				}
			case <-time.After(20 * time.Second):
				require.FailNow(t, "no answer", "id %d\n%s", id, stderr.String())
			}
		}
	}
	call := func(id int, args map[string]any) string {
		params, err := json.Marshal(map[string]any{"name": "create_api_key", "arguments": args})
		require.NoError(t, err)
		return fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":%s}`, id, params)
	}

	send(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`)
	answer(1)
	send(`{"jsonrpc":"2.0","method":"notifications/initialized"}`)
	args := map[string]any{"description": "sigterm stdio", "expires_in_days": 30}
	send(call(2, args))
	res, _ := answer(2)["result"].(map[string]any)
	structured, _ := res["structuredContent"].(map[string]any)
	token, _ := structured["confirmation_token"].(string)
	require.NotEmpty(t, token, "%v", res)

	sb.SetFault(sandbox.RouteCreateKey, sandbox.Fault{Latency: slow})
	send(call(3, withToken(args, token)))
	require.Eventually(t, func() bool { return createCount(sb) == 1 }, 10*time.Second, 10*time.Millisecond)
	start := time.Now()
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	select {
	case err := <-exited:
		require.NoError(t, err, "exit 0:\n%s", stderr.String())
	case <-time.After(30 * time.Second):
		require.FailNow(t, "no exit after SIGTERM", stderr.String())
	}
	assert.Greater(t, time.Since(start), slow/2, "the process waited for the creation")
	require.Len(t, sb.CreatedKeys(), 1)
	records := testutil.AuditFile(t, auditPath)
	id := ticketOf(t, records, "creating")
	assert.Equal(t, []string{"pending", "creating", "created"}, outcomes(records, id))
	assert.NotContains(t, stderr.String(), sb.CreatedKeys()[0].Value)
}

// The state file is one process's: a second process on the same path is
// refused at start-up with one line naming IOCLOUD_STATE, instead of
// sharing it unsafely.
func TestStateFileIsOneProcessAtATime(t *testing.T) {
	t.Parallel()
	sb := startIONet(t)
	env := ionetEnv(sb, "IOCLOUD_STATE=file:"+filepath.Join(t.TempDir(), "state.db"), "IOCLOUD_CONFIRM_SECRET="+sharedSecret)
	startHTTP(t, env)

	_, stderr, code := runBinary(t, env)
	assert.NotZero(t, code)
	last := lastLine(stderr)
	assert.Contains(t, last, "IOCLOUD_STATE")
	assert.Contains(t, last, "in use by another process")
	assert.Contains(t, last, "Redis", "and says what to use for several")
}
