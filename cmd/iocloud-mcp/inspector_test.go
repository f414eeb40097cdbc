package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// inspectorCLI is where scripts/install-mcp-clients.sh puts the MCP
// Inspector (`make mcpclients`), relative to this package.
var inspectorCLI = filepath.Join("..", "..", ".mcpclients", "node_modules", ".bin", "mcp-inspector")

// A client nobody here wrote: the MCP Inspector CLI lists the tools and calls
// list_available_replicas on the built binary, against its sandbox. Skipped
// when the CLI is not installed, unless IOCLOUD_REQUIRE_INSPECTOR=1 (make
// test sets it when node is present), then it fails.
func TestInspectorCLI(t *testing.T) {
	t.Parallel()
	cli, err := filepath.Abs(inspectorCLI)
	require.NoError(t, err)
	if _, err := os.Stat(cli); err != nil {
		if os.Getenv("IOCLOUD_REQUIRE_INSPECTOR") == "1" {
			t.Fatalf("MCP Inspector CLI missing at %s: run bash scripts/install-mcp-clients.sh (make mcpclients)", cli)
		}
		t.Skipf("MCP Inspector CLI not installed (%s); run make mcpclients to include this test", cli)
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Fatalf("the Inspector CLI is installed but node is not on PATH: %v", err)
	}
	home := t.TempDir() // the CLI writes ~/.mcp-inspector

	// run runs the CLI against target (the binary and its arguments, or a
	// URL) with the server's environment env, and returns its JSON result.
	run := func(t *testing.T, env []string, target []string, args ...string) map[string]any {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		// Everything after the binary's path is the server's own arguments.
		full := append(append([]string{"--cli"}, target...), append([]string{"-q", "--format", "json"}, args...)...)
		cmd := exec.CommandContext(ctx, cli, full...)
		cmd.Env = append(env, "HOME="+home)
		cmd.Dir = t.TempDir()
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		var out struct {
			Result map[string]any `json:"result"`
		}
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			// The CLI exits non-zero for an isError result, and prints it.
			if json.Unmarshal(stdout.Bytes(), &out) == nil && out.Result["isError"] == true {
				return out.Result
			}
			t.Fatalf("mcp-inspector %v: exit %d\nstdout: %s\nstderr: %s", args, exitErr.ExitCode(), stdout.String(), stderr.String())
		}
		require.NoError(t, err, stderr.String())
		require.NoError(t, json.Unmarshal(stdout.Bytes(), &out), stdout.String())
		require.NotNil(t, out.Result, stdout.String())
		return out.Result
	}
	inspect := func(t *testing.T, args ...string) map[string]any {
		t.Helper()
		return run(t, baseEnv(), []string{binPath, "--sandbox"}, args...)
	}
	createKey := func(t *testing.T, env []string, target []string, args ...string) (map[string]any, map[string]any) {
		t.Helper()
		res := run(t, env, target, append([]string{"--method", "tools/call", "--tool-name", "create_api_key", "--tool-arg"}, args...)...)
		out, _ := res["structuredContent"].(map[string]any)
		require.True(t, out != nil || res["isError"] == true, "structuredContent: %v", res)
		return res, out
	}

	t.Run("tools/list", func(t *testing.T) {
		t.Parallel()
		res := inspect(t, "--method", "tools/list", "--strict")
		var names []string
		for _, tool := range res["tools"].([]any) {
			names = append(names, tool.(map[string]any)["name"].(string))
		}
		assert.ElementsMatch(t, []string{"create_api_key", "list_api_keys", "list_available_replicas", "list_hardware", "quote_price", "revoke_api_key"}, names)
	})
	t.Run("tools/call list_available_replicas", func(t *testing.T) {
		t.Parallel()
		res := inspect(t, "--method", "tools/call", "--tool-name", "list_available_replicas",
			"--tool-arg", "hardware=H200 141GB HBM3e", "gpus_per_container=2")
		assert.NotEqual(t, true, res["isError"])
		out, _ := res["structuredContent"].(map[string]any)
		require.NotNil(t, out, "structuredContent")
		assert.Equal(t, true, out["sandbox"])
		assert.InDelta(t, 2, out["gpus_per_container"], 0)
		hw := out["hardware"].([]any)
		require.Len(t, hw, 1)
		assert.Equal(t, "H200 141GB HBM3e", hw[0].(map[string]any)["name"])
		assert.InDelta(t, 8, out["total_available_replicas"], 0)
	})
	t.Run("create_api_key over stdio sends the person to the approval page", func(t *testing.T) {
		t.Parallel()
		_, out := createKey(t, baseEnv(), []string{binPath, "--sandbox"}, "description=inspector")
		assert.Equal(t, "approval_required", out["status"])
		assert.Contains(t, out["approval_url"], "/approve/")
		assert.NotEmpty(t, out["confirmation_token"])
		assert.NotContains(t, out, "api_key")
	})
	// The README's way: make run, the Inspector asks for a key, the person
	// opens the approval_url and approves, the Inspector asks again with the
	// token and learns that the key was created. Each Inspector run is a new
	// MCP session; the caller (local, on loopback) is the same.
	t.Run("the README's key approval over HTTP", func(t *testing.T) {
		t.Parallel()
		srv := startHTTP(t, baseEnv(), "--sandbox")
		target := []string{srv.url}
		_, out := createKey(t, baseEnv(), target, "description=demo")
		require.Equal(t, "approval_required", out["status"], "%v", out)
		link, _ := out["approval_url"].(string)
		token, _ := out["confirmation_token"].(string)
		require.NotEmpty(t, token)

		_, out = createKey(t, baseEnv(), target, "description=demo", "confirmation_token="+token)
		assert.Equal(t, "approval_pending", out["status"], "the Inspector's calls create nothing")

		answer := approveOnPage(t, link, "approve")
		m := secretOnPage.FindStringSubmatch(answer)
		require.Len(t, m, 2, "the page shows the secret: %s", answer)

		res, out := createKey(t, baseEnv(), target, "description=demo", "confirmation_token="+token)
		assert.Equal(t, "created", out["status"])
		assert.Equal(t, "approval_page", out["secret_delivery"])
		assert.NotEmpty(t, out["key_id"])
		raw, err := json.Marshal(res)
		require.NoError(t, err)
		assert.NotContains(t, string(raw), m[1], "the secret never reaches the Inspector")
	})
	// In token mode over stdio every Inspector run is a new server process
	// with a new ticket key: the second run's refusal says exactly that.
	t.Run("token mode over stdio names the new process", func(t *testing.T) {
		t.Parallel()
		env := baseEnv()
		// The CLI starts the server with only its own -e variables.
		target := []string{"-e", "IOCLOUD_MCP_CONFIRM=token", binPath, "--sandbox"}
		_, out := createKey(t, env, target, "description=inspector")
		require.Equal(t, "confirmation_required", out["status"])
		token, _ := out["confirmation_token"].(string)
		res, _ := createKey(t, env, target, "description=inspector", "confirmation_token="+token)
		assert.Equal(t, true, res["isError"])
		text := fmt.Sprint(res["content"])
		assert.Contains(t, text, "earlier run of this server")
		assert.Contains(t, text, "over stdio every client start is a new server process")
		assert.NotContains(t, text, "person")
	})
}

// secretOnPage finds the new key's secret on the approval page's answer.
var secretOnPage = regexp.MustCompile(`id="secret">([^<]+)<`)
