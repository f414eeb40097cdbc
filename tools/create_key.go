package tools

import (
	"context"
	"fmt"
	"maps"
	"time"

	"github.com/iocloud-chatops/iocloud/iocloud"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

const (
	createKeyTool = "create_api_key"
	// confirmInput is the id of the elicitation in the multi round-trip
	// exchange, and the boolean the form asks for.
	confirmInput = "confirm"
	// maxExpiresInDays keeps days*24h inside time.Duration; the key policy
	// (IOCLOUD_KEY_MAX_TTL) is the real limit and is far lower.
	maxExpiresInDays = 36500
)

type createKeyIn struct {
	Description       string      `json:"description"`
	ExpiresInDays     wholeNumber `json:"expires_in_days"`
	ExpiresAt         string      `json:"expires_at"`
	Scopes            []string    `json:"scopes"`
	Project           string      `json:"project"`
	ConfirmationToken string      `json:"confirmation_token"`
}

// keyTool is create_api_key: it decides how the person confirms and leaves
// everything else (policy, tickets, creation, audit) to the guard.
type keyTool struct {
	guard     KeyGuard
	approvals Approvals
	base      func() string
	mode      ConfirmMode
	sandbox   bool
	outputDir string
	hints     iocloud.Hints
}

func createAPIKey(cfg Config) toolSpec {
	k := &keyTool{guard: cfg.Guard, approvals: cfg.Approvals, base: cfg.ApprovalBase, mode: cfg.Confirm, sandbox: cfg.Sandbox, outputDir: cfg.KeyOutputDir, hints: cfg.Hints}
	tool := mcp.NewTool(createKeyTool,
		mcp.WithToolTitle("Create an io.net API key"),
		mcp.WithDescription(createKeyDescription(cfg.Confirm)),
		mcp.WithString("description",
			mcp.Required(),
			mcp.Description(fmt.Sprintf("What the key is for, 1 to %d characters.", iocloud.MaxDescriptionLength)),
			mcp.MinLength(1), mcp.MaxLength(iocloud.MaxDescriptionLength)),
		mcp.WithInteger("expires_in_days",
			mcp.Description("Lifetime in days. Send this or expires_at, not both; neither means the server's default."),
			mcp.Min(1), mcp.Max(maxExpiresInDays)),
		mcp.WithString("expires_at",
			mcp.Description(`Expiry as an RFC 3339 time, e.g. "2027-01-31T00:00:00Z". Send this or expires_in_days, not both.`),
			mcp.MinLength(1), mcp.MaxLength(64)),
		mcp.WithArray("scopes",
			mcp.Description(`What the key may do; default ["all"] where the server allows it.`),
			mcp.WithStringEnumItems(iocloud.KnownScopes()),
			mcp.MinItems(1), mcp.UniqueItems(true)),
		mcp.WithString("project",
			mcp.Description(fmt.Sprintf("io.net project for the key; default %q.", iocloud.ProjectIOCloud)),
			mcp.MinLength(1), mcp.MaxLength(100)),
		mcp.WithString("confirmation_token",
			mcp.Description("Only on a later call: the confirmation_token from the first answer, with identical other arguments. "+
				"It asks for the state of an approval_required request, or, on a server in token mode, confirms it."),
			mcp.MinLength(1), mcp.MaxLength(4096)),
		mcp.WithReadOnlyHintAnnotation(false),
		mcp.WithDestructiveHintAnnotation(false),
		mcp.WithIdempotentHintAnnotation(false),
		mcp.WithOpenWorldHintAnnotation(true),
		mcp.WithRawOutputSchema(createKeyOutputSchema),
	)
	return toolSpec{
		tool:    tool,
		handler: k.handle,
		hints: map[string]string{
			"description":        fmt.Sprintf("a string of 1 to %d characters saying what the key is for", iocloud.MaxDescriptionLength),
			"expires_in_days":    "a whole number of days (at least 1), or leave it out",
			"expires_at":         `an RFC 3339 time as a string, e.g. "2027-01-31T00:00:00Z", or leave it out`,
			"scopes":             fmt.Sprintf(`a list drawn from %s, e.g. [%q], without repeats, or leave it out`, quotedList(iocloud.KnownScopes()), iocloud.ScopeRead),
			"project":            fmt.Sprintf(`a project name as a string, e.g. %q, or leave it out`, iocloud.ProjectIOCloud),
			"confirmation_token": "the confirmation_token string from the previous confirmation_required answer, unchanged",
		},
	}
}

func (k *keyTool) handle(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	var in createKeyIn
	if err := req.BindArguments(&in); err != nil {
		return failuref("Not created: the arguments could not be read. Send description (text) and optionally " +
			"expires_in_days (whole number), expires_at (RFC 3339 text), scopes (list of text), project (text)."), nil
	}
	actor := actorFrom(ctx)
	binding := bindingOf(req.GetArguments())
	canElicit := clientCanElicit(ctx)

	if k.mode == ConfirmElicit && !canElicit {
		// The tool filter already hides and refuses the tool here; this is the
		// second line in case the filter is ever bypassed.
		return failuref("Not created: this server confirms new keys only through your client's confirmation prompt " +
			"(MCP elicitation), and your client did not declare that it can show one. An operator can set the server's " +
			"confirm mode" + k.hints.Of(iocloud.SettingMCPConfirm) + " to token (or auto) to confirm with a two-step confirmation_token instead."), nil
	}
	if _, answered := server.InputResponse(req.Params.InputResponses, approvalInput); answered {
		return k.pageRetry(ctx, actor, req, binding), nil
	}
	if _, answered := server.InputResponse(req.Params.InputResponses, confirmInput); answered && (k.mode == ConfirmElicit || k.mode == ConfirmAuto) {
		return k.answered(ctx, actor, req, binding), nil
	}
	if k.usesApprovalPage(canElicit) {
		if in.ConfirmationToken != "" {
			return k.approvalStatus(ctx, actor, in.ConfirmationToken, binding), nil
		}
		return k.requestApproval(ctx, actor, in, binding), nil
	}
	if in.ConfirmationToken != "" {
		// Only token mode confirms with a token. Elsewhere the person
		// answers the client's prompt; the prompt's round-trip state is a
		// ticket too, and an assistant that saw it must not be able to
		// hand it back as a confirmation_token and skip the person.
		if k.mode != ConfirmToken {
			return failuref("Not created: this server does not take confirmation_token; it asks through your client's " +
				"confirmation prompt. Call create_api_key again without confirmation_token."), nil
		}
		return k.confirm(ctx, actor, in.ConfirmationToken, binding, iocloud.ViaToken), nil
	}
	return k.firstCall(ctx, actor, in, binding, canElicit), nil
}

// firstCall checks, then asks: it prepares a ticket (policy applied, nothing
// created) and either elicits with the ticket as the sealed round-trip state
// or returns it as the confirmation_token.
func (k *keyTool) firstCall(ctx context.Context, actor iocloud.Actor, in createKeyIn, binding string, canElicit bool) *mcp.CallToolResult {
	pending, bad := k.prepare(ctx, actor, in, binding)
	if bad != nil {
		return bad
	}
	if k.mode == ConfirmToken || !canElicit {
		return k.confirmationRequired(pending)
	}
	return server.NewInputRequestBuilder(pending.Token).
		Elicit(confirmInput, mcp.ElicitationParams{
			Mode:            mcp.ElicitationModeForm,
			Message:         previewText(pending.Request, k.sandbox),
			RequestedSchema: confirmFormSchema,
		}).
		ToolResult()
}

// answered handles the retry that carries the person's elicitation answer.
// The round-trip state must be the ticket this server minted for exactly these
// arguments; an answer without one (a forged first-shot approval) creates
// nothing.
func (k *keyTool) answered(ctx context.Context, actor iocloud.Actor, req mcp.CallToolRequest, binding string) *mcp.CallToolResult {
	state := req.Params.RequestState
	if state == "" {
		return failuref("Not created: a confirmation answer arrived without the confirmation state this server issues. " +
			"Call create_api_key again with only its arguments, and confirm when asked.")
	}
	if accepted(server.ElicitationResponse(req.Params.InputResponses, confirmInput)) {
		return k.confirm(ctx, actor, state, binding, iocloud.ViaElicitation)
	}
	if _, err := k.guard.Cancel(ctx, actor, state, binding, iocloud.ViaElicitation); err != nil {
		return k.notCreated(err, actor)
	}
	return k.cancelled()
}

// confirm redeems a ticket: the guard checks it (actor, arguments, expiry,
// single use) and creates the key once.
func (k *keyTool) confirm(ctx context.Context, actor iocloud.Actor, token, binding, via string) *mcp.CallToolResult {
	created, err := k.guard.Confirm(ctx, actor, token, binding, via)
	if err != nil {
		return k.notCreated(err, actor)
	}
	return k.deliver(created)
}

// accepted is true only for an explicit accept with confirm set to true;
// anything else (decline, cancel, an empty or odd form) creates nothing.
func accepted(ans *mcp.ElicitationResult) bool {
	if ans == nil || ans.Action != mcp.ElicitationResponseActionAccept {
		return false
	}
	content, ok := ans.Content.(map[string]any)
	if !ok {
		return false
	}
	yes, ok := content[confirmInput].(bool)
	return ok && yes
}

// prepare checks (session token, arguments, policy, limits) and issues the
// ticket; nothing is created. A refusal comes back as the isError result.
func (k *keyTool) prepare(ctx context.Context, actor iocloud.Actor, in createKeyIn, binding string) (*iocloud.Pending, *mcp.CallToolResult) {
	// No preflight here: the guard checks the session token itself and
	// audits the refusal, the same on every frontend.
	ask, bad := in.ask()
	if bad != nil {
		return nil, bad
	}
	pending, err := k.guard.Prepare(ctx, actor, ask, binding)
	if err != nil {
		return nil, failure(k.hints, err)
	}
	return pending, nil
}

// confirmFormSchema is the flat form the client shows: one checkbox.
var confirmFormSchema = confirmForm("Create this API key", "Tick to create exactly the key described above.")

// confirmForm is an elicitation form of one checkbox, unticked.
func confirmForm(title, description string) map[string]any {
	return map[string]any{
		"type": "object",
		"properties": map[string]any{
			confirmInput: map[string]any{
				"type":        "boolean",
				"title":       title,
				"description": description,
				"default":     false,
			},
		},
		"required": []string{confirmInput},
	}
}

// bindingOf is the digest a ticket is bound to: the tool and every argument
// except the token itself, so a token redeems only the request it previewed.
func bindingOf(args map[string]any) string {
	rest := maps.Clone(args)
	delete(rest, "confirmation_token")
	if rest == nil {
		rest = map[string]any{}
	}
	return iocloud.Digest(map[string]any{"tool": createKeyTool, "arguments": rest})
}

// ask turns the arguments into what the person asked for; the guard applies
// the policy to it. Problems the schema cannot express come back as an
// isError result.
func (in createKeyIn) ask() (iocloud.KeyAsk, *mcp.CallToolResult) {
	ask := iocloud.KeyAsk{Description: in.Description, Scopes: in.Scopes, Project: in.Project}
	if in.ExpiresInDays != 0 && in.ExpiresAt != "" {
		return ask, failuref("Not created: send expires_in_days or expires_at, not both.")
	}
	if in.ExpiresInDays != 0 {
		ask.ExpiresIn = time.Duration(in.ExpiresInDays) * 24 * time.Hour
	}
	if in.ExpiresAt != "" {
		at, err := time.Parse(time.RFC3339, in.ExpiresAt)
		if err != nil {
			return ask, failuref(fmt.Sprintf("Not created: argument expires_at: got %q, send an RFC 3339 time such as "+
				`"2027-01-31T00:00:00Z", or use expires_in_days instead.`, in.ExpiresAt))
		}
		ask.ExpiresAt = at
	}
	return ask, nil
}
