package main

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/iocloud-chatops/iocloud/config"
	"github.com/sethvargo/go-envconfig"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// --help names every tool the server registers and every variable it reads,
// so a new tool or setting cannot leave the help behind.
func TestHelpNamesEveryToolAndVariable(t *testing.T) {
	t.Parallel()
	in := strings.Join([]string{
		`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`,
		`{"jsonrpc":"2.0","method":"notifications/initialized"}`,
		`{"jsonrpc":"2.0","id":2,"method":"tools/list"}`,
	}, "\n") + "\n"
	var stdout, stderr bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	require.NoError(t, run(ctx, []string{"--sandbox"}, envconfig.MapLookuper(map[string]string{}), strings.NewReader(in), &stdout, &stderr))

	var names []string
	for line := range strings.SplitSeq(strings.TrimSpace(stdout.String()), "\n") {
		var msg struct {
			ID     int `json:"id"`
			Result struct {
				Tools []struct {
					Name string `json:"name"`
				} `json:"tools"`
			} `json:"result"`
		}
		require.NoError(t, json.Unmarshal([]byte(line), &msg))
		for _, tool := range msg.Result.Tools {
			names = append(names, tool.Name)
		}
	}
	require.Len(t, names, 6, "every tool, key actions included")
	for _, name := range names {
		assert.Contains(t, usage, name)
	}

	for _, v := range config.Variables() {
		if slices.Contains(v.Binaries, binaryName) {
			assert.Contains(t, usage, v.Name)
		}
	}
}
