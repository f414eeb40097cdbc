package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/iocloud-chatops/iocloud/internal/testutil"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/require"
)

// binPath is iocloud-mcp built once for every out-of-process test: the real
// binary is what clients we did not write talk to.
var binPath string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "iocloud-mcp-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "temp dir:", err)
		os.Exit(1)
	}
	binPath = filepath.Join(dir, "iocloud-mcp")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	build := exec.CommandContext(ctx, "go", "build", "-o", binPath, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	err = build.Run()
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "go build:", err)
		_ = os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// baseEnv is a clean environment for the binary: nothing from the
// developer's IOCLOUD_* settings leaks into a test.
func baseEnv(extra ...string) []string {
	// Every answer the binary gives in these tests is held to its
	// outputSchema (off by default in production).
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.TempDir(), "IOCLOUD_MCP_VALIDATE_OUTPUT=true"}
	return append(env, extra...)
}

// runBinary runs the binary to completion (for start-up failures, --help).
func runBinary(t *testing.T, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binPath, args...)
	cmd.Env = env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	cmd.Stdin = strings.NewReader("")
	err := cmd.Run()
	code = 0
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		code = exitErr.ExitCode()
	} else {
		require.NoError(t, err)
	}
	return out.String(), errb.String(), code
}

// stdioSession starts the binary with args and connects the official go-sdk
// client to it over stdio.
func stdioSession(t *testing.T, env []string, opts *mcp.ClientOptions, version string, args ...string) (*mcp.ClientSession, *testutil.SyncBuffer) {
	t.Helper()
	stderr := &testutil.SyncBuffer{}
	life, stop := context.WithCancel(context.Background())
	t.Cleanup(stop) // runs after the session's Close below (cleanups are LIFO)
	cmd := exec.CommandContext(life, binPath, args...)
	cmd.Env = env
	cmd.Stderr = stderr
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c := mcp.NewClient(&mcp.Implementation{Name: "go-sdk-test", Version: "1"}, opts)
	cs, err := c.Connect(ctx, &mcp.CommandTransport{Command: cmd, TerminateDuration: 2 * time.Second},
		&mcp.ClientSessionOptions{ProtocolVersion: version})
	require.NoError(t, err, stderr.String())
	t.Cleanup(func() { _ = cs.Close() })
	return cs, stderr
}

// httpServer is the binary serving streamable HTTP.
type httpServer struct {
	cmd    *exec.Cmd
	url    string // http://127.0.0.1:PORT/mcp
	base   string // http://127.0.0.1:PORT
	stderr *testutil.SyncBuffer
	done   chan struct{} // closed when the process has exited
	exit   error         // the process's exit; read after done
}

var urlLine = regexp.MustCompile(`serving MCP over streamable HTTP.* url=(http://127\.0\.0\.1:\d+/mcp)`)

// startHTTP starts the binary on 127.0.0.1 with a port the kernel picks,
// reads the URL from its log, and waits until /healthz answers.
func startHTTP(t *testing.T, env []string, args ...string) *httpServer {
	t.Helper()
	args = append([]string{"--transport", "http", "--addr", "127.0.0.1:0"}, args...)
	life, stop := context.WithCancel(context.Background())
	cmd := exec.CommandContext(life, binPath, args...)
	cmd.Env = env
	pipe, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	s := &httpServer{cmd: cmd, stderr: &testutil.SyncBuffer{}, done: make(chan struct{})}

	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			line := sc.Text()
			_, _ = s.stderr.Write([]byte(line + "\n"))
			if m := urlLine.FindStringSubmatch(line); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
		}
		s.exit = cmd.Wait()
		close(s.done)
	}()
	t.Cleanup(func() {
		stop() // kills the process if it still runs
		<-s.done
	})

	select {
	case s.url = <-found:
	case <-s.done:
		t.Fatalf("iocloud-mcp exited before serving: %v\n%s", s.exit, s.stderr.String())
	case <-time.After(20 * time.Second):
		t.Fatalf("iocloud-mcp did not report its URL:\n%s", s.stderr.String())
	}
	s.base = strings.TrimSuffix(s.url, "/mcp")
	require.Eventually(t, func() bool {
		res, err := get(s.base + "/healthz")
		return err == nil && res.status == http.StatusOK
	}, 10*time.Second, 50*time.Millisecond)
	return s
}

// reply is an HTTP answer, read whole.
type reply struct {
	status int
	header http.Header
	body   string
}

func get(url string) (reply, error) {
	return do(http.MethodGet, url, "", nil, "")
}

func do(method, url, body string, header http.Header, host string) (reply, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, url, strings.NewReader(body))
	if err != nil {
		return reply{}, err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if host != "" {
		req.Host = host
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return reply{}, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return reply{status: res.StatusCode, header: res.Header, body: string(b)}, err
}

// httpSession connects the go-sdk client over streamable HTTP; hc may add a
// bearer token.
func httpSession(t *testing.T, url string, hc *http.Client, opts *mcp.ClientOptions, version string) *mcp.ClientSession {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c := mcp.NewClient(&mcp.Implementation{Name: "go-sdk-test", Version: "1"}, opts)
	cs, err := c.Connect(ctx, &mcp.StreamableClientTransport{Endpoint: url, HTTPClient: hc, MaxRetries: -1},
		&mcp.ClientSessionOptions{ProtocolVersion: version})
	require.NoError(t, err)
	t.Cleanup(func() { _ = cs.Close() })
	return cs
}

func callTool(t *testing.T, cs *mcp.ClientSession, name string, args map[string]any) *mcp.CallToolResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: name, Arguments: args})
	require.NoError(t, err)
	return res
}

func textOf(res *mcp.CallToolResult) string {
	var parts []string
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			parts = append(parts, tc.Text)
		}
	}
	return strings.Join(parts, "\n")
}

func structuredOf(t *testing.T, res *mcp.CallToolResult) map[string]any {
	t.Helper()
	m, ok := res.StructuredContent.(map[string]any)
	require.Truef(t, ok, "structuredContent is %T: %s", res.StructuredContent, textOf(res))
	return m
}

// accept is a person who ticks the box in every confirmation prompt.
func accept(_ context.Context, _ *mcp.ElicitRequest) (*mcp.ElicitResult, error) {
	return &mcp.ElicitResult{Action: "accept", Content: map[string]any{"confirm": true}}, nil
}
