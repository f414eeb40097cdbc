package tools

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/iocloud-chatops/iocloud/iocloud"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// ConfirmMode is how create_api_key asks the person before creating a key
// (IOCLOUD_MCP_CONFIRM).
type ConfirmMode string

const (
	// ConfirmAuto asks through MCP form elicitation when the client
	// declared it, and otherwise sends the person to the approval page.
	ConfirmAuto ConfirmMode = "auto"
	// ConfirmElicit only asks through elicitation; the tool is hidden from,
	// and refused to, clients that cannot elicit.
	ConfirmElicit ConfirmMode = "elicit"
	// ConfirmToken always uses the two-step confirmation_token, for hosts
	// that declare elicitation but cannot show the prompt. The assistant
	// itself can complete it, so it relies on the host's own per-call
	// approval; only by explicit choice.
	ConfirmToken ConfirmMode = "token"
	// ConfirmURL always sends the person to the approval page; the
	// assistant's calls only report its state.
	ConfirmURL ConfirmMode = "url"
)

// confirmModes is every mode, in the order help texts list them.
var confirmModes = []ConfirmMode{ConfirmAuto, ConfirmElicit, ConfirmURL, ConfirmToken}

// ConfirmModes lists every mode's name: config checks
// IOCLOUD_MCP_CONFIRM against it and help texts show it.
func ConfirmModes() []string {
	out := make([]string, len(confirmModes))
	for i, m := range confirmModes {
		out[i] = string(m)
	}
	return out
}

// ParseConfirmMode reads an IOCLOUD_MCP_CONFIRM value.
func ParseConfirmMode(s string) (ConfirmMode, error) {
	if m := ConfirmMode(s); slices.Contains(confirmModes, m) {
		return m, nil
	}
	return "", fmt.Errorf("confirm mode: got %q, send %s", s, orList(ConfirmModes()))
}

// orList writes items as "a, b, c or d".
func orList(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " or " + items[len(items)-1]
}

// clientCanElicit reports whether the client making this request declared
// form elicitation. mcp-go does not check this before sending an
// elicitation, and a client without it gets a JSON-RPC error instead of a
// result, so the tool checks first and falls back to the token.
//
// Modern (2026-07-28) requests carry their capabilities in _meta and must be
// judged on those alone; legacy ones declared them once, at initialize, on
// their session. A stateless legacy HTTP request has neither and falls back,
// which is the safe direction.
func clientCanElicit(ctx context.Context) bool {
	if info := server.RequestProtocolInfoFromContext(ctx); info != nil && info.Modern {
		return info.ClientCapabilities != nil && formElicitation(info.ClientCapabilities.Elicitation)
	}
	if s, ok := server.ClientSessionFromContext(ctx).(server.SessionWithClientInfo); ok {
		return formElicitation(s.GetClientCapabilities().Elicitation)
	}
	return false
}

// formElicitation: an empty elicitation capability means form mode; a
// client that lists modes must list form, the only one used here.
func formElicitation(c *mcp.ElicitationCapability) bool {
	if c == nil {
		return false
	}
	return c.Form != nil || c.URL == nil
}

// actorFrom names who is asking, for the guard's tickets, limits and audit
// records: the caller the transport authenticated ("oauth:<sub>",
// "token:<name>", "token:shared"), or "local" under stdio and loopback HTTP
// without tokens. Never the MCP session: a session id is chosen per
// connection, so binding to it refused the same person on their next
// connection and, worse, anyone who presented that id was taken for them.
func actorFrom(ctx context.Context) iocloud.Actor {
	c := callerOf(ctx)
	name := c.Name
	if c.Email != "" {
		name = c.Email
	}
	return iocloud.Actor{Frontend: "mcp", ID: c.ID, Name: name}
}
