package tools

import (
	"context"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/iocloud-chatops/iocloud/iocloud"
)

// namingHints stand in for config.Hints, which this package cannot import
// (config imports tools for the confirm modes).
var namingHints = iocloud.Hints{
	iocloud.SettingMCPConfirm:    "VAR_CONFIRM",
	iocloud.SettingConfirmSecret: "VAR_SECRET",
	iocloud.SettingStateStore:    "VAR_STATE",
}

// The operator-facing advice names each setting in plain words and, with
// hints, the variable behind it; without hints no variable name appears.
func TestAdviceNamesSettingsThroughHints(t *testing.T) {
	t.Parallel()
	stale := func(h iocloud.Hints) string {
		text, ok := ticketRefusal(h, iocloud.ErrTicketStale, iocloud.Actor{ID: "local"}, "Not created", createKeyTool)
		require.True(t, ok)
		return text
	}
	elicitOnly := func(h iocloud.Hints) string {
		k := &keyTool{mode: ConfirmElicit, hints: h}
		req := mcp.CallToolRequest{}
		req.Params.Name = createKeyTool
		req.Params.Arguments = map[string]any{"description": "ci"}
		res, err := k.handle(context.Background(), req) // no session: the client cannot elicit
		require.NoError(t, err)
		require.True(t, res.IsError)
		return res.Content[0].(mcp.TextContent).Text
	}
	cases := map[string]struct {
		text        func(iocloud.Hints) string
		plain, name string
	}{
		"cancelled":   {cancelledText, "confirm mode to token", "confirm mode (VAR_CONFIRM) to token"},
		"elicit only": {elicitOnly, "confirm mode to token", "confirm mode (VAR_CONFIRM) to token"},
		"stale token": {stale, "shared confirmation secret and a durable state store.", "shared confirmation secret (VAR_SECRET) and a durable state store (VAR_STATE)."},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			plain := c.text(nil)
			assert.Contains(t, plain, c.plain)
			assert.NotContains(t, plain, "VAR_")
			assert.Contains(t, c.text(namingHints), c.name)
		})
	}
}
