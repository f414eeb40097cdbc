package tools

import (
	"context"
	"log/slog"

	"github.com/iocloud-chatops/iocloud/iocloud"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// failure is the isError result for a core error. The text is the core's own
// advice (what went wrong and what to do: check the API key, wait N
// seconds, fix field X, get a JWT), so the MCP and Slack frontends say the
// same thing and neither keeps its own mapping.
func failure(h iocloud.Hints, err error) *mcp.CallToolResult {
	return mcp.NewToolResultError(h.Advice(err))
}

// failuref is an isError result for problems the tools find themselves
// (arguments that pass the schema but still make no sense).
func failuref(text string) *mcp.CallToolResult {
	return mcp.NewToolResultError(text)
}

// errorsAsResults turns a Go error that escaped a handler (including a panic
// that WithRecovery caught) into an isError result. mcp-go would answer it
// with JSON-RPC -32603, which most assistants never show the model; an
// isError result is something it can read and act on. The detail goes to the
// operator log only, since a panic message may carry internal state.
func errorsAsResults(logger *slog.Logger) server.ToolHandlerMiddleware {
	return func(next server.ToolHandlerFunc) server.ToolHandlerFunc {
		return func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			res, err := next(ctx, req)
			if err == nil {
				return res, nil
			}
			logger.ErrorContext(ctx, "tool failed", "tool", req.Params.Name, "err", err)
			return mcp.NewToolResultError("Internal error in " + req.Params.Name +
				"; it was logged for the operator. Try again; if it keeps failing, ask the operator to check the server log."), nil
		}
	}
}
