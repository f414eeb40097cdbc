package cli_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/iocloud-chatops/iocloud/cmd/internal/cli"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// bins are both binaries, built once by TestMain for the tests that compare
// them as a user meets them.
var bins struct {
	mcp, slack string
	err        error
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "iocloud-cli-test-")
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		out, berr := exec.CommandContext(ctx, "go", "build", "-o", dir+string(filepath.Separator),
			"../../iocloud-mcp", "../../iocloud-slackbot").CombinedOutput()
		cancel()
		if berr != nil {
			err = fmt.Errorf("go build: %w\n%s", berr, out)
		}
		bins.mcp, bins.slack = filepath.Join(dir, "iocloud-mcp"), filepath.Join(dir, "iocloud-slackbot")
	}
	bins.err = err
	code := m.Run()
	if dir != "" {
		_ = os.RemoveAll(dir)
	}
	os.Exit(code)
}

type result struct {
	stdout, stderr string
	code           int
}

// runBin runs a binary to completion with only env (and PATH/HOME) set and
// an empty stdin.
func runBin(t *testing.T, bin string, env []string, args ...string) result {
	t.Helper()
	require.NoError(t, bins.err)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.TempDir()}, env...)
	cmd.Stdin = strings.NewReader("")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errb.String()}
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		r.code = exitErr.ExitCode()
	} else {
		require.NoError(t, err)
	}
	return r
}

// invocation is how one binary is run to make a given mistake.
type invocation struct {
	env  []string
	args []string
}

// The same mistake gives the same exit code, and one line naming it, from
// either binary.
func TestBothBinariesExitAlike(t *testing.T) {
	t.Parallel()
	busy, err := (&net.ListenConfig{}).Listen(t.Context(), "tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = busy.Close() })
	addr := busy.Addr().String()
	const signing = "SLACK_SIGNING_SECRET=0123456789abcdef0123456789abcdef"

	cases := []struct {
		mistake    string
		mcp, slack invocation
		code       int
		want       []string // in the one stderr line, from both
	}{
		{"unknown flag",
			invocation{nil, []string{"--sandbox", "--verbose"}}, invocation{nil, []string{"--sandbox", "--verbose"}},
			cli.ExitUsage, []string{"-verbose", "(see --help)"}},
		{"stray argument",
			invocation{nil, []string{"serve"}}, invocation{nil, []string{"serve"}},
			cli.ExitUsage, []string{`unexpected argument "serve"`, "(see --help)"}},
		{"missing API key",
			invocation{nil, nil}, invocation{[]string{signing}, nil},
			cli.ExitConfig, []string{"IOCLOUD_API_KEY: not set"}},
		{"unparsable duration",
			invocation{[]string{"IOCLOUD_TIMEOUT=soon"}, []string{"--sandbox"}}, invocation{[]string{"IOCLOUD_TIMEOUT=soon", signing}, []string{"--sandbox"}},
			cli.ExitConfig, []string{"IOCLOUD_TIMEOUT", "not a duration"}},
		{"plain http upstream",
			invocation{[]string{"IOCLOUD_API_KEY=k", "IOCLOUD_BASE_URL=http://api.example.com"}, nil},
			invocation{[]string{"IOCLOUD_API_KEY=k", "IOCLOUD_BASE_URL=http://api.example.com", signing}, nil},
			cli.ExitConfig, []string{"IOCLOUD_BASE_URL"}},
		{"port in use",
			invocation{nil, []string{"--sandbox", "--transport", "http", "--addr", addr}},
			invocation{[]string{"IOCLOUD_SLACK_ADDR=" + addr, signing}, []string{"--sandbox"}},
			cli.ExitFailure, []string{addr + " is already in use", "pick another port", "port 0"}},
	}
	for _, tc := range cases {
		t.Run(tc.mistake, func(t *testing.T) {
			t.Parallel()
			for name, run := range map[string]struct {
				bin string
				inv invocation
			}{"iocloud-mcp": {bins.mcp, tc.mcp}, "iocloud-slackbot": {bins.slack, tc.slack}} {
				r := runBin(t, run.bin, run.inv.env, run.inv.args...)
				assert.Equal(t, tc.code, r.code, "%s exit code\n%s", name, r.stderr)
				assert.Empty(t, r.stdout, name)
				lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
				last := lines[len(lines)-1]
				assert.True(t, strings.HasPrefix(last, name+": "), "%s: %q", name, last)
				for _, w := range tc.want {
					assert.Contains(t, last, w, name)
				}
				if tc.code != cli.ExitFailure {
					assert.Len(t, lines, 1, "%s: one line, before any logging\n%s", name, r.stderr)
				}
			}
		})
	}
	// The port in use names each binary's own way to pick another.
	r := runBin(t, bins.mcp, nil, "--sandbox", "--transport", "http", "--addr", addr)
	assert.Contains(t, r.stderr, "IOCLOUD_MCP_ADDR=")
	assert.Contains(t, r.stderr, "--addr ")
	r = runBin(t, bins.slack, []string{"IOCLOUD_SLACK_ADDR=" + addr, signing}, "--sandbox")
	assert.Contains(t, r.stderr, "IOCLOUD_SLACK_ADDR=")
}

// Each binary names the variables set for the other one, ignores their
// (bad) values, and starts anyway; the values themselves are never printed.
func TestEachBinaryWarnsAboutTheOthersVariables(t *testing.T) {
	t.Parallel()
	r := runBin(t, bins.mcp, []string{
		"IOCLOUD_SLACK_ADDR=not-an-address", "SLACK_SIGNING_SECRET=slack-secret-value-0123456789", "IOCLOUD_SLACK_KEY_CREATORS=bob",
	}, "--sandbox") // stdio; the empty stdin ends the session
	assert.Equal(t, cli.ExitOK, r.code, r.stderr)
	assert.Contains(t, r.stderr, "ignoring variables that only iocloud-slackbot reads")
	assert.Contains(t, r.stderr, "IOCLOUD_SLACK_ADDR,IOCLOUD_SLACK_KEY_CREATORS,SLACK_SIGNING_SECRET")
	assert.NotContains(t, r.stderr, "slack-secret-value")

	r = runBin(t, bins.slack, []string{
		"IOCLOUD_MCP_TRANSPORT=carrier-pigeon", "IOCLOUD_MCP_AUTH_TOKEN=mcp-token-value-0123456789", "IOCLOUD_KEY_OUTPUT_DIR=/does/not/exist",
	}, "--console", "--sandbox")
	assert.Equal(t, cli.ExitOK, r.code, r.stderr)
	assert.Contains(t, r.stderr, "ignoring variables that only iocloud-mcp reads")
	assert.Contains(t, r.stderr, "IOCLOUD_KEY_OUTPUT_DIR,IOCLOUD_MCP_AUTH_TOKEN,IOCLOUD_MCP_TRANSPORT")
	assert.NotContains(t, r.stderr, "mcp-token-value")

	// Variables both read, or only this one reads, draw no warning.
	r = runBin(t, bins.mcp, []string{"IOCLOUD_TIMEOUT=20s", "IOCLOUD_MCP_CONFIRM=token"}, "--sandbox")
	assert.Equal(t, cli.ExitOK, r.code, r.stderr)
	assert.NotContains(t, r.stderr, "ignoring variables")
}

// --version and --help succeed (0) on both, with no configuration at all.
func TestVersionAndHelpExitZero(t *testing.T) {
	t.Parallel()
	for _, bin := range []string{bins.mcp, bins.slack} {
		for _, arg := range []string{"--version", "--help"} {
			r := runBin(t, bin, []string{"IOCLOUD_TIMEOUT=nonsense"}, arg)
			assert.Equal(t, cli.ExitOK, r.code, "%s %s: %s", bin, arg, r.stderr)
			assert.NotEmpty(t, r.stdout)
		}
	}
}
