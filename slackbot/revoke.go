package slackbot

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/iocloud-chatops/iocloud/iocloud"
)

// /iocloud revoke <key_id>: the second key action, under every rule of
// create-key. Key creators only; the guard looks the key up before any
// preview (so an unknown id is said at once); the preview's Confirm and
// Cancel carry the guard's ticket, which only the requester can use, once,
// within the confirmation window. The clicks arrive through action (actions.go).

// prepareRevoke answers the command: a refusal at once, otherwise "working
// on it" now and, once io.net's key list was read, the preview (or why
// there is none) on r. Nothing is revoked here.
func (b *Bot) prepareRevoke(ctx context.Context, who requester, keyID string, r responder) *message {
	if err := b.access.revoker(who); err != nil {
		b.log.InfoContext(ctx, "slack key command refused", "team", who.Team, "user", who.User, "reason", "not a key creator")
		return b.finish(textMessage("Not allowed", err.Error()))
	}
	if b.guard == nil {
		return b.finish(textMessage("Key revocation is not set up", "This bot was started without key actions. An admin can turn them on "+jwtTurnsOn(b.hints)))
	}
	return b.read(ctx, r, "Looking the key up at io.net.", "Cannot revoke that key", func(ctx context.Context) (*message, error) {
		p, err := b.guard.PrepareRevoke(ctx, actor(who), keyID, "")
		switch {
		case err == nil:
			return revokePreviewMessage(p, b.now()), nil
		case errors.Is(err, iocloud.ErrKeyNotFound):
			return keyNotFoundMessage(keyID), nil
		}
		return nil, err
	})
}

func (b *Bot) confirmRevoke(ctx context.Context, c click, r responder) {
	key, err := b.guard.ConfirmRevoke(ctx, actor(c.who), c.value, "", c.via)
	if err != nil {
		if reason, ok := ticketReason(err, revokeFlow); ok {
			b.send(ctx, r, b.finish(textMessage(revokeFlow.nothing, reason)))
			return
		}
		b.log.WarnContext(ctx, "io.net key revocation failed", "error", err.Error())
		b.sendAfter(ctx, r, b.finish(revokeFailedMessage(b.hints, err)), err)
		return
	}
	b.sendOutcome(ctx, r, b.finish(revokedMessage(key)))
	b.notify(ctx, revokeNoticeMessage(key, c.who))
}

func (b *Bot) cancelRevoke(ctx context.Context, c click, r responder) {
	key, err := b.guard.CancelRevoke(ctx, actor(c.who), c.value, "", c.via)
	if err != nil {
		reason, ok := ticketReason(err, revokeFlow)
		if !ok {
			reason = b.hints.Advice(err)
		}
		b.send(ctx, r, b.finish(textMessage("Nothing was cancelled.", reason)))
		return
	}
	m := &message{title: "Cancelled, nothing was revoked.", replace: true}
	if key != nil {
		m.lines = []string{fmt.Sprintf("The key %q (shown as %s) still works.", key.Description, key.Display)}
	}
	b.sendOutcome(ctx, r, b.finish(m))
}

// keyNotFoundMessage: io.net lists no key with that id, so there is nothing
// to preview.
func keyNotFoundMessage(keyID string) *message {
	return &message{
		title: "No API key with id " + keyID + " (not_found)",
		lines: []string{"io.net lists no key with that id: it may have been revoked already or belong to another account. " +
			"`/iocloud keys --all` lists the keys with their ids. Nothing was revoked."},
	}
}

// revokePreviewMessage shows exactly which key Confirm will revoke.
func revokePreviewMessage(p *iocloud.RevokePending, now time.Time) *message {
	k := p.Key
	return &message{
		title:  "Revoke this io.net API key?",
		lines:  []string{"Anything that uses it stops working at once. This cannot be undone."},
		fields: append(keyIdentity(k), keyExpiry(k, now)),
		buttons: &keyButtons{
			token:  p.Token,
			revoke: true,
			summary: fmt.Sprintf("Revoke key %q, shown as %s (id %s)? Anything that uses it stops working at once.",
				clip(k.Description, 100), k.Display, k.KeyID),
		},
		notes: []string{onlyYouNote(p.ExpiresAt)},
	}
}

// revokedMessage replaces the preview once io.net revoked the key.
func revokedMessage(k *iocloud.APIKey) *message {
	return &message{
		title:   "io.net API key revoked",
		lines:   []string{"Anything that used it no longer works."},
		fields:  keyIdentity(*k),
		replace: true,
	}
}

// revokeFailedMessage answers a confirmed revocation that did not clearly
// succeed. Its title carries the outcome word the audit uses, as
// createFailedMessage's does.
func revokeFailedMessage(h iocloud.Hints, err error) *message {
	var fail *iocloud.RevokeFailure
	switch {
	case errors.As(err, &fail) && fail.Outcome == iocloud.OutcomeUnknown:
		return &message{title: "Unknown whether the key was revoked (" + fail.Outcome + ")", lines: []string{h.Advice(err)}}
	case errors.As(err, &fail):
		return &message{title: "Nothing was revoked (" + fail.Outcome + ")", lines: []string{h.Advice(err)}}
	case errors.Is(err, iocloud.ErrKeyNotFound):
		return &message{title: "The key was not found (not_found)", lines: []string{h.Advice(err)}}
	}
	return errorMessage(h, "The key was not revoked", err)
}

// revokeNoticeMessage tells the audit channel who revoked which key. A
// revocation involves no secret, and none is ever in it.
func revokeNoticeMessage(k *iocloud.APIKey, who requester) *message {
	fs := []field{{label: "Revoked by", value: who.User, user: who.User}}
	return &message{
		title:    "An io.net API key was revoked from Slack",
		fields:   append(fs, keyIdentity(*k)...),
		fallback: "An io.net API key was revoked from Slack",
	}
}

// keyIdentity is what tells a person which key it is: its description,
// io.net's masked form and its id.
func keyIdentity(k iocloud.APIKey) []field {
	return []field{
		{label: "Description", value: k.Description},
		{label: "Shown as", value: k.Display},
		{label: "Key ID", value: k.KeyID},
	}
}

// keyExpiry is the key's expiry for the preview: when, and how far off.
func keyExpiry(k iocloud.APIKey, now time.Time) field {
	exp := "not given by io.net"
	if !k.ExpiresAt.IsZero() {
		exp = k.ExpiresAt.UTC().Format("2006-01-02 15:04 MST")
		if d := k.ExpiresAt.Sub(now); d > 0 && !k.IsExpired {
			exp += " (in " + humanDuration(d) + ")"
		} else {
			exp += " (expired)"
		}
	}
	return field{label: "Expires", value: exp}
}
