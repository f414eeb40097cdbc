package cli_test

import (
	"bytes"
	"errors"
	"flag"
	"net"
	"strconv"
	"testing"

	"github.com/iocloud-chatops/iocloud/cmd/internal/cli"
	"github.com/iocloud-chatops/iocloud/config"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestExitCode(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		err  error
		want int
	}{
		"nothing wrong":      {nil, cli.ExitOK},
		"unknown flag":       {&cli.UsageError{Err: errors.New("flag provided but not defined: -x")}, cli.ExitUsage},
		"stray argument":     {cli.Usage("unexpected argument %q", "serve"), cli.ExitUsage},
		"bad variable":       {&config.Error{Var: "IOCLOUD_TIMEOUT", Problem: "bad"}, cli.ExitConfig},
		"wrapped variable":   {errors.Join(errors.New("start-up"), &config.Error{Var: "X", Problem: "bad"}), cli.ExitConfig},
		"runtime failure":    {errors.New("serving HTTP: boom"), cli.ExitFailure},
		"flag.ErrHelp alone": {flag.ErrHelp, cli.ExitFailure}, // the mains answer --help themselves
	}
	for name, tc := range cases {
		assert.Equal(t, tc.want, cli.ExitCode(tc.err), name)
	}
	assert.Equal(t, "unexpected argument \"serve\" (see --help)", cli.Usage("unexpected argument %q", "serve").Error())
}

func TestExitWritesOneLine(t *testing.T) {
	t.Parallel()
	var w bytes.Buffer
	code := cli.Exit(&w, "iocloud-mcp", errors.New("IOCLOUD_TIMEOUT:\n  not a duration\t(use 15s)"))
	assert.Equal(t, cli.ExitFailure, code)
	assert.Equal(t, "iocloud-mcp: IOCLOUD_TIMEOUT: not a duration (use 15s)\n", w.String())

	w.Reset()
	assert.Equal(t, cli.ExitOK, cli.Exit(&w, "iocloud-mcp", nil))
	assert.Empty(t, w.String())
}

// A port in use is the most common start-up failure: the message names the
// variable, the flag when there is one, and a port to try instead.
func TestListenErrorOnABusyPort(t *testing.T) {
	t.Parallel()
	busy, err := (&net.ListenConfig{}).Listen(t.Context(), "tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = busy.Close() })
	addr := busy.Addr().String()
	_, lerr := (&net.ListenConfig{}).Listen(t.Context(), "tcp", addr)
	require.Error(t, lerr)

	_, port, _ := net.SplitHostPort(addr)
	next := net.JoinHostPort("127.0.0.1", nextPort(t, port))
	msg := cli.ListenError("IOCLOUD_MCP_ADDR", "--addr", addr, lerr).Error()
	assert.Equal(t, "IOCLOUD_MCP_ADDR: "+addr+" is already in use, probably by another server (stop that one, or pick another port: "+
		"IOCLOUD_MCP_ADDR="+next+" or --addr "+next+"; port 0 lets the system choose a free one)", msg)

	msg = cli.ListenError("IOCLOUD_SLACK_ADDR", "", addr, lerr).Error()
	assert.Contains(t, msg, "IOCLOUD_SLACK_ADDR="+next+";")
	assert.NotContains(t, msg, "--addr")

	other := cli.ListenError("IOCLOUD_MCP_ADDR", "--addr", "192.0.2.1:1", errors.New("cannot assign requested address"))
	assert.Equal(t, "IOCLOUD_MCP_ADDR: cannot listen on 192.0.2.1:1: cannot assign requested address", other.Error())
}

func nextPort(t *testing.T, port string) string {
	t.Helper()
	n, err := strconv.Atoi(port)
	require.NoError(t, err)
	return strconv.Itoa(n + 1)
}
