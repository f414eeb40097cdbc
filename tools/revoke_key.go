package tools

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"time"

	"github.com/iocloud-chatops/iocloud/iocloud"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

const revokeKeyTool = "revoke_api_key"

// KeyRevoker is the part of the guard revoke_api_key drives: the same
// tickets, limits, approvals and audit as creation, with revocation as the
// action.
type KeyRevoker interface {
	PrepareRevoke(ctx context.Context, actor iocloud.Actor, keyID, binding string) (*iocloud.RevokePending, error)
	ConfirmRevoke(ctx context.Context, actor iocloud.Actor, token, binding, via string) (*iocloud.APIKey, error)
	CancelRevoke(ctx context.Context, actor iocloud.Actor, token, binding, via string) (*iocloud.APIKey, error)
}

type revokeKeyIn struct {
	KeyID             string `json:"key_id"`
	ConfirmationToken string `json:"confirmation_token"`
}

// revokeOut is revoke_api_key's structuredContent (revokeKeyOutputSchema).
type revokeOut struct {
	Status            string         `json:"status"`
	KeyID             string         `json:"key_id,omitempty"`
	Preview           *revokePreview `json:"preview,omitempty"`
	ConfirmationToken string         `json:"confirmation_token,omitempty"`
	ApprovalURL       string         `json:"approval_url,omitempty"`
	ExpiresAt         *time.Time     `json:"expires_at,omitempty"`
	Sandbox           bool           `json:"sandbox"`
}

type revokePreview struct {
	Description string    `json:"description"`
	Display     string    `json:"display"`
	ExpiresAt   time.Time `json:"expires_at"`
}

type revokeTool struct {
	guard     KeyRevoker
	approvals Approvals
	base      func() string
	mode      ConfirmMode
	sandbox   bool
	hints     iocloud.Hints
}

func revokeAPIKey(cfg Config) toolSpec {
	r := &revokeTool{guard: cfg.Revoker, approvals: cfg.Approvals, base: cfg.ApprovalBase, mode: cfg.Confirm, sandbox: cfg.Sandbox, hints: cfg.Hints}
	tool := mcp.NewTool(revokeKeyTool,
		mcp.WithToolTitle("Revoke an io.net API key"),
		mcp.WithDescription(revokeDescription(cfg.Confirm)),
		mcp.WithString("key_id",
			mcp.Required(),
			mcp.Description("The key_id (a UUID) as list_api_keys shows it."),
			mcp.Pattern(uuidPattern)),
		mcp.WithString("confirmation_token",
			mcp.Description("Only on a later call: the confirmation_token from the first answer, with the same key_id."),
			mcp.MinLength(1), mcp.MaxLength(4096)),
		mcp.WithReadOnlyHintAnnotation(false),
		mcp.WithDestructiveHintAnnotation(true),
		mcp.WithIdempotentHintAnnotation(false),
		mcp.WithOpenWorldHintAnnotation(true),
		mcp.WithRawOutputSchema(revokeKeyOutputSchema),
	)
	return toolSpec{tool: tool, handler: r.handle, hints: map[string]string{
		"key_id":             "the key_id UUID from list_api_keys, e.g. \"0b8e6c4e-1c0a-4a55-9a4e-1d6f2b0c7e11\"",
		"confirmation_token": "the confirmation_token string from the previous answer, unchanged",
	}}
}

func revokeDescription(mode ConfirmMode) string {
	const base = "Revoke (permanently delete) an io.net API key; anything using it stops working. Nothing is revoked until " +
		"the user approves exactly this revocation. An unknown key_id is reported at once. "
	switch mode {
	case ConfirmToken:
		return base + "The first call returns confirmation_required with a preview and a confirmation_token; only if the user " +
			"agrees, call again with the same key_id plus confirmation_token. Note: in this mode you, the assistant, can " +
			"complete the confirmation yourself, so this server relies on your host asking the user before each tool call."
	case ConfirmElicit:
		return base + "Your client shows the user a confirmation prompt."
	}
	return base + "Either your client shows a confirmation prompt, or the first call returns approval_required with an " +
		"approval_url for the user; your later calls with the confirmation_token only report the outcome."
}

func (r *revokeTool) handle(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	var in revokeKeyIn
	if err := req.BindArguments(&in); err != nil {
		return failuref("Not revoked: the arguments could not be read. Send key_id (a UUID from list_api_keys)."), nil
	}
	actor := actorFrom(ctx)
	rest := maps.Clone(req.GetArguments())
	delete(rest, "confirmation_token")
	binding := iocloud.Digest(map[string]any{"tool": revokeKeyTool, "arguments": rest})
	canElicit := clientCanElicit(ctx)

	if _, answered := server.InputResponse(req.Params.InputResponses, approvalInput); answered {
		return r.pageRetry(ctx, actor, req, binding), nil
	}
	if _, answered := server.InputResponse(req.Params.InputResponses, confirmInput); answered && (r.mode == ConfirmElicit || r.mode == ConfirmAuto) {
		return r.answered(ctx, actor, req, binding), nil
	}
	pageMode := r.mode == ConfirmURL || (r.mode == ConfirmAuto && !canElicit)
	if in.ConfirmationToken != "" {
		switch {
		case pageMode:
			return r.status(ctx, actor, in.ConfirmationToken, binding), nil
		case r.mode == ConfirmToken:
			return r.confirm(ctx, actor, in.ConfirmationToken, binding, iocloud.ViaToken), nil
		default:
			return failuref("Not revoked: this server asks the user through your client's prompt, not with a " +
				"confirmation_token. Call revoke_api_key again with only key_id."), nil
		}
	}
	if r.mode == ConfirmElicit && !canElicit {
		return failuref("Not revoked: this server confirms revocations only through your client's confirmation prompt " +
			"(MCP elicitation), which your client did not declare."), nil
	}
	p, err := r.guard.PrepareRevoke(ctx, actor, in.KeyID, binding)
	if err != nil {
		return r.failed(err, actor), nil
	}
	preview := &revokePreview{Description: p.Key.Description, Display: p.Key.Display, ExpiresAt: p.Key.ExpiresAt.UTC()}
	expires := p.ExpiresAt.UTC()
	switch {
	case pageMode:
		a, err := r.approvals.OpenApproval(ctx, actor, p.Token, binding)
		if err != nil {
			return failure(r.hints, err), nil
		}
		link := approvalURL(r.base(), a.ID)
		if clientCanOpenURL(ctx) {
			return openPage(p.Token, a.TicketID, link, "Revoke "+revokeText(p.Key)+"? Anything using it stops working. "+
				"Open the approval page to approve or cancel (valid until "+stamp(expires)+")."), nil
		}
		out := revokeOut{Status: statusApprovalRequired, KeyID: p.Key.KeyID, Preview: preview, ConfirmationToken: p.Token,
			ApprovalURL: link, ExpiresAt: &expires, Sandbox: r.sandbox}
		return structured(out, "Nothing was revoked. The user must approve revoking "+revokeText(p.Key)+
			" on this page (valid until "+stamp(expires)+"): "+link), nil
	case r.mode == ConfirmToken:
		out := revokeOut{Status: statusConfirmationRequired, KeyID: p.Key.KeyID, Preview: preview, ConfirmationToken: p.Token,
			ExpiresAt: &expires, Sandbox: r.sandbox}
		return structured(out, "Nothing was revoked yet. Ask the user whether to revoke "+revokeText(p.Key)+
			". Only if they agree, call revoke_api_key again with the same key_id plus confirmation_token."), nil
	}
	return server.NewInputRequestBuilder(p.Token).
		Elicit(confirmInput, mcp.ElicitationParams{
			Mode:            mcp.ElicitationModeForm,
			Message:         "Revoke " + revokeText(p.Key) + "? Anything using it stops working.",
			RequestedSchema: revokeFormSchema,
		}).
		ToolResult(), nil
}

func (r *revokeTool) answered(ctx context.Context, actor iocloud.Actor, req mcp.CallToolRequest, binding string) *mcp.CallToolResult {
	state := req.Params.RequestState
	if state == "" {
		return failuref("Not revoked: a confirmation answer arrived without the state this server issues. Call revoke_api_key again.")
	}
	if accepted(server.ElicitationResponse(req.Params.InputResponses, confirmInput)) {
		return r.confirm(ctx, actor, state, binding, iocloud.ViaElicitation)
	}
	if _, err := r.guard.CancelRevoke(ctx, actor, state, binding, iocloud.ViaElicitation); err != nil {
		return r.failed(err, actor)
	}
	return structured(revokeOut{Status: statusCancelled, Sandbox: r.sandbox}, "Not revoked: the user declined. The key still works.")
}

func (r *revokeTool) confirm(ctx context.Context, actor iocloud.Actor, token, binding, via string) *mcp.CallToolResult {
	key, err := r.guard.ConfirmRevoke(ctx, actor, token, binding, via)
	if err != nil {
		return r.failed(err, actor)
	}
	return structured(revokeOut{Status: iocloud.OutcomeRevoked, KeyID: key.KeyID, Sandbox: r.sandbox}, "Revoked "+revokeText(*key)+".")
}

func (r *revokeTool) status(ctx context.Context, actor iocloud.Actor, token, binding string) *mcp.CallToolResult {
	a, err := r.approvals.ApprovalStatus(ctx, actor, revokeKeyTool, token, binding)
	if err != nil {
		return r.failed(err, actor)
	}
	out := revokeOut{Status: a.Status, KeyID: a.KeyID, Sandbox: r.sandbox}
	switch a.Status {
	case iocloud.ApprovalPending, iocloud.ApprovalWorking:
		out.Status, out.ApprovalURL = statusApprovalPending, approvalURL(r.base(), a.ID)
		return structured(out, "The user has not decided yet; nothing was revoked. The approval link is "+out.ApprovalURL)
	case iocloud.OutcomeRevoked:
		return structured(out, "The user approved: key "+a.KeyID+" was revoked.")
	case iocloud.OutcomeCancelled:
		return structured(out, "The user cancelled; the key still works.")
	}
	res := structured(out, "The approval ended as "+a.Status+". "+a.Reason)
	res.IsError = true
	return res
}

// failed is the answer when nothing was revoked: not_found for an unknown
// key (before or after approval), the outcome word for an unclear one.
func (r *revokeTool) failed(err error, actor iocloud.Actor) *mcp.CallToolResult {
	if text, ok := ticketRefusal(r.hints, err, actor, "Not revoked", revokeKeyTool); ok {
		return failuref(text)
	}
	advice := r.hints.Advice(err)
	var fail *iocloud.RevokeFailure
	switch {
	case errors.Is(err, iocloud.ErrKeyNotFound):
		res := structured(revokeOut{Status: iocloud.OutcomeNotFound, Sandbox: r.sandbox}, advice)
		res.IsError = true
		return res
	case errors.As(err, &fail):
		res := structured(revokeOut{Status: fail.Outcome, KeyID: fail.KeyID, Sandbox: r.sandbox}, advice)
		res.IsError = true
		return res
	}
	return failuref("Not revoked. " + advice)
}

func revokeText(k iocloud.APIKey) string {
	return fmt.Sprintf("key %s (%q, shown as %s, expiring %s)", k.KeyID, k.Description, k.Display, stamp(k.ExpiresAt))
}

var revokeFormSchema = confirmForm("Revoke this API key", "Tick to revoke exactly the key described above.")
