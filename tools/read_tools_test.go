package tools_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/iocloud-chatops/iocloud/iocloud/sandbox"
	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestListHardware(t *testing.T) {
	t.Parallel()
	for _, era := range []string{mcp.LATEST_PROTOCOL_VERSION, mcp.ProtocolVersion20250618} {
		t.Run(era, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			c := connect(t, e.srv, client.WithProtocolVersion(era))

			res := call(t, c, "list_hardware", nil)

			require.False(t, res.IsError, textOf(res))
			out := structuredOf(t, res)
			assert.Equal(t, true, out["sandbox"])
			assert.NotEmpty(t, out["fetched_at"])
			hw, _ := out["hardware"].([]any)
			require.Len(t, hw, 6)
			first, _ := hw[0].(map[string]any)
			assert.Equal(t, map[string]any{
				"id": float64(7), "name": "H100 80GB HBM3", "brand": "NVIDIA",
				"max_gpus_per_container": float64(8), "available_gpus": first["available_gpus"],
			}, first)
			assert.Contains(t, textOf(res), "sandbox data")
			assert.Contains(t, textOf(res), "L40S 48GB (id 30, NVIDIA): 0 free GPUs")
		})
	}
}

func TestListAvailableReplicas(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := connect(t, e.srv)

	t.Run("one type by name, sorted by replicas", func(t *testing.T) {
		t.Parallel()
		res := call(t, c, "list_available_replicas", map[string]any{"hardware": "h100 80gb hbm3"})
		require.False(t, res.IsError, textOf(res))
		out := structuredOf(t, res)
		assert.InDelta(t, 1, out["gpus_per_container"], 0, "default 1")
		assert.Equal(t, true, out["sandbox"])
		hw := out["hardware"].([]any)
		require.Len(t, hw, 1)
		entry := hw[0].(map[string]any)
		assert.InDelta(t, 7, entry["id"], 0)
		locs := entry["locations"].([]any)
		require.NotEmpty(t, locs)
		assert.Equal(t, "US", locs[0].(map[string]any)["iso2"], "the United States leads for 1 GPU")
		assertDescending(t, locs)
		assert.Contains(t, textOf(res), "sandbox data")
	})
	t.Run("by id with 8 GPUs", func(t *testing.T) {
		t.Parallel()
		res := call(t, c, "list_available_replicas", map[string]any{"hardware": "7", "gpus_per_container": 8})
		require.False(t, res.IsError, textOf(res))
		out := structuredOf(t, res)
		assert.InDelta(t, 8, out["gpus_per_container"], 0)
		locs := out["hardware"].([]any)[0].(map[string]any)["locations"].([]any)
		require.NotEmpty(t, locs)
		assert.Equal(t, "CA", locs[0].(map[string]any)["iso2"], "Canada leads for 8 GPUs")
		for _, l := range locs {
			assert.NotEqual(t, "US", l.(map[string]any)["iso2"], "the United States has no room for 8")
		}
	})
	t.Run("every type with free GPUs", func(t *testing.T) {
		t.Parallel()
		res := call(t, c, "list_available_replicas", map[string]any{})
		require.False(t, res.IsError, textOf(res))
		out := structuredOf(t, res)
		var names []string
		total := 0.0
		for _, h := range out["hardware"].([]any) {
			entry := h.(map[string]any)
			names = append(names, entry["name"].(string))
			total += entry["total_available_replicas"].(float64)
			assertDescending(t, entry["locations"].([]any))
		}
		assert.NotContains(t, names, "L40S 48GB", "no free GPU, so not fanned out to")
		assert.Contains(t, names, "H200 141GB HBM3e")
		assert.InDelta(t, total, out["total_available_replicas"], 0)
	})
	t.Run("country filter", func(t *testing.T) {
		t.Parallel()
		res := call(t, c, "list_available_replicas", map[string]any{"hardware": "A100 80GB SXM", "country": "de"})
		require.False(t, res.IsError, textOf(res))
		for _, l := range structuredOf(t, res)["hardware"].([]any)[0].(map[string]any)["locations"].([]any) {
			assert.Equal(t, "DE", l.(map[string]any)["iso2"])
		}
	})
	t.Run("ambiguous name lists the valid ones", func(t *testing.T) {
		t.Parallel()
		res := call(t, c, "list_available_replicas", map[string]any{"hardware": "h100"})
		assert.True(t, res.IsError)
		assert.Contains(t, textOf(res), "H100 80GB HBM3")
		assert.Contains(t, textOf(res), "H100 80GB PCIe")
		assert.Contains(t, textOf(res), "A100 80GB SXM")
	})
	t.Run("unknown name lists the valid ones", func(t *testing.T) {
		t.Parallel()
		res := call(t, c, "list_available_replicas", map[string]any{"hardware": "TPU v5"})
		assert.True(t, res.IsError)
		assert.Contains(t, textOf(res), "RTX 4090 24GB")
	})
	t.Run("private node pool", func(t *testing.T) {
		t.Parallel()
		res := call(t, c, "list_available_replicas", map[string]any{"hardware": "7", "node_pool_id": sandbox.NodePoolID})
		require.False(t, res.IsError, textOf(res))
	})
}

func assertDescending(t *testing.T, locs []any) {
	t.Helper()
	for i := 1; i < len(locs); i++ {
		prev := locs[i-1].(map[string]any)["available_replicas"].(float64)
		cur := locs[i].(map[string]any)["available_replicas"].(float64)
		assert.GreaterOrEqual(t, prev, cur, "locations sorted by available_replicas, descending")
	}
}

// Arguments that break the schema come back as isError text saying what was
// sent and what to send, not as mcp-go's Go-shaped validation message.
func TestInvalidArgumentsSayWhatToSend(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := connect(t, e.srv)
	cases := []struct {
		tool string
		args map[string]any
		want []string
	}{
		{"list_available_replicas", map[string]any{"gpus_per_container": "2"},
			[]string{`Argument gpus_per_container: got the text "2", send a whole number from 1 to 8`}},
		{"list_available_replicas", map[string]any{"gpus_per_container": 9},
			[]string{"Argument gpus_per_container: got the number 9, send a whole number from 1 to 8"}},
		{"list_available_replicas", map[string]any{"hardware": 7},
			[]string{"Argument hardware: got the number 7, send a hardware id or name as a string"}},
		{"list_available_replicas", map[string]any{"node_pool_id": "pool-1"},
			[]string{`Argument node_pool_id: got the text "pool-1", send a node pool UUID`}},
		{"list_available_replicas", map[string]any{"gpus": 2},
			[]string{"Argument gpus is not accepted", "country, gpus_per_container, hardware, node_pool_id"}},
		{"list_hardware", map[string]any{"brand": "NVIDIA"},
			[]string{"Argument brand is not accepted", "takes no arguments"}},
		{"create_api_key", map[string]any{},
			[]string{"Argument description is missing: send a string of 1 to 100 characters"}},
		{"create_api_key", map[string]any{"description": "x", "scopes": []any{"admin"}},
			[]string{`Argument scopes: got the list ["admin"], send a list drawn from "all", "read" and "write"`}},
		{"create_api_key", map[string]any{"description": "x", "confirm": true},
			[]string{"Argument confirm is not accepted"}},
	}
	for _, tc := range cases {
		res := call(t, c, tc.tool, tc.args)
		require.True(t, res.IsError, "%s %v", tc.tool, tc.args)
		text := textOf(res)
		assert.Contains(t, text, "nothing was done")
		assert.NotContains(t, text, "&{", "no Go-shaped validation text")
		for _, want := range tc.want {
			assert.Contains(t, text, want, "%s %v", tc.tool, tc.args)
		}
	}
	assert.Equal(t, 0, e.createdKeys())
}

// JSON Schema's "integer" is any number without a fraction, however it is
// written; such an argument is read as the whole number it is, not refused
// as unreadable. A real fraction is refused by name.
func TestWholeNumbersWrittenWithAFractionOrExponent(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	result := func(tool, args string) map[string]any {
		msg := `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"` + tool + `","arguments":` + args + `}}`
		raw, err := json.Marshal(e.srv.HandleMessage(context.Background(), []byte(msg)))
		require.NoError(t, err)
		var resp struct {
			Result map[string]any `json:"result"`
		}
		require.NoError(t, json.Unmarshal(raw, &resp), string(raw))
		require.NotNil(t, resp.Result, string(raw))
		return resp.Result
	}
	for tool, args := range map[string]string{
		"list_available_replicas": `{"gpus_per_container":2.0}`,
		"quote_price":             `{"hardware":"A100 80GB SXM","hours":1e1,"replicas":2.0,"gpus_per_container":1.0}`,
		"create_api_key":          `{"description":"whole days","expires_in_days":3e1}`,
	} {
		res := result(tool, args)
		assert.NotEqual(t, true, res["isError"], "%s %s: %v", tool, args, res)
		out, _ := res["structuredContent"].(map[string]any)
		require.NotNil(t, out, "%s: %v", tool, res)
		switch tool {
		case "list_available_replicas":
			assert.EqualValues(t, 2, out["gpus_per_container"])
		case "quote_price":
			assert.EqualValues(t, 10, out["hours"])
			assert.EqualValues(t, 2, out["replicas"])
		case "create_api_key":
			plain := result(tool, `{"description":"whole days","expires_in_days":30}`)["structuredContent"].(map[string]any)
			got, _ := time.Parse(time.RFC3339, out["preview"].(map[string]any)["expires_at"].(string))
			want, _ := time.Parse(time.RFC3339, plain["preview"].(map[string]any)["expires_at"].(string))
			assert.WithinDuration(t, want, got, 2*time.Second, "3e1 days is 30 days")
		}
	}
	res := result("list_available_replicas", `{"gpus_per_container":2.5}`)
	assert.Equal(t, true, res["isError"])
	assert.Contains(t, fmt.Sprint(res["content"]), "gpus_per_container")
	assert.Equal(t, 0, e.createdKeys())
}
