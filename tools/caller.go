package tools

import (
	"context"
	"fmt"
	"slices"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/iocloud-chatops/iocloud/iocloud"
)

// Caller is who is calling the tools, as the transport established it. The
// tools never decide this themselves: stdio has one local user, and over HTTP
// the transport authenticates the request (OAuth access token, named token,
// shared token) before MCP sees it.
type Caller struct {
	// ID is the identity tickets, limits and audit records are bound to:
	// "oauth:<sub>", "token:<name>", "token:shared" or "local".
	ID string
	// Name is for people reading the audit: the email or name the identity
	// provider gave, or the token's name. May be empty.
	Name string
	// Email is an address the identity provider vouched for
	// (email_verified), matched against IOCLOUD_MCP_KEY_CREATORS; empty when
	// there is none.
	Email string
}

// LocalCaller is the caller under stdio, and over HTTP on loopback without
// any token: the person at this machine.
var LocalCaller = Caller{ID: "local"}

type callerKey struct{}

// WithCaller returns ctx carrying c; the HTTP transport calls it for every
// request it has authenticated.
func WithCaller(ctx context.Context, c Caller) context.Context {
	return context.WithValue(ctx, callerKey{}, c)
}

// CallerFrom is the caller ctx carries, and whether there was one.
func CallerFrom(ctx context.Context) (Caller, bool) {
	c, ok := ctx.Value(callerKey{}).(Caller)
	return c, ok && c.ID != ""
}

// callerOf is the caller ctx carries, or LocalCaller: a request no transport
// authenticated came from stdio (or loopback HTTP without tokens).
func callerOf(ctx context.Context) Caller {
	if c, ok := CallerFrom(ctx); ok {
		return c
	}
	return LocalCaller
}

// keyChangingTools are the tools IOCLOUD_MCP_KEY_CREATORS restricts: every
// tool that creates or revokes an io.net key.
var keyChangingTools = []string{createKeyTool, revokeKeyTool}

// mayChangeKeys reports whether c may use the key-changing tools: everyone
// when no creators are listed, else those whose ID or verified email is
// listed.
func mayChangeKeys(creators []string, c Caller) bool {
	if len(creators) == 0 {
		return true
	}
	return slices.ContainsFunc(creators, func(entry string) bool {
		return entry == c.ID || (c.Email != "" && iocloud.IsAddressEntry(entry) && iocloud.SameAddress(entry, c.Email))
	})
}

// hideKeyToolsFromOthers removes the key-changing tools from tools/list for
// callers not in KeyCreators. It is a list hook rather than a tool filter
// because mcp-go's filters also answer a call with a bare "tool not found"
// protocol error; refuseKeyToolsToOthers answers the call instead, by name.
func hideKeyToolsFromOthers(creators []string) server.OnAfterListToolsFunc {
	return func(ctx context.Context, _ any, _ *mcp.ListToolsRequest, result *mcp.ListToolsResult) {
		if result == nil || mayChangeKeys(creators, callerOf(ctx)) {
			return
		}
		result.Tools = slices.DeleteFunc(slices.Clone(result.Tools), func(t mcp.Tool) bool {
			return slices.Contains(keyChangingTools, t.Name)
		})
	}
}

// refuseKeyToolsToOthers answers a call of a key-changing tool by someone not
// in KeyCreators with an isError result naming the tool and the caller,
// before the tool (and so the guard) runs.
func refuseKeyToolsToOthers(creators []string, h iocloud.Hints) server.ToolHandlerMiddleware {
	return func(next server.ToolHandlerFunc) server.ToolHandlerFunc {
		return func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			c := callerOf(ctx)
			if slices.Contains(keyChangingTools, req.Params.Name) && !mayChangeKeys(creators, c) {
				return failuref(fmt.Sprintf("Refused: %s is only for the people this server's operator listed as "+
					"key creators%s, and you (%s) are not one of them. Nothing was changed. "+
					"Ask the operator to add you, or ask someone listed to do it.", req.Params.Name, h.Of(iocloud.SettingMCPKeyCreators), c.ID)), nil
			}
			return next(ctx, req)
		}
	}
}
