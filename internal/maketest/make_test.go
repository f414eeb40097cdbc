// Package maketest checks the Makefile as a newcomer meets it: `make help`
// lists every target, and `make run` stops, server and all, when make is
// sent SIGTERM.
package maketest

import (
	"bufio"
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/iocloud-chatops/iocloud/internal/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const root = "../.."

// requireMake finds make; in CI a missing make fails instead of skipping.
func requireMake(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("make")
	if err != nil {
		if os.Getenv("CI") != "" {
			require.NoError(t, err, "make is needed in CI")
		}
		t.Skip("make is not installed")
	}
	return path
}

// makeEnv is the environment without the caller's make and iocloud
// settings (this test may itself run under make unit).
func makeEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch {
		case name == "MAKEFLAGS", name == "MFLAGS", name == "MAKELEVEL",
			strings.HasPrefix(name, "IOCLOUD_"), strings.HasPrefix(name, "SLACK_"):
			continue
		}
		env = append(env, kv)
	}
	return env
}

var target = regexp.MustCompile(`^([a-z][a-z0-9-]*):`)

func TestHelpListsEveryTarget(t *testing.T) {
	t.Parallel()
	mk := requireMake(t)
	f, err := os.Open(root + "/Makefile")
	require.NoError(t, err)
	defer func() { _ = f.Close() }()
	var targets []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if m := target.FindStringSubmatch(sc.Text()); m != nil {
			targets = append(targets, m[1])
		}
	}
	require.NoError(t, sc.Err())
	require.Contains(t, targets, "run", "the Makefile was read")

	cmd := exec.CommandContext(t.Context(), mk, "--no-print-directory", "-C", root, "help")
	cmd.Env = makeEnv()
	out, err := cmd.Output()
	require.NoError(t, err)
	listed := map[string]bool{}
	for line := range strings.SplitSeq(strings.TrimSpace(string(out)), "\n") {
		name, desc, ok := strings.Cut(line, "\t")
		assert.True(t, ok && strings.TrimSpace(desc) != "", "a description for %q", line)
		listed[name] = true
	}
	for _, name := range targets {
		assert.True(t, listed[name], "make help does not list %q", name)
	}
}

// SIGTERM sent to make (not to its process group, as a supervisor or
// `kill <make's pid>` does) stops the server make run started: make passes
// SIGTERM on to its child, and the child is the server itself.
func TestMakeRunStopsOnSIGTERM(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds both release binaries")
	}
	mk := requireMake(t)
	ln, err := (&net.ListenConfig{}).Listen(t.Context(), "tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())

	// The build may take minutes on a cold cache; the server is up within
	// seconds after it.
	ctx, cancel := context.WithTimeout(t.Context(), 8*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, mk, "--no-print-directory", "-C", root, "run", "ADDR="+addr)
	cmd.Env = makeEnv()
	// Its own process group, so that cleanup can reach whatever is left;
	// the test itself signals make alone.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var out testutil.SyncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	require.NoError(t, cmd.Start())
	pgid := cmd.Process.Pid
	t.Cleanup(func() { _ = syscall.Kill(-pgid, syscall.SIGKILL) })
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	health := "http://" + addr + "/healthz"
	up := false
	for !up {
		select {
		case err := <-exited:
			require.FailNow(t, "make run exited before serving", "%v\n%s", err, out.String())
		case <-ctx.Done():
			require.FailNow(t, "make run did not serve in time", out.String())
		case <-time.After(200 * time.Millisecond):
		}
		up = get(ctx, health) == http.StatusOK
	}

	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	select {
	case <-exited: //nolint:errcheck // make's exit status after SIGTERM is not the point; what it leaves behind is
	case <-time.After(30 * time.Second):
		require.FailNow(t, "make did not exit within 30 s of SIGTERM", out.String())
	}
	// Nothing of make run is left: no process in its group, the port free.
	require.ErrorIs(t, syscall.Kill(-pgid, 0), syscall.ESRCH, "a process of make run survived:\n%s", out.String())
	assert.Zero(t, get(ctx, health), "the server still answers after make was stopped")
	assert.Contains(t, out.String(), "shutting down", "the server itself got SIGTERM and shut down cleanly")
}

// get is the status of a GET, 0 when nothing answers.
func get(ctx context.Context, url string) int {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	_ = resp.Body.Close()
	return resp.StatusCode
}
