package guard

import (
	"context"
	"errors"
	"fmt"

	"github.com/iocloud-chatops/iocloud/iocloud"
)

// PrepareRevoke finds the key and issues a ticket to revoke it. An unknown
// key id is ErrKeyNotFound before any approval is asked for; nothing is
// revoked here.
func (g *Guard) PrepareRevoke(ctx context.Context, actor iocloud.Actor, keyID, binding string) (*iocloud.RevokePending, error) {
	if actor.Frontend == "" || actor.ID == "" {
		return nil, errors.New("key revocation needs an actor with a frontend and an id")
	}
	if err := g.Preflight(); err != nil {
		return nil, g.refuse(ctx, actor, ActionRevokeAPIKey, err, nil)
	}
	keyID, err := iocloud.CheckKeyID(keyID)
	if err != nil {
		return nil, g.refuse(ctx, actor, ActionRevokeAPIKey, err, nil)
	}
	list, err := g.client.ListAPIKeys(ctx)
	if err != nil {
		return nil, g.refuse(ctx, actor, ActionRevokeAPIKey, err, nil)
	}
	key, ok := list.Find(keyID)
	if !ok {
		return nil, g.refuse(ctx, actor, ActionRevokeAPIKey, fmt.Errorf("%w: %s", iocloud.ErrKeyNotFound, keyID), nil)
	}
	tk := Ticket{
		Action:  ActionRevokeAPIKey,
		Binding: binding,
		KeyID:   key.KeyID,
		Display: key.Display,
		Request: iocloud.KeyRequest{Description: key.Description, ExpiresAt: key.ExpiresAt, Project: key.Project, Scopes: key.Scopes},
	}
	token, sealed, err := g.issue(ctx, actor, tk)
	if err != nil {
		return nil, g.refuse(ctx, actor, ActionRevokeAPIKey, err, nil)
	}
	ev := g.event(actor, ActionRevokeAPIKey, OutcomePending, nil)
	ev.TicketID, ev.KeyID, ev.Display = sealed.ID(), key.KeyID, key.Display
	g.audit.Record(ctx, ev)
	return &iocloud.RevokePending{Token: token, TicketID: sealed.ID(), ExpiresAt: sealed.ExpiresAt, Key: key}, nil
}

// ConfirmRevoke uses the ticket up and revokes the key exactly once, with
// the same write-ahead record and detached deadline as creation. A lost
// answer is settled by the key list: absent is revoked.
func (g *Guard) ConfirmRevoke(ctx context.Context, actor iocloud.Actor, token, binding, via string) (*iocloud.APIKey, error) {
	if err := g.Preflight(); err != nil {
		return nil, g.refuse(ctx, actor, ActionRevokeAPIKey, err, nil)
	}
	tk, err := g.open(ctx, actor, ActionRevokeAPIKey, token, binding)
	if err != nil {
		return nil, err
	}
	return g.revokeOnce(ctx, actor, tk, via)
}

func (g *Guard) revokeOnce(ctx context.Context, actor iocloud.Actor, tk Ticket, via string) (*iocloud.APIKey, error) {
	g.inflight.Add(1)
	defer g.inflight.Done()
	ctx = context.WithoutCancel(ctx)
	key := &iocloud.APIKey{KeyID: tk.KeyID, Display: tk.Display, Description: tk.Request.Description,
		Project: tk.Request.Project, Scopes: tk.Request.Scopes, ExpiresAt: tk.Request.ExpiresAt}

	record := func(outcome string, err error) {
		ev := g.event(actor, ActionRevokeAPIKey, outcome, err)
		ev.TicketID, ev.Via, ev.KeyID, ev.Display = tk.ID(), via, tk.KeyID, tk.Display
		g.audit.Record(ctx, ev)
	}
	ahead := g.event(actor, ActionRevokeAPIKey, OutcomeRevoking, nil)
	ahead.TicketID, ahead.Via, ahead.KeyID, ahead.Display = tk.ID(), via, tk.KeyID, tk.Display
	if err := g.audit.Write(ctx, ahead); err != nil {
		return nil, &iocloud.RevokeFailure{Outcome: iocloud.OutcomeNotRevoked, KeyID: tk.KeyID, TicketID: tk.ID(),
			Err: fmt.Errorf("the audit log could not be written, so nothing was sent to io.net: %w", err)}
	}

	actCtx, cancel := context.WithTimeout(ctx, g.actTimeout)
	err := g.client.RevokeAPIKey(actCtx, tk.KeyID) // exactly one DELETE
	cancel()
	switch {
	case err == nil:
		record(iocloud.OutcomeRevoked, nil)
		return key, nil
	case errors.Is(err, iocloud.ErrKeyNotFound):
		record(iocloud.OutcomeNotFound, err)
		return nil, err
	case !ambiguous(err):
		record(iocloud.OutcomeNotRevoked, err)
		return nil, &iocloud.RevokeFailure{Outcome: iocloud.OutcomeNotRevoked, KeyID: tk.KeyID, TicketID: tk.ID(), Err: err}
	}
	lookCtx, cancel := context.WithTimeout(ctx, g.actTimeout)
	defer cancel()
	list, lerr := g.client.ListAPIKeys(lookCtx)
	if lerr != nil {
		fail := &iocloud.RevokeFailure{Outcome: iocloud.OutcomeUnknown, KeyID: tk.KeyID, TicketID: tk.ID(), Err: errors.Join(err, lerr)}
		record(iocloud.OutcomeUnknown, fail.Err)
		return nil, fail
	}
	if _, still := list.Find(tk.KeyID); still {
		fail := &iocloud.RevokeFailure{Outcome: iocloud.OutcomeNotRevoked, KeyID: tk.KeyID, TicketID: tk.ID(), Err: err, Checked: true}
		record(iocloud.OutcomeNotRevoked, err)
		return nil, fail
	}
	record(iocloud.OutcomeRevoked, nil)
	return key, nil
}

// CancelRevoke uses the ticket up and records that the key stays.
func (g *Guard) CancelRevoke(ctx context.Context, actor iocloud.Actor, token, binding, via string) (*iocloud.APIKey, error) {
	tk, err := g.open(ctx, actor, ActionRevokeAPIKey, token, binding)
	if err != nil {
		return nil, err
	}
	ev := g.event(actor, ActionRevokeAPIKey, iocloud.OutcomeCancelled, nil)
	ev.TicketID, ev.Via, ev.KeyID, ev.Display = tk.ID(), via, tk.KeyID, tk.Display
	g.audit.Record(ctx, ev)
	return &iocloud.APIKey{KeyID: tk.KeyID, Display: tk.Display, Description: tk.Request.Description, ExpiresAt: tk.Request.ExpiresAt}, nil
}
