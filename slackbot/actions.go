package slackbot

import (
	"context"
	"errors"

	"github.com/iocloud-chatops/iocloud/iocloud"
)

// invocation is one /iocloud command, whatever carried it. triggerID and
// responseURL are Slack's (empty on the console); a form needs both.
type invocation struct {
	who         requester
	text        string
	triggerID   string
	responseURL string
}

// click is one press of a preview button, whatever carried it.
type click struct {
	who      requester
	actionID string
	value    string // the ticket
	via      string // iocloud.ViaSlackButton or iocloud.ViaConsole, for the audit
}

const frontend = "slack"

func actor(who requester) iocloud.Actor {
	return iocloud.Actor{Frontend: frontend, ID: who.actorID()}
}

// command handles a slash command and returns the immediate reply (the
// acknowledgement's body). Anything that needs io.net runs in a job whose
// answer goes to r later. r may be nil when Slack sent no response_url.
func (b *Bot) command(ctx context.Context, inv invocation, r responder) *message {
	if err := b.access.place(inv.who); err != nil {
		b.log.InfoContext(ctx, "slack command refused", "team", inv.who.Team, "enterprise", inv.who.Enterprise, "channel", inv.who.Channel, "user", inv.who.User, "reason", "allowlist")
		return b.finish(textMessage("Not allowed here", err.Error()))
	}
	cmd, err := ParseCommand(inv.text)
	if err != nil {
		var ue *UsageError
		if errors.As(err, &ue) {
			return b.finish(usageMessage(ue))
		}
		return b.finish(textMessage("Sorry, that command could not be read.", "Try `/iocloud help`."))
	}
	b.log.DebugContext(ctx, "slack command", "command", cmd.Name(), "team", inv.who.Team, "enterprise", inv.who.Enterprise, "channel", inv.who.Channel, "user", inv.who.User)
	switch c := cmd.(type) {
	case *HelpCommand:
		return b.finish(helpMessage(b.hints, c.Unknown))
	case *HardwareCommand:
		return b.read(ctx, r, "Asking io.net for its GPU types.", "Could not list io.net hardware", func(ctx context.Context) (*message, error) {
			list, err := b.reader.Hardware(ctx)
			if err != nil {
				return nil, err
			}
			return hardwareMessage(list, c.Public), nil
		})
	case *ReplicasCommand:
		return b.read(ctx, r, "Asking io.net where containers fit.", "Could not find available replicas", func(ctx context.Context) (*message, error) {
			rep, err := b.reader.FindReplicas(ctx, c.Search)
			if err != nil {
				return nil, err
			}
			return replicasMessage(rep, c.Search, c.Public), nil
		})
	case *CreateKeyCommand:
		if c.Form {
			return b.openKeyForm(ctx, inv, c.Ask, r)
		}
		return b.prepareKey(ctx, inv.who, c.Ask)
	case *KeysCommand:
		return b.listKeys(ctx, inv.who, c, r)
	case *RevokeCommand:
		return b.prepareRevoke(ctx, inv.who, c.KeyID, r)
	case *PriceCommand:
		return b.read(ctx, r, "Asking io.net for prices.", "Could not get a price", func(ctx context.Context) (*message, error) {
			rep, err := b.reader.QuotePrices(ctx, c.Search)
			if err != nil {
				return nil, err
			}
			return priceMessage(rep, c.Search, c.Public), nil
		})
	}
	return b.finish(helpMessage(b.hints, ""))
}

// read answers "working on it" now and the result (or what to do about a
// failure) on r once io.net answered, within the read deadline.
func (b *Bot) read(ctx context.Context, r responder, working, failed string, get func(context.Context) (*message, error)) *message {
	if r == nil {
		return b.finish(textMessage("Sorry, Slack sent no address for the answer.", "Please try the command again."))
	}
	err := b.start(ctx, b.readTimeout, func(ctx context.Context) {
		m, err := get(ctx)
		switch {
		case err != nil && ctx.Err() != nil:
			m = timeoutMessage(failed, b.readTimeout)
		case err != nil:
			b.log.WarnContext(ctx, "io.net read failed", "error", err.Error())
			m = errorMessage(b.hints, failed, err)
		}
		b.send(ctx, r, b.finish(m))
	})
	if err != nil {
		return b.finish(textMessage("Busy right now", "Too many requests are waiting for io.net to answer. Try again in a few seconds."))
	}
	return b.finish(workingMessage(working))
}

// send hands a later answer to the delivery queue (deliver.go), which
// gives the post its own deadline, since the job's may just have run out.
func (b *Bot) send(ctx context.Context, r responder, m *message) {
	b.deliveries.enqueue(ctx, r, m)
}

// sendOutcome delivers what became of a confirmed key action (a new key's
// secret among them) in a lane of its own: never behind read answers, never
// dropped because their queue is full. Only outcomes go there: each used up
// a single-use ticket, so there are as few as there are tickets. Refusals
// (not allowed, busy, a used or someone else's button) carry no secret and
// take the read answers' queue.
func (b *Bot) sendOutcome(ctx context.Context, r responder, m *message) {
	b.deliveries.enqueueOutcome(ctx, r, m)
}

// sendAfter sends the answer to a failed key action: an outcome (the ticket
// was used; the key may exist) in the outcome lane, anything else (the store
// unreachable, io.net refusing before anything was sent) with the rest.
func (b *Bot) sendAfter(ctx context.Context, r responder, m *message, err error) {
	var created *iocloud.CreateFailure
	var revoked *iocloud.RevokeFailure
	if errors.As(err, &created) || errors.As(err, &revoked) {
		b.sendOutcome(ctx, r, m)
		return
	}
	b.send(ctx, r, m)
}

// prepareKey checks who asks and the policy, and shows the preview with
// Confirm and Cancel. Nothing reaches io.net here.
func (b *Bot) prepareKey(ctx context.Context, who requester, ask iocloud.KeyAsk) *message {
	m, err := b.preparePreview(ctx, who, ask)
	if err != nil {
		return b.finish(refusalMessage(b.hints, err))
	}
	return m
}

// preparePreview is the one way to a key preview, for the flags, the Slack
// form and the console prompts alike: key creators only, then the guard's
// policy and ticket. Its errors are a *denial (who), errNoGuard, or the
// guard's (a *iocloud.PolicyError names the field).
func (b *Bot) preparePreview(ctx context.Context, who requester, ask iocloud.KeyAsk) (*message, error) {
	if err := b.keyCreator(ctx, who); err != nil {
		return nil, err
	}
	p, err := b.guard.Prepare(ctx, actor(who), ask, "")
	if err != nil {
		return nil, err
	}
	return b.finish(previewMessage(b.hints, p, b.now())), nil
}

// errNoGuard: the bot runs without key creation (refusalMessage says how
// to turn it on).
var errNoGuard = errors.New("this bot was started without key creation")

// jwtTurnsOn is how an admin turns key actions on: the io.net session
// token, named through the hints.
func jwtTurnsOn(h iocloud.Hints) string {
	return "by configuring the io.net session token" + h.Of(iocloud.SettingJWT) + "."
}

// keyCreator checks that who may ask for keys and that key creation is set
// up.
func (b *Bot) keyCreator(ctx context.Context, who requester) error {
	if err := b.access.creator(who); err != nil {
		b.log.InfoContext(ctx, "slack key command refused", "team", who.Team, "user", who.User, "reason", "not a key creator")
		return err
	}
	if b.guard == nil {
		return errNoGuard
	}
	return nil
}

// refusalMessage says why no preview was shown.
func refusalMessage(h iocloud.Hints, err error) *message {
	var d *denial
	switch {
	case errors.As(err, &d):
		return textMessage("Not allowed", d.Error())
	case errors.Is(err, errNoGuard):
		return textMessage("Key creation is not set up", "This bot was started without key creation. An admin can turn it on "+jwtTurnsOn(h))
	}
	return errorMessage(h, "Cannot create that key", err)
}

// keyFlow is what a preview's buttons act on, in the words a refused click
// is told: the command to start over with, and what did not happen.
type keyFlow struct {
	revoke  bool
	nothing string // "Nothing was created."
	what    string // whose ticket: "for this key"
	own     string // what a wrong clicker can do instead
	another string // after a used ticket
	command string // the command that starts over
}

var (
	createFlow = keyFlow{
		nothing: "Nothing was created.",
		what:    "for this key",
		own:     "Run /iocloud create-key yourself to get your own.",
		another: "Run /iocloud create-key again for another key.",
		command: "/iocloud create-key",
	}
	revokeFlow = keyFlow{
		revoke:  true,
		nothing: "Nothing was revoked.",
		what:    "to revoke this key",
		own:     "A key creator can run /iocloud revoke <key_id> themselves.",
		another: "/iocloud keys shows whether the key is still there.",
		command: "/iocloud revoke <key_id>",
	}
)

// buttonAction maps a button's action id to its flow and whether it is
// Confirm; ok is false for anything that is not one of our buttons.
func buttonAction(actionID string) (f keyFlow, confirm, ok bool) {
	switch actionID {
	case actionConfirmKey:
		return createFlow, true, true
	case actionCancelKey:
		return createFlow, false, true
	case actionConfirmRevoke:
		return revokeFlow, true, true
	case actionCancelRevoke:
		return revokeFlow, false, true
	}
	return keyFlow{}, false, false
}

// action handles a Confirm or Cancel press of a create-key or revoke
// preview. The clicker is authorized again (allowlists and key creators),
// and the ticket decides the rest: only the requester, once, within 10
// minutes. Every answer goes to r; a refusal never replaces the message it
// was clicked on, so the requester's preview (or the result) stays.
func (b *Bot) action(ctx context.Context, c click, r responder) {
	flow, confirm, ok := buttonAction(c.actionID)
	if !ok {
		b.log.DebugContext(ctx, "slack action ignored", "action_id", clip(c.actionID, 64))
		return
	}
	if r == nil {
		b.log.WarnContext(ctx, "slack click without response_url", "user", c.who.User)
		return
	}
	b.log.DebugContext(ctx, "slack key button", "action", c.actionID, "team", c.who.Team, "enterprise", c.who.Enterprise, "channel", c.who.Channel, "user", c.who.User)
	right := b.access.creator
	if flow.revoke {
		right = b.access.revoker
	}
	err := b.start(ctx, b.createTimeout, func(ctx context.Context) {
		refuse := func(reason string) {
			b.send(ctx, r, b.finish(textMessage(flow.nothing, reason)))
		}
		switch {
		case b.access.place(c.who) != nil:
			refuse(b.access.place(c.who).Error())
		case right(c.who) != nil:
			refuse(right(c.who).Error())
		case b.guard == nil:
			refuse("Key actions are not set up on this bot.")
		case flow.revoke && confirm:
			b.confirmRevoke(ctx, c, r)
		case flow.revoke:
			b.cancelRevoke(ctx, c, r)
		case confirm:
			b.confirmKey(ctx, c, r)
		default:
			b.cancelKey(ctx, c, r)
		}
	})
	if err != nil {
		b.send(ctx, r, b.finish(textMessage(flow.nothing, "Too many requests are in progress. Try again in a few seconds.")))
	}
}

func (b *Bot) confirmKey(ctx context.Context, c click, r responder) {
	key, err := b.guard.Confirm(ctx, actor(c.who), c.value, "", c.via)
	if err != nil {
		if reason, ok := ticketReason(err, createFlow); ok {
			b.send(ctx, r, b.finish(textMessage(createFlow.nothing, reason)))
			return
		}
		b.log.WarnContext(ctx, "io.net key creation failed", "error", err.Error())
		b.sendAfter(ctx, r, b.finish(createFailedMessage(b.hints, err)), err)
		return
	}
	b.sendOutcome(ctx, r, b.finish(createdMessage(key, b.now())))
	b.notify(ctx, noticeMessage(key, c.who, b.now()))
}

// notify posts m to the audit channel, if there is one; a failure is only
// logged, since the action itself is done.
func (b *Bot) notify(ctx context.Context, m *message) {
	if b.notices == nil {
		return
	}
	if err := b.notices.Notify(ctx, b.finish(m)); err != nil {
		b.log.WarnContext(ctx, "audit channel notice not posted", "error", err.Error())
	}
}

func (b *Bot) cancelKey(ctx context.Context, c click, r responder) {
	req, err := b.guard.Cancel(ctx, actor(c.who), c.value, "", c.via)
	if err != nil {
		reason, ok := ticketReason(err, createFlow)
		if !ok {
			reason = b.hints.Advice(err)
		}
		b.send(ctx, r, b.finish(textMessage("Nothing was cancelled.", reason)))
		return
	}
	b.sendOutcome(ctx, r, b.finish(cancelledMessage(req)))
}

// ticketReason says why a confirmation was refused, in the clicker's terms
// and with the command of flow f to start over.
func ticketReason(err error, f keyFlow) (string, bool) {
	switch {
	case errors.Is(err, iocloud.ErrTicketWrongActor):
		return "Only the person who asked " + f.what + " can confirm or cancel it. " + f.own, true
	case errors.Is(err, iocloud.ErrTicketUsed):
		return "This request was already confirmed or cancelled; it works only once. " + f.another, true
	case errors.Is(err, iocloud.ErrTicketExpired):
		return "This request has expired: a preview is valid for " + iocloud.ConfirmationWindow() + ". Run " + f.command + " again.", true
	case errors.Is(err, iocloud.ErrTicketStale):
		return "This button was made before the bot restarted (or by another copy of the bot), so it cannot be checked. Run " + f.command + " again.", true
	case errors.Is(err, iocloud.ErrTicketInvalid), errors.Is(err, iocloud.ErrTicketMismatch):
		return "This button is not valid (it may come from an older version of the bot or another installation). Run " + f.command + " again.", true
	}
	return "", false
}
