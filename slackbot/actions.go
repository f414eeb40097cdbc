package slackbot

import (
	"context"
	"errors"

	"github.com/iocloud-chatops/iocloud/iocloud"
)

// invocation is one /iocloud command, whatever carried it.
type invocation struct {
	who  requester
	text string
}

// click is one press of a preview button, whatever carried it.
type click struct {
	who      requester
	actionID string
	value    string // the ticket
	via      string // viaButton or viaConsole, for the audit
}

// How a click arrived, for the audit's "via".
const (
	viaButton  = "slack_button"
	viaConsole = "console"
)

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
	b.log.InfoContext(ctx, "slack command", "command", cmd.Name(), "team", inv.who.Team, "enterprise", inv.who.Enterprise, "channel", inv.who.Channel, "user", inv.who.User)
	switch c := cmd.(type) {
	case *HelpCommand:
		return b.finish(helpMessage(c.Unknown))
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
		return b.prepareKey(ctx, inv.who, c.Ask)
	}
	return b.finish(helpMessage(""))
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
			m = errorMessage(failed, err)
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

// prepareKey checks who asks and the policy, and shows the preview with
// Confirm and Cancel. Nothing reaches io.net here.
func (b *Bot) prepareKey(ctx context.Context, who requester, ask iocloud.KeyAsk) *message {
	if err := b.access.creator(who); err != nil {
		b.log.InfoContext(ctx, "slack create-key refused", "team", who.Team, "user", who.User, "reason", "not a key creator")
		return b.finish(textMessage("Not allowed", err.Error()))
	}
	if b.guard == nil {
		return b.finish(textMessage("Key creation is not set up", "This bot was started without key creation. An admin can turn it on by setting IOCLOUD_JWT."))
	}
	p, err := b.guard.Prepare(ctx, actor(who), ask, "")
	if err != nil {
		return b.finish(errorMessage("Cannot create that key", err))
	}
	return b.finish(previewMessage(p, b.now()))
}

// action handles a Confirm or Cancel press. The clicker is authorized
// again (allowlists and key creators), and the ticket decides the rest:
// only the requester, once, within 10 minutes. Every answer goes to r; a
// refusal never replaces the message it was clicked on, so the requester's
// preview (or the created key) stays.
func (b *Bot) action(ctx context.Context, c click, r responder) {
	if c.actionID != actionConfirmKey && c.actionID != actionCancelKey {
		b.log.DebugContext(ctx, "slack action ignored", "action_id", clip(c.actionID, 64))
		return
	}
	if r == nil {
		b.log.WarnContext(ctx, "slack click without response_url", "user", c.who.User)
		return
	}
	b.log.InfoContext(ctx, "slack key button", "action", c.actionID, "team", c.who.Team, "enterprise", c.who.Enterprise, "channel", c.who.Channel, "user", c.who.User)
	err := b.start(ctx, b.createTimeout, func(ctx context.Context) {
		refuse := func(reason string) {
			b.send(ctx, r, b.finish(textMessage("Nothing was created.", reason)))
		}
		switch {
		case b.access.place(c.who) != nil:
			refuse(b.access.place(c.who).Error())
		case b.access.creator(c.who) != nil:
			refuse(b.access.creator(c.who).Error())
		case b.guard == nil:
			refuse("Key creation is not set up on this bot.")
		case c.actionID == actionCancelKey:
			b.cancelKey(ctx, c, r)
		default:
			b.confirmKey(ctx, c, r)
		}
	})
	if err != nil {
		b.send(ctx, r, b.finish(textMessage("Nothing was created.", "Too many requests are in progress. Try again in a few seconds.")))
	}
}

func (b *Bot) confirmKey(ctx context.Context, c click, r responder) {
	key, err := b.guard.Confirm(ctx, actor(c.who), c.value, "", c.via)
	if err != nil {
		if reason, ok := ticketReason(err); ok {
			b.send(ctx, r, b.finish(textMessage("Nothing was created.", reason)))
			return
		}
		b.log.WarnContext(ctx, "io.net key creation failed", "error", err.Error())
		b.send(ctx, r, b.finish(createFailedMessage(err)))
		return
	}
	b.send(ctx, r, b.finish(createdMessage(key, b.now())))
	if b.notices != nil {
		if err := b.notices.Notify(ctx, b.finish(noticeMessage(key, c.who, b.now()))); err != nil {
			b.log.WarnContext(ctx, "audit channel notice not posted", "error", err.Error())
		}
	}
}

func (b *Bot) cancelKey(ctx context.Context, c click, r responder) {
	req, err := b.guard.Cancel(ctx, actor(c.who), c.value, "", c.via)
	if err != nil {
		reason, ok := ticketReason(err)
		if !ok {
			reason = iocloud.Advice(err)
		}
		b.send(ctx, r, b.finish(textMessage("Nothing was cancelled.", reason)))
		return
	}
	b.send(ctx, r, b.finish(cancelledMessage(req)))
}

// ticketReason says why a confirmation was refused, in the clicker's terms.
func ticketReason(err error) (string, bool) {
	switch {
	case errors.Is(err, iocloud.ErrTicketWrongActor):
		return "Only the person who asked for this key can confirm or cancel it. Run /iocloud create-key yourself to get your own.", true
	case errors.Is(err, iocloud.ErrTicketUsed):
		return "This request was already confirmed or cancelled; it works only once. Run /iocloud create-key again for another key.", true
	case errors.Is(err, iocloud.ErrTicketExpired):
		return "This request has expired: a preview is valid for 10 minutes. Run /iocloud create-key again.", true
	case errors.Is(err, iocloud.ErrTicketStale):
		return "This button was made before the bot restarted (or by another copy of the bot), so it cannot be checked. Run /iocloud create-key again.", true
	case errors.Is(err, iocloud.ErrTicketInvalid), errors.Is(err, iocloud.ErrTicketMismatch):
		return "This button is not valid (it may come from an older version of the bot or another installation). Run /iocloud create-key again.", true
	}
	return "", false
}
