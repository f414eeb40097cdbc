package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
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

	inspect := func(t *testing.T, args ...string) map[string]any {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		// Everything after the binary's path is the server's own arguments.
		full := append([]string{"--cli", binPath, "--sandbox", "-q", "--format", "json"}, args...)
		cmd := exec.CommandContext(ctx, cli, full...)
		cmd.Env = append(baseEnv(), "HOME="+home)
		cmd.Dir = t.TempDir()
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			t.Fatalf("mcp-inspector %v: exit %d\nstdout: %s\nstderr: %s", args, exitErr.ExitCode(), stdout.String(), stderr.String())
		}
		require.NoError(t, err, stderr.String())
		var out struct {
			Result map[string]any `json:"result"`
		}
		require.NoError(t, json.Unmarshal(stdout.Bytes(), &out), stdout.String())
		require.NotNil(t, out.Result, stdout.String())
		return out.Result
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
	t.Run("tools/call create_api_key without elicitation asks for the token", func(t *testing.T) {
		t.Parallel()
		res := inspect(t, "--method", "tools/call", "--tool-name", "create_api_key", "--tool-arg", "description=inspector")
		out, _ := res["structuredContent"].(map[string]any)
		require.NotNil(t, out, "structuredContent")
		assert.Equal(t, "confirmation_required", out["status"])
		assert.NotEmpty(t, out["confirmation_token"])
	})
}
