package tools_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/iocloud-chatops/iocloud/tools"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/require"
)

// maxExplanation bounds an "Invalid arguments" answer, whatever was sent:
// it goes back into the assistant's context.
const maxExplanation = 4096

// FuzzExplainArguments: any JSON sent as a tool's arguments gets an answer
// (the server never fails the call), mcp-go's Go-shaped validation text
// never reaches the assistant, an explanation is short, printable and names
// the tool, and no arguments create a key without the person's confirmation.
func FuzzExplainArguments(f *testing.F) {
	for _, seed := range []struct {
		tool uint8
		args string
	}{
		{0, `{}`},
		{0, `{"brand":"NVIDIA"}`},
		{1, `{"gpus_per_container":"2"}`},
		{1, `{"gpus_per_container":9,"hardware":7,"country":["de"],"node_pool_id":"pool"}`},
		{1, `{"hardware":"H100","gpus_per_container":1.5}`},
		{2, `{}`},
		{2, `{"description":"x","scopes":["admin"],"expires_in_days":-1,"expires_at":"tomorrow"}`},
		{2, `{"description":"ci","confirmation_token":"forged.token.value"}`},
		{2, `{"description":"` + strings.Repeat("d", 500) + `","project":{"a":[1,2,3]}}`},
		{2, `{"` + strings.Repeat("k", 5000) + `":1}`},
		{2, `{"a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"g":7,"h":8,"i":9,"j":10,"k":11,"l":12,"m":13}`},
		{0, `[]`},
		{1, `"text"`},
		{2, `null`},
		{1, `{"hardware":"\u202e\u0000"}`},
	} {
		f.Add(seed.tool, seed.args)
	}
	e := newEnv(f, withMode(tools.ConfirmToken))
	c := connect(f, e.srv)
	names := toolNames(f, c)
	require.Contains(f, names, "create_api_key")

	f.Fuzz(func(t *testing.T, which uint8, args string) {
		if !json.Valid([]byte(args)) {
			return // the client cannot send it; the JSON-RPC layer refuses it
		}
		name := names[int(which)%len(names)]
		var req mcp.CallToolRequest
		req.Params.Name = name
		req.Params.Arguments = json.RawMessage(args)
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		res, err := c.CallTool(ctx, req)
		require.NoError(t, err, "%s %s", name, args)
		require.NotNil(t, res)

		if res.IsError {
			text := textOf(res)
			for _, raw := range []string{"input schema validation failed", "invalid arguments:", "&{Got:"} {
				require.NotContains(t, text, raw, "mcp-go's own validation text reached the assistant")
			}
			if strings.HasPrefix(text, "Invalid arguments") {
				require.True(t, strings.HasPrefix(text, "Invalid arguments for "+name+"; nothing was done. "), text)
				require.LessOrEqual(t, len(text), maxExplanation, "an explanation of %d bytes", len(text))
				require.True(t, utf8.ValidString(text))
				require.NotContains(t, text, "\n")
			}
		}
		require.Zero(t, e.createdKeys(), "a key was created without confirmation")
	})
}
