package tools

import (
	"context"
	"fmt"

	"github.com/iocloud-chatops/iocloud/iocloud"
	"github.com/mark3labs/mcp-go/mcp"
)

// Statuses of the approval-page path.
const (
	statusApprovalRequired = "approval_required"
	statusApprovalPending  = "approval_pending"
	secretOnApprovalPage   = iocloud.ViaApprovalPage
)

// usesApprovalPage: url mode always; auto mode when the client cannot show
// a form. The assistant's calls then never perform the action.
func (k *keyTool) usesApprovalPage(canElicit bool) bool {
	return k.mode == ConfirmURL || (k.mode == ConfirmAuto && !canElicit)
}

func createKeyDescription(mode ConfirmMode) string {
	const base = "Create an io.net API key. Nothing is created until the user approves exactly this request. "
	switch mode {
	case ConfirmToken:
		return base + "The first call returns status confirmation_required with a preview and a confirmation_token; show the " +
			"preview to the user and, only if they agree, call again with the same arguments plus confirmation_token. " +
			"Note: in this mode you, the assistant, can complete the confirmation yourself, so this server relies on your " +
			"host asking the user before each tool call. The new key's secret is shown once."
	case ConfirmElicit:
		return base + "Your client shows the user a confirmation prompt; the new key's secret is shown once."
	}
	return base + "Either your client shows a confirmation prompt, or the first call returns status approval_required " +
		"with an approval_url: give that link to the user, who approves or cancels on that page (the secret is shown " +
		"to them there, never to you). Afterwards you may call again with the same arguments plus the " +
		"confirmation_token to learn the outcome (approval_pending, created, cancelled); your calls never create the key."
}

// requestApproval prepares the action (policy, limits; nothing created) and
// files it for the approval page.
func (k *keyTool) requestApproval(ctx context.Context, actor iocloud.Actor, in createKeyIn, binding string) *mcp.CallToolResult {
	pending, bad := k.prepare(ctx, actor, in, binding)
	if bad != nil {
		return bad
	}
	a, err := k.approvals.OpenApproval(ctx, actor, pending.Token, binding)
	if err != nil {
		return failure(k.hints, err)
	}
	link := approvalURL(k.base(), a.ID)
	expires := pending.ExpiresAt.UTC()
	if clientCanOpenURL(ctx) {
		return openPage(pending.Token, a.TicketID, link, previewText(pending.Request, k.sandbox)+
			"\nOpen the approval page to approve or cancel it (valid until "+stamp(expires)+"). The key's secret is shown there, once.")
	}
	out := keyOut{
		Status:            statusApprovalRequired,
		ApprovalURL:       link,
		ConfirmationToken: pending.Token,
		ExpiresAt:         &expires,
		Preview:           previewOf(pending.Request),
		Sandbox:           k.sandbox,
	}
	text := "Nothing was created. The user must approve this request themselves:\n" + previewText(pending.Request, k.sandbox) +
		"\nGive the user this link to approve or cancel it (valid until " + stamp(expires) + "): " + link +
		"\nThe key's secret will be shown to them on that page, not here. To learn the outcome later, call " +
		"create_api_key again with the same arguments plus confirmation_token."
	return structured(out, text)
}

// approvalStatus answers the assistant's follow-up call: the approval's
// state, never the secret and never an action.
func (k *keyTool) approvalStatus(ctx context.Context, actor iocloud.Actor, token, binding string) *mcp.CallToolResult {
	a, err := k.approvals.ApprovalStatus(ctx, actor, createKeyTool, token, binding)
	if err != nil {
		return k.notCreated(err, actor)
	}
	out := keyOut{Status: a.Status, Sandbox: k.sandbox}
	switch a.Status {
	case iocloud.ApprovalPending, iocloud.ApprovalWorking:
		out.Status = statusApprovalPending
		out.ApprovalURL = approvalURL(k.base(), a.ID)
		expires := a.ExpiresAt.UTC()
		out.ExpiresAt = &expires
		out.Preview = previewOf(a.Request)
		return structured(out, "The user has not decided yet. Nothing was created. The approval link is "+out.ApprovalURL+
			" (valid until "+stamp(expires)+").")
	case iocloud.OutcomeCreated:
		expires := a.Request.ExpiresAt.UTC()
		out.KeyID, out.Display, out.Description, out.Project = a.KeyID, a.Display, a.Request.Description, a.Request.Project
		out.Scopes, out.ExpiresAt, out.SecretDelivery = nonNil(a.Request.Scopes), &expires, secretOnApprovalPage
		return structured(out, fmt.Sprintf("The user approved: key %s (shown as %s) was created, expiring %s. Its secret "+
			"was shown to the user on the approval page and is not available here.", a.KeyID, a.Display, stamp(expires)))
	case iocloud.OutcomeCancelled:
		return structured(keyOut{Status: statusCancelled, Sandbox: k.sandbox}, "The user cancelled on the approval page. Nothing was created.")
	}
	out.KeyID, out.Display = a.KeyID, a.Display
	res := structured(out, "The approval ended as "+a.Status+". "+a.Reason)
	res.IsError = a.Status != iocloud.OutcomeCreated
	return res
}

func previewOf(r iocloud.KeyRequest) *keyPreview {
	return &keyPreview{Description: r.Description, Project: r.Project, Scopes: nonNil(r.Scopes), ExpiresAt: r.ExpiresAt.UTC()}
}
