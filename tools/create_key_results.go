package tools

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/iocloud-chatops/iocloud/iocloud"
	"github.com/mark3labs/mcp-go/mcp"
)

// Statuses of create_api_key's answer.
const (
	statusCreated              = "created"
	statusConfirmationRequired = "confirmation_required"
	statusCancelled            = iocloud.OutcomeCancelled
)

// keyOut is create_api_key's structuredContent (createKeyOutputSchema). One
// shape for all three statuses; fields that do not apply are left out.
type keyOut struct {
	Status            string      `json:"status"`
	KeyID             string      `json:"key_id,omitempty"`
	Display           string      `json:"display,omitempty"`
	Description       string      `json:"description,omitempty"`
	Project           string      `json:"project,omitempty"`
	Scopes            []string    `json:"scopes,omitempty"`
	ExpiresAt         *time.Time  `json:"expires_at,omitempty"`
	APIKey            string      `json:"api_key,omitempty"`
	SavedTo           string      `json:"saved_to,omitempty"`
	ConfirmationToken string      `json:"confirmation_token,omitempty"`
	ApprovalURL       string      `json:"approval_url,omitempty"`
	SecretDelivery    string      `json:"secret_delivery,omitempty"`
	Preview           *keyPreview `json:"preview,omitempty"`
	Sandbox           bool        `json:"sandbox"`
}

type keyPreview struct {
	Description string    `json:"description"`
	Project     string    `json:"project"`
	Scopes      []string  `json:"scopes"`
	ExpiresAt   time.Time `json:"expires_at"`
}

// cancelledText is said whenever a confirmation ends without a key. Some
// hosts declare elicitation yet decline without ever showing the prompt, so
// a decline must not read as the person's considered "no".
func cancelledText(h iocloud.Hints) string {
	return "Not created: the confirmation was declined, or your client could not show the prompt. " +
		"Nothing was created. If no prompt appeared, an operator can set the server's confirm mode" + h.Of(iocloud.SettingMCPConfirm) +
		" to token so that keys are confirmed in the conversation with a confirmation_token instead."
}

func (k *keyTool) cancelled() *mcp.CallToolResult {
	text := cancelledText(k.hints)
	if k.sandbox {
		text += " (This server serves sandbox data, not real io.net.)"
	}
	return structured(keyOut{Status: statusCancelled, Sandbox: k.sandbox}, text)
}

// confirmationRequired is the first half of the two-step path: nothing was
// created; the preview and the token go back to the assistant.
func (k *keyTool) confirmationRequired(p *iocloud.Pending) *mcp.CallToolResult {
	expires := p.ExpiresAt.UTC()
	out := keyOut{
		Status:            statusConfirmationRequired,
		ConfirmationToken: p.Token,
		ExpiresAt:         &expires,
		Preview: &keyPreview{
			Description: p.Request.Description,
			Project:     p.Request.Project,
			Scopes:      nonNil(p.Request.Scopes),
			ExpiresAt:   p.Request.ExpiresAt.UTC(),
		},
		Sandbox: k.sandbox,
	}
	text := "Nothing was created yet. Show the user this and ask whether to create it:\n" +
		previewText(p.Request, k.sandbox) + "\n" +
		fmt.Sprintf("Only if they agree, call create_api_key again with exactly the same arguments plus "+
			"confirmation_token %q (single use, valid until %s). If they do not agree, do nothing.",
			p.Token, stamp(expires))
	if p.JWT.ExpiresSoon {
		text += " Note for the operator: the io.net session token" + k.hints.Of(iocloud.SettingJWT) + " expires on " +
			stamp(p.JWT.ExpiresAt) + "; key creation stops then until it is replaced."
	}
	return structured(out, text)
}

// deliver hands the new key over: its secret into the answer, or, with a
// key output directory, into a new 0600 file whose path is all the
// assistant sees.
func (k *keyTool) deliver(created *iocloud.CreatedKey) *mcp.CallToolResult {
	key := created.Key
	expires := key.ExpiresAt.UTC()
	out := keyOut{
		Status:      statusCreated,
		KeyID:       key.KeyID,
		Display:     key.Display,
		Description: key.Description,
		Project:     key.Project,
		Scopes:      nonNil(key.Scopes),
		ExpiresAt:   &expires,
		Sandbox:     k.sandbox,
	}
	summary := fmt.Sprintf("Created io.net API key %q (key id %s, shown as %s) in project %s with scopes %s, expiring %s (%s).",
		key.Description, key.KeyID, key.Display, key.Project, strings.Join(key.Scopes, ", "), stamp(expires), keySource(k.sandbox))
	if k.outputDir != "" {
		path, err := saveSecret(k.outputDir, created)
		if err != nil {
			return failuref(fmt.Sprintf("The key %s (shown as %s) was created, but its secret could not be saved in "+
				"the server's key output directory%s (%v), and this server does not show secrets in the conversation. "+
				"Revoke the key in io.net's console and ask the operator to fix the directory.",
				key.KeyID, key.Display, k.hints.Of(iocloud.SettingKeyOutputDir), err))
		}
		out.SavedTo = path
		return structured(out, summary+" The secret was saved to "+path+" (readable only by the server's user); it is not shown here.")
	}
	out.APIKey = created.Secret.Reveal()
	return structured(out, summary+" This is the only time the secret is shown; store it now: "+out.APIKey)
}

// notCreated is the isError result for a confirmation the guard refused
// (expired, reused, for other arguments, forged) or a confirmed creation
// that delivered no secret; the latter carries its outcome word
// (created_secret_unavailable, not_created, unknown) as the status.
func (k *keyTool) notCreated(err error, actor iocloud.Actor) *mcp.CallToolResult {
	if text, ok := ticketRefusal(k.hints, err, actor, "Not created", createKeyTool); ok {
		return failuref(text)
	}
	advice := k.hints.Advice(err)
	var fail *iocloud.CreateFailure
	if errors.As(err, &fail) {
		out := keyOut{Status: fail.Outcome, Sandbox: k.sandbox}
		if fail.Key != nil {
			out.KeyID, out.Display = fail.Key.KeyID, fail.Key.Display
		}
		res := structured(out, advice)
		res.IsError = true
		return res
	}
	if errors.Is(err, iocloud.ErrApprovalOnPage) {
		return failuref(advice) // the advice already says nothing was done, and why
	}
	return failuref("Not created. " + advice)
}

// previewText is exactly what will be created, for the elicitation prompt
// and the token path's answer alike.
func previewText(r iocloud.KeyRequest, sandbox bool) string {
	var b strings.Builder
	b.WriteString("Create this io.net API key?\n")
	// Quoted, so a description with line breaks cannot pose as more lines.
	fmt.Fprintf(&b, "- description: %q\n", r.Description)
	fmt.Fprintf(&b, "- project: %q\n", r.Project)
	fmt.Fprintf(&b, "- scopes: %s\n", strings.Join(r.Scopes, ", "))
	fmt.Fprintf(&b, "- expires: %s\n", stamp(r.ExpiresAt))
	if sandbox {
		b.WriteString("(sandbox data: the key is created in the simulator, not on io.net)")
	} else {
		b.WriteString("(a real key on io.net)")
	}
	return b.String()
}

func keySource(sandbox bool) string {
	if sandbox {
		return "sandbox data: a simulator key, not a real io.net key"
	}
	return "a real io.net key"
}
