package slackbot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/iocloud-chatops/iocloud/iocloud"
	"github.com/slack-go/slack"
)

// The create-key form: a Slack modal (views.open with the command's
// trigger_id) or, on the console, three prompts. Both end in the same
// preparePreview as `/iocloud create-key <description> --expires … --scopes …`,
// so the preview, the Confirm button and every rule behind it are the same.

// Ids of the modal and its inputs. Block ids key response_action errors.
const (
	callbackKeyForm   = "iocloud_create_key_form"
	blockFormDesc     = "iocloud_key_description"
	actionFormDesc    = "description"
	blockFormExpiry   = "iocloud_key_expiry"
	actionFormExpiry  = "expires_on"
	blockFormScopes   = "iocloud_key_scopes"
	actionFormScopes  = "scopes"
	maxFormDesc       = iocloud.MaxDescriptionLength // the key policy's limit, enforced by Slack's input too
	openFormTimeout   = 3 * time.Second
	maxPrivateMetaLen = 3000 // Slack's limit on private_metadata
	maxFormError      = 300  // an error under a field stays short
)

// Logical form fields: the keys of keyForm's problems.
const (
	fieldDescription = "description"
	fieldExpires     = "expires"
	fieldScopes      = "scopes"
)

var formScopes = iocloud.KnownScopes()

// formBlocks maps a form field to the modal block that shows its problem.
var formBlocks = map[string]string{fieldDescription: blockFormDesc, fieldExpires: blockFormExpiry, fieldScopes: blockFormScopes}

// keyForm is what the form collected, as text: expires is a date from the
// date picker (2027-01-31) or, typed on the console, anything --expires
// takes; scopes is a comma- or space-separated list. base holds what flags
// typed with the command already said; a non-empty text overrides it.
type keyForm struct {
	base                         iocloud.KeyAsk
	description, expires, scopes string
}

// ask turns the form into a KeyAsk, or says per field what is wrong.
func (f keyForm) ask() (iocloud.KeyAsk, map[string]string) {
	problems := map[string]string{}
	ask := f.base
	ask.Scopes = append([]string(nil), f.base.Scopes...)
	ask.Description = strings.TrimSpace(f.description)
	if ask.Description == "" {
		problems[fieldDescription] = fmt.Sprintf("Describe what the key is for (1 to %d characters).", maxFormDesc)
	}
	if e := strings.TrimSpace(f.expires); e != "" {
		var err error
		ask.ExpiresIn, ask.ExpiresAt, err = parseExpiry(e)
		if err != nil {
			problems[fieldExpires] = "Give a date like 2027-01-31 or a lifetime like 30d, or leave it empty for the default."
		}
	}
	if strings.TrimSpace(f.scopes) != "" {
		ask.Scopes = nil
		for s := range strings.FieldsFuncSeq(strings.ToLower(f.scopes), func(r rune) bool { return r == ',' || unicode.IsSpace(r) }) {
			ask.Scopes = append(ask.Scopes, s)
		}
	}
	return ask, problems
}

// formMeta travels in the modal's private_metadata: where the command was
// typed and where its answers go. Slack returns it untouched in the signed
// view_submission, which itself carries no channel and no response_url.
type formMeta struct {
	Channel     string `json:"c"`
	ResponseURL string `json:"r"`
}

// openKeyForm answers create-key without a description: a key creator gets
// the modal (when the bot has a token and Slack sent a trigger_id), anyone
// else the same refusal as the flag form.
func (b *Bot) openKeyForm(ctx context.Context, inv invocation, ask iocloud.KeyAsk, r responder) *message {
	if err := b.keyCreator(ctx, inv.who); err != nil {
		return b.finish(refusalMessage(b.hints, err))
	}
	if b.views == nil || inv.triggerID == "" || r == nil {
		return b.finish(usageMessage(&UsageError{Command: "create-key",
			Problem: "create-key needs a description, e.g. `/iocloud create-key ci-bot --expires 30d`. (Without one, a form opens when the bot has " +
				"a Slack bot token" + b.hints.Of(iocloud.SettingSlackBotToken) + ".)"}))
	}
	meta, err := json.Marshal(formMeta{Channel: inv.who.Channel, ResponseURL: inv.responseURL})
	if err != nil || len(meta) > maxPrivateMetaLen {
		return b.finish(textMessage("Cannot open the form", "Slack's answer address is too long to keep; use `"+usage["create-key"]+"` instead."))
	}
	view := keyFormView(string(meta), ask)
	// views.open must come within 3 s of the command; it runs beside the
	// acknowledgement so a slow Slack API cannot delay that.
	err = b.start(ctx, openFormTimeout, func(ctx context.Context) {
		if _, err := b.views.OpenViewContext(ctx, inv.triggerID, view); err != nil {
			// slack-go's error is Slack's error code ("expired_trigger_id"); no token in it.
			b.log.WarnContext(ctx, "slack views.open failed", "error", err.Error())
			b.send(ctx, r, b.finish(textMessage("Could not open the create-key form",
				"Slack did not open it ("+clip(err.Error(), 80)+"). Use `"+usage["create-key"]+"` instead.")))
		}
	})
	if err != nil {
		return b.finish(textMessage("Busy right now", "Too many requests are in progress. Try again in a few seconds."))
	}
	return b.finish(textMessage("Opening the create-key form…"))
}

// keyFormView is the modal, built from slack-go's types. Flags typed with an
// empty description (e.g. --scopes read) pre-fill it.
func keyFormView(meta string, ask iocloud.KeyAsk) slack.ModalViewRequest {
	desc := slack.NewPlainTextInputBlockElement(plainText("What the key is for, e.g. ci-bot"), actionFormDesc)
	desc.MaxLength = maxFormDesc
	desc.FocusOnLoad = true

	date := slack.NewDatePickerBlockElement(actionFormExpiry)
	date.Placeholder = plainText("The default lifetime")
	if !ask.ExpiresAt.IsZero() {
		date.InitialDate = ask.ExpiresAt.UTC().Format(time.DateOnly)
	}
	expiry := slack.NewInputBlock(blockFormExpiry, plainText("Expires on"), plainText("Leave it empty for the default lifetime. The key expires at the start of that day (UTC)."), date)
	expiry.Optional = true

	options := make([]*slack.OptionBlockObject, 0, len(formScopes))
	var initial []*slack.OptionBlockObject
	for _, s := range formScopes {
		o := slack.NewOptionBlockObject(s, plainText(s), nil)
		options = append(options, o)
		for _, want := range ask.Scopes {
			if want == s {
				initial = append(initial, o)
			}
		}
	}
	sel := slack.NewOptionsMultiSelectBlockElement(slack.MultiOptTypeStatic, plainText("The default scopes"), actionFormScopes, options...)
	sel.InitialOptions = initial
	scopes := slack.NewInputBlock(blockFormScopes, plainText("Scopes"), plainText("What the key may do. Leave it empty for the default."), sel)
	scopes.Optional = true

	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      callbackKeyForm,
		Title:           plainText("New io.net API key"),
		Submit:          plainText("Preview"),
		Close:           plainText("Cancel"),
		PrivateMetadata: meta,
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			slack.NewSectionBlock(plainText("Nothing is created yet: the next step shows a preview that only you can confirm."), nil, nil),
			slack.NewInputBlock(blockFormDesc, plainText("Description"), nil, desc),
			expiry,
			scopes,
		}},
	}
}

// submitKeyForm runs a filled-in form through the same path as the flags:
// the preview, or the problems per field (nothing is prepared then).
func (b *Bot) submitKeyForm(ctx context.Context, who requester, f keyForm) (*message, map[string]string) {
	ask, problems := f.ask()
	if len(problems) > 0 {
		return nil, problems
	}
	m, err := b.preparePreview(ctx, who, ask)
	if err == nil {
		return m, nil
	}
	field := fieldDescription
	var pe *iocloud.PolicyError
	if errors.As(err, &pe) {
		switch pe.Field {
		case "expires", "expires_at", "expires_in":
			field = fieldExpires
		case "scopes":
			field = fieldScopes
		}
	}
	return nil, map[string]string{field: refusalText(b.hints, err)}
}

// refusalText is refusalMessage as one line, for a form field.
func refusalText(h iocloud.Hints, err error) string {
	m := refusalMessage(h, err)
	return strings.Join(append([]string{m.title + "."}, m.lines...), " ")
}

// viewSubmission answers a submitted create-key modal: Slack's
// response_action errors, under the fields, when something is wrong;
// otherwise the modal closes and the preview goes to the command's
// response_url, as the flag form's preview would.
func (b *Bot) viewSubmission(ctx context.Context, ic slack.InteractionCallback) *slack.ViewSubmissionResponse {
	if ic.View.CallbackID != callbackKeyForm {
		return slack.NewClearViewSubmissionResponse()
	}
	var meta formMeta
	_ = json.Unmarshal([]byte(ic.View.PrivateMetadata), &meta) // ours; an unreadable one leaves no address, handled below
	who := requester{Enterprise: ic.Enterprise.ID, Team: ic.Team.ID, Channel: meta.Channel, User: ic.User.ID}
	if who.Team == "" {
		who.Team = ic.User.TeamID
	}
	blockErr := func(field, text string) *slack.ViewSubmissionResponse {
		return formErrors(map[string]string{field: text})
	}
	if err := b.access.place(who); err != nil {
		return blockErr(fieldDescription, err.Error())
	}
	r := b.responderFor(meta.ResponseURL)
	if r == nil {
		return blockErr(fieldDescription, "Slack gave no address for the preview. Close this form and run /iocloud create-key again.")
	}
	f := keyForm{}
	if ic.View.State != nil {
		v := ic.View.State.Values
		f.description = v[blockFormDesc][actionFormDesc].Value
		f.expires = v[blockFormExpiry][actionFormExpiry].SelectedDate
		var scopes []string
		for _, o := range v[blockFormScopes][actionFormScopes].SelectedOptions {
			scopes = append(scopes, o.Value)
		}
		f.scopes = strings.Join(scopes, ",")
	}
	b.log.InfoContext(ctx, "slack key form submitted", "team", who.Team, "enterprise", who.Enterprise, "channel", who.Channel, "user", who.User)
	m, problems := b.submitKeyForm(ctx, who, f)
	if len(problems) > 0 {
		return formErrors(problems)
	}
	if err := b.start(ctx, b.readTimeout, func(ctx context.Context) { b.send(ctx, r, m) }); err != nil {
		return blockErr(fieldDescription, "Too many requests are in progress. Try again in a few seconds.")
	}
	return slack.NewClearViewSubmissionResponse()
}

// formErrors is Slack's response_action errors, one text under each block.
func formErrors(problems map[string]string) *slack.ViewSubmissionResponse {
	errs := make(map[string]string, len(problems))
	for field, text := range problems {
		errs[formBlocks[field]] = clip(text, maxFormError)
	}
	return slack.NewErrorsViewSubmissionResponse(errs)
}
