package tools

import (
	"context"
	"fmt"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// clientLogger is the logger name on every notifications/message we send.
const clientLogger = "iocloud"

// logToClient tells the client, through notifications/message at the level
// it chose with logging/setLevel (mcp-go filters; the default is "error",
// so nothing is sent until a client asks), what its tool calls did: debug
// when one starts, info when it answers, warning when the answer is an
// error result.
//
// What goes out is fixed text plus the tool's name, a duration and an
// outcome. Never arguments (a description is the user's text, a
// confirmation_token is a capability) and never results (create_api_key's
// holds the new secret); the assistant already has both.
func logToClient(ref *serverRef) server.ToolHandlerMiddleware {
	return func(next server.ToolHandlerFunc) server.ToolHandlerFunc {
		return func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			name := req.Params.Name
			send(ctx, ref, mcp.LoggingLevelDebug, map[string]any{
				"message": fmt.Sprintf("%s called", name),
				"tool":    name,
			})
			start := time.Now()
			res, err := next(ctx, req)
			took := time.Since(start).Milliseconds()
			level, outcome, message := mcp.LoggingLevelInfo, "ok", fmt.Sprintf("%s answered in %d ms", name, took)
			if err != nil || (res != nil && res.IsError) {
				level, outcome = mcp.LoggingLevelWarning, "error"
				message = fmt.Sprintf("%s answered with an error after %d ms; the result says what to do", name, took)
			}
			send(ctx, ref, level, map[string]any{
				"message":     message,
				"tool":        name,
				"outcome":     outcome,
				"duration_ms": took,
			})
			return res, err
		}
	}
}

// send delivers one log message to the caller's session. A client that
// cannot receive log messages (no session, a transport without logging)
// simply gets none: logging must never fail a tool call.
func send(ctx context.Context, ref *serverRef, level mcp.LoggingLevel, data map[string]any) {
	if ref.srv == nil {
		return
	}
	_ = ref.srv.SendLogMessageToClient(ctx, mcp.NewLoggingMessageNotification(level, clientLogger, data))
}
