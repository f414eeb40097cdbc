package main

import (
	"context"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/require"
)

// The official go-sdk client over HTTP in the 2026-07-28 era sends its
// notifications (a call's cancellation, the end of a subscription) without
// _meta. mcp-go answered them 400, and the client closed its whole session
// at that: one cancelled call made every later call fail.
func TestGoSDKCancelledCallKeepsTheSessionOverHTTP(t *testing.T) {
	t.Parallel()
	srv := startHTTP(t, baseEnv(), "--sandbox")
	cs := httpSession(t, srv.url, nil, nil, "2026-07-28")

	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the call is cancelled as it starts: the client sends notifications/cancelled
	_, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "list_hardware", Arguments: map[string]any{}})
	require.Error(t, err)

	ctx, stop := context.WithTimeout(context.Background(), 20*time.Second)
	defer stop()
	require.NoError(t, cs.Subscribe(ctx, &mcp.SubscribeParams{URI: "iocloud://hardware"}))
	require.NoError(t, cs.Unsubscribe(ctx, &mcp.UnsubscribeParams{URI: "iocloud://hardware"}))

	res := callTool(t, cs, "list_hardware", map[string]any{})
	require.False(t, res.IsError)
}
