package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/sethvargo/go-envconfig"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The run tests serve stdio in this process, and mcp-go keeps one stdio
// session per process, so they do not run in parallel.

// In stdio mode stdout carries the protocol and nothing else: every line is
// a JSON-RPC message, while the logs went to stderr. run returns cleanly when
// the client closes stdin.
func TestRunStdioKeepsStdoutForTheProtocol(t *testing.T) {
	in := strings.Join([]string{
		`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`,
		`{"jsonrpc":"2.0","method":"notifications/initialized"}`,
		`{"jsonrpc":"2.0","id":2,"method":"tools/list"}`,
	}, "\n") + "\n"
	var stdout, stderr bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	err := run(ctx, []string{"--sandbox"}, envconfig.MapLookuper(map[string]string{}), strings.NewReader(in), &stdout, &stderr)

	require.NoError(t, err)
	sc := bufio.NewScanner(&stdout)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	ids := map[float64]bool{}
	for sc.Scan() {
		var msg struct {
			JSONRPC string  `json:"jsonrpc"`
			ID      float64 `json:"id"`
		}
		require.NoError(t, json.Unmarshal(sc.Bytes(), &msg), "stdout line is not JSON-RPC: %q", sc.Text())
		assert.Equal(t, "2.0", msg.JSONRPC)
		ids[msg.ID] = true
	}
	assert.Equal(t, map[float64]bool{1: true, 2: true}, ids)
	assert.Contains(t, stderr.String(), "serving MCP on stdio")
}

func TestRunFlagsOverrideTheEnvironment(t *testing.T) {
	var stdout, stderr bytes.Buffer
	env := envconfig.MapLookuper(map[string]string{"IOCLOUD_MCP_TRANSPORT": "http", "IOCLOUD_MCP_ADDR": "0.0.0.0:1"})
	// The environment alone would refuse to start (off loopback without a
	// token); --transport stdio wins, so it serves stdio until stdin ends.
	err := run(context.Background(), []string{"--sandbox", "--transport", "stdio", "--read-only"}, env, strings.NewReader(""), &stdout, &stderr)
	require.NoError(t, err)
	assert.Contains(t, stderr.String(), "read_only=true")
}
