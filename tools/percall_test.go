package tools_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/iocloud-chatops/iocloud/internal/testutil"
	"github.com/iocloud-chatops/iocloud/tools"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// At INFO, calls write no line each; one summary a minute counts them. At
// DEBUG, mcp-go's per-call records are there, demoted to DEBUG.
func TestPerCallLogsAreDebugWithAnInfoSummary(t *testing.T) {
	t.Parallel()
	for _, level := range []slog.Level{slog.LevelInfo, slog.LevelDebug} {
		t.Run(level.String(), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			logs := &testutil.SyncBuffer{}
			clock := testutil.NewClock(time.Now())
			srv, err := tools.NewServer(tools.Config{
				Catalog: e.client, ReadOnly: true, Sandbox: true, Version: "test", Now: clock.Now,
				Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: level})),
			})
			require.NoError(t, err)
			c := connect(t, srv)
			for range 3 {
				res := call(t, c, "list_hardware", map[string]any{})
				require.False(t, res.IsError)
			}
			bad := call(t, c, "list_available_replicas", map[string]any{"hardware": "no such gpu"})
			require.True(t, bad.IsError)

			out := logs.String()
			assert.NotContains(t, out, "level=INFO msg=mcp.tool")
			assert.NotContains(t, out, "level=INFO msg=mcp.request")
			assert.NotContains(t, out, "mcp calls", "no summary within the first minute")
			if level == slog.LevelDebug {
				assert.Contains(t, out, "level=DEBUG msg=mcp.tool")
				assert.Contains(t, out, "level=DEBUG msg=mcp.request")
			} else {
				assert.NotContains(t, out, "msg=mcp.tool")
			}

			clock.Advance(61 * time.Second)
			require.False(t, call(t, c, "list_hardware", map[string]any{}).IsError)
			out = logs.String()
			require.Contains(t, out, "level=INFO msg=\"mcp calls\"")
			summary := out[strings.Index(out, "msg=\"mcp calls\""):]
			summary = summary[:strings.IndexByte(summary, '\n')]
			// 4 calls before the window closed (the 5th opens the next
			// one); the unknown hardware is an isError result.
			assert.Contains(t, summary, "tool_calls=4")
			assert.Contains(t, summary, "failed_tool_calls=1")
			assert.Equal(t, 1, strings.Count(out, "mcp calls"), "one summary per window")
		})
	}
}

// Output validation is a switch: with it, a result off its schema becomes
// an isError result (what these tests rely on for every tool); without it,
// the answer is sent unchecked, which is the production default.
func TestOutputValidationIsASwitch(t *testing.T) {
	t.Parallel()
	for _, on := range []bool{true, false} {
		srv, err := tools.NewServer(tools.Config{Catalog: panickingCatalog{}, ReadOnly: true, ValidateOutput: on})
		require.NoError(t, err)
		srv.AddTool(mcp.NewTool("off_schema",
			mcp.WithRawOutputSchema(json.RawMessage(`{"type":"object","required":["sandbox"]}`)),
			mcp.WithReadOnlyHintAnnotation(true)),
			func(context.Context, mcp.CallToolRequest) (*mcp.CallToolResult, error) {
				return mcp.NewToolResultStructured(map[string]any{"other": 1}, "no sandbox field"), nil
			})
		res := call(t, connect(t, srv), "off_schema", map[string]any{})
		if on {
			require.True(t, res.IsError)
			assert.Contains(t, textOf(res), "output schema validation failed")
		} else {
			assert.False(t, res.IsError, textOf(res))
		}
	}
}
