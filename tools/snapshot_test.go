package tools_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// What assistants see of each tool (name, description, schemas,
// annotations) is pinned under testdata/, so a change to it is deliberate:
// run with UPDATE_SNAPSHOTS=1 to rewrite the files, then review the diff.
func TestToolSnapshots(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := connect(t, e.srv)
	list, err := c.ListTools(context.Background(), mcp.ListToolsRequest{})
	require.NoError(t, err)
	require.Len(t, list.Tools, 6)

	for _, tool := range list.Tools {
		got, err := json.MarshalIndent(tool, "", "  ")
		require.NoError(t, err)
		got = append(got, '\n')
		path := filepath.Join("testdata", tool.Name+".json")
		if os.Getenv("UPDATE_SNAPSHOTS") == "1" {
			require.NoError(t, os.WriteFile(path, got, 0o600))
			continue
		}
		want, err := os.ReadFile(path)
		require.NoError(t, err, "missing snapshot %s: run UPDATE_SNAPSHOTS=1 go test ./tools/ and review it", path)
		assert.JSONEq(t, string(want), string(got), "%s changed: if that is deliberate, run UPDATE_SNAPSHOTS=1 and review the diff", path)
	}
}

// Every tool states all four hints itself, never relying on the spec's
// defaults (which say "destructive"); arrays in output schemas are never
// nullable; and unknown arguments are refused by the schema.
func TestToolContracts(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := connect(t, e.srv)
	list, err := c.ListTools(context.Background(), mcp.ListToolsRequest{})
	require.NoError(t, err)

	hints := map[string][4]bool{ // readOnly, destructive, idempotent, openWorld
		"list_hardware":           {true, false, true, true},
		"list_available_replicas": {true, false, true, true},
		"create_api_key":          {false, false, false, true},
		"list_api_keys":           {true, false, true, true},
		"quote_price":             {true, false, true, true},
		"revoke_api_key":          {false, true, false, true},
	}
	for _, tool := range list.Tools {
		a := tool.Annotations
		require.NotNil(t, a.ReadOnlyHint, tool.Name)
		require.NotNil(t, a.DestructiveHint, tool.Name)
		require.NotNil(t, a.IdempotentHint, tool.Name)
		require.NotNil(t, a.OpenWorldHint, tool.Name)
		want, ok := hints[tool.Name]
		require.True(t, ok, "%s: add its hints here", tool.Name)
		assert.Equal(t, want, [4]bool{*a.ReadOnlyHint, *a.DestructiveHint, *a.IdempotentHint, *a.OpenWorldHint}, tool.Name)

		raw, err := json.Marshal(tool)
		require.NoError(t, err)
		assert.False(t, bytes.Contains(raw, []byte(`"null"`)), "%s: a nullable type in a schema", tool.Name)
		var decoded struct {
			InputSchema  map[string]any `json:"inputSchema"`
			OutputSchema map[string]any `json:"outputSchema"`
		}
		require.NoError(t, json.Unmarshal(raw, &decoded))
		assert.Equal(t, false, decoded.InputSchema["additionalProperties"], tool.Name)
		assert.Equal(t, "object", decoded.OutputSchema["type"], tool.Name)
	}
}

func BenchmarkListHardwareInProcess(b *testing.B) {
	e := newEnv(b)
	c := connect(b, e.srv)
	for b.Loop() {
		res, err := callErr(c, "list_hardware", nil)
		if err != nil || res.IsError {
			b.Fatalf("list_hardware: %v %v", err, res)
		}
	}
}
