package testutil

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// RedisServer is a real redis-server started for one test on a free
// loopback port, with persistence off; it stops when the test ends.
type RedisServer struct {
	Addr string
	cmd  *exec.Cmd
	bin  string
	dir  string
}

// URL is the redis:// URL of the server.
func (r *RedisServer) URL() string { return "redis://" + r.Addr + "/0" }

// Stop kills the server (to show what happens when the store goes away).
func (r *RedisServer) Stop() {
	if r.cmd != nil && r.cmd.Process != nil {
		_ = r.cmd.Process.Kill()
		_ = r.cmd.Wait()
	}
}

// StartRedis starts redis-server. Without the binary the test is skipped on a
// developer's machine and fails in CI (CI=true), where .ci/run installs it.
func StartRedis(t testing.TB) *RedisServer {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		RequireOrSkip(t, "redis-server is not installed (apt-get install redis-server; .ci/run does it)")
	}
	r := &RedisServer{Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(FreePort(t))), bin: bin, dir: t.TempDir()}
	t.Cleanup(r.Stop)
	r.start(t)
	return r
}

// Restart stops the server and starts a new one on the same address. It
// persists nothing, so the new one is empty, as a Redis run without
// persistence is after a restart.
func (r *RedisServer) Restart(t testing.TB) {
	t.Helper()
	r.Stop()
	r.start(t)
}

func (r *RedisServer) start(t testing.TB) {
	t.Helper()
	_, port, _ := net.SplitHostPort(r.Addr)
	cmd := exec.CommandContext(context.Background(), r.bin, //nolint:gosec // test helper, fixed binary
		"--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
		"--dir", r.dir, "--protected-mode", "yes", "--loglevel", "warning")
	cmd.Stdout = os.Stderr
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start redis-server: %v", err)
	}
	r.cmd = cmd
	deadline := time.Now().Add(10 * time.Second)
	for {
		if pingRedis(r.Addr) == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("redis-server on %s did not answer PING within 10s", r.Addr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func pingRedis(addr string) error {
	d := net.Dialer{Timeout: time.Second}
	conn, err := d.DialContext(context.Background(), "tcp", addr)
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close() }()
	_ = conn.SetDeadline(time.Now().Add(time.Second))
	if _, err := conn.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return err
	}
	if !strings.HasPrefix(line, "+PONG") {
		return fmt.Errorf("unexpected answer %q", line)
	}
	return nil
}

// FreePort asks the kernel for a free loopback TCP port.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("find a free port: %v", err)
	}
	defer func() { _ = l.Close() }()
	return l.Addr().(*net.TCPAddr).Port
}

// RequireOrSkip skips the test on a developer's machine and fails it in CI,
// where every real component must be present.
func RequireOrSkip(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("missing in CI: %s", why)
	}
	t.Skip(why)
}

// TempPath is a path inside a fresh temporary folder.
func TempPath(t testing.TB, name string) string {
	t.Helper()
	return filepath.Join(t.TempDir(), name)
}
