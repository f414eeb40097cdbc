package tools

import (
	"context"

	"github.com/iocloud-chatops/iocloud/iocloud"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// approvalInput is the id of the URL-mode elicitation that opens the
// approval page, in the multi round-trip exchange.
const approvalInput = "approval"

// clientCanOpenURL reports whether the client making this request declared
// URL-mode elicitation (capabilities.elicitation.url): it can open the
// approval page for the person itself. Judged like clientCanElicit: a
// modern request on its own _meta, a legacy one on its session.
func clientCanOpenURL(ctx context.Context) bool {
	if info := server.RequestProtocolInfoFromContext(ctx); info != nil && info.Modern {
		return info.ClientCapabilities != nil && urlElicitation(info.ClientCapabilities.Elicitation)
	}
	if s, ok := server.ClientSessionFromContext(ctx).(server.SessionWithClientInfo); ok {
		return urlElicitation(s.GetClientCapabilities().Elicitation)
	}
	return false
}

func urlElicitation(c *mcp.ElicitationCapability) bool {
	return c != nil && c.URL != nil
}

// openPage asks the client to open the approval page (URL-mode
// elicitation). The round-trip state is the ticket, which the retry needs to
// find the approval; the elicitation id is the ticket id, which is no
// capability (the page's id in the URL is).
//
// The client's answer only says whether the person agreed to open the
// page; the decision is made on the page, so the retry never acts.
func openPage(token, ticketID, link, message string) *mcp.CallToolResult {
	return server.NewInputRequestBuilder(token).
		Elicit(approvalInput, mcp.ElicitationParams{
			Mode:          mcp.ElicitationModeURL,
			Message:       message,
			URL:           link,
			ElicitationID: ticketID,
		}).
		ToolResult()
}

// pageAnswer reads the retry that carries the client's answer to openPage:
// the round-trip state (the ticket) and whether the client opened the page.
// ok is false when the answer came without the state this server issues.
func pageAnswer(req mcp.CallToolRequest) (token string, opened bool, ok bool) {
	token = req.Params.RequestState
	if token == "" {
		return "", false, false
	}
	ans := server.ElicitationResponse(req.Params.InputResponses, approvalInput)
	return token, ans != nil && ans.Action == mcp.ElicitationResponseActionAccept, true
}

// notOpenedNote is prepended when the client answered the URL elicitation
// without opening the page (declined, cancelled, or it could not): the
// approval still waits, so the link must reach the person another way.
const notOpenedNote = "Your client did not open the approval page (declined or cancelled); the request still waits. " +
	"Give the user the approval_url below. "

// withNote prefixes a result's text.
func withNote(res *mcp.CallToolResult, note string) *mcp.CallToolResult {
	for i, c := range res.Content {
		if tc, ok := c.(mcp.TextContent); ok {
			tc.Text = note + tc.Text
			res.Content[i] = tc
			return res
		}
	}
	return res
}

// pageRetry answers the retry after the client opened (or would not open)
// the approval page: the approval's state, never the action. A pending
// answer carries the confirmation_token, which the assistant has not seen
// yet and needs to ask for the outcome later.
func (k *keyTool) pageRetry(ctx context.Context, actor iocloud.Actor, req mcp.CallToolRequest, binding string) *mcp.CallToolResult {
	return pageRetry(req, "Not created: an answer to the approval page arrived without the state this server issues. "+
		"Call create_api_key again with only its arguments.",
		func(token string) *mcp.CallToolResult { return k.approvalStatus(ctx, actor, token, binding) })
}

func (r *revokeTool) pageRetry(ctx context.Context, actor iocloud.Actor, req mcp.CallToolRequest, binding string) *mcp.CallToolResult {
	return pageRetry(req, "Not revoked: an answer to the approval page arrived without the state this server issues. "+
		"Call revoke_api_key again with only key_id.",
		func(token string) *mcp.CallToolResult { return r.status(ctx, actor, token, binding) })
}

// pageRetry is the part both key tools share: the token from the page's
// round-trip state, the approval's status for it, and a note when the client
// did not open the page.
func pageRetry(req mcp.CallToolRequest, noState string, status func(token string) *mcp.CallToolResult) *mcp.CallToolResult {
	token, opened, ok := pageAnswer(req)
	if !ok {
		return failuref(noState)
	}
	res := status(token)
	addToken(res, token)
	if !opened && !res.IsError {
		res = withNote(res, notOpenedNote)
	}
	return res
}

// addToken puts the token into a structured status answer that is still
// pending (keyOut or revokeOut), so a later call can ask for the outcome.
func addToken(res *mcp.CallToolResult, token string) {
	switch out := res.StructuredContent.(type) {
	case keyOut:
		if out.Status != statusApprovalPending {
			return
		}
		out.ConfirmationToken = token
		res.StructuredContent = out
	case revokeOut:
		if out.Status != statusApprovalPending {
			return
		}
		out.ConfirmationToken = token
		res.StructuredContent = out
	default:
		return
	}
	for i, c := range res.Content {
		if tc, ok := c.(mcp.TextContent); ok {
			tc.Text += " To learn the outcome later, call again with the same arguments plus confirmation_token " + token + "."
			res.Content[i] = tc
			return
		}
	}
}
