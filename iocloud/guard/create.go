package guard

import (
	"context"
	"errors"
	"fmt"

	"github.com/iocloud-chatops/iocloud/iocloud"
)

// Prepare checks the JWT, the policy and the person's limits, and issues a
// ticket bound to actor, action and binding. Nothing is created. A refusal
// is a *PolicyError (ErrPolicy), a *LimitError (ErrLimit),
// ErrStateUnavailable, ErrNoJWT or ErrJWTExpired, and is audited.
func (g *Guard) Prepare(ctx context.Context, actor iocloud.Actor, ask iocloud.KeyAsk, binding string) (*iocloud.Pending, error) {
	if actor.Frontend == "" || actor.ID == "" {
		return nil, errors.New("key creation needs an actor with a frontend and an id")
	}
	if err := g.Preflight(); err != nil {
		return nil, g.refuse(ctx, actor, ActionCreateAPIKey, err, nil)
	}
	req, err := g.policy.Check(ask, g.now())
	if err != nil {
		return nil, g.refuse(ctx, actor, ActionCreateAPIKey, err, nil)
	}
	if err := g.dailyRoom(ctx, actor); err != nil {
		return nil, g.refuse(ctx, actor, ActionCreateAPIKey, err, &req)
	}
	token, tk, err := g.issue(ctx, actor, Ticket{Action: ActionCreateAPIKey, Binding: binding, Request: req})
	if err != nil {
		return nil, g.refuse(ctx, actor, ActionCreateAPIKey, err, &req)
	}
	g.recordTicket(ctx, actor, OutcomePending, tk, "", nil)
	return &iocloud.Pending{Token: token, TicketID: tk.ID(), ExpiresAt: tk.ExpiresAt, Request: req, JWT: g.client.JWTStatus()}, nil
}

// issue reserves the actor's preview places and seals the ticket.
func (g *Guard) issue(ctx context.Context, actor iocloud.Actor, tk Ticket) (string, Ticket, error) {
	tk.Actor = actor.String()
	tk.Nonce = NewNonce()
	if err := g.reservePreview(ctx, actor, tk.Nonce); err != nil {
		return "", Ticket{}, err
	}
	token, sealed, err := g.tickets.Seal(ctx, tk)
	if err != nil {
		g.releasePreview(ctx, actor, tk.Nonce)
		return "", Ticket{}, err
	}
	return token, sealed, nil
}

// Confirm uses the ticket up and creates the key exactly once. The JWT is
// checked first, so a token that expired while the preview was shown is
// reported without burning the ticket or calling io.net.
//
// Once the ticket is used, the creation is crash-safe: a "creating" audit
// record is written first (if it cannot be, nothing is created), the POST
// runs detached from ctx on its own deadline, and a lost answer is looked up
// in the key list. Failures are then a *CreateFailure whose Outcome says
// what is known; ticket problems match the ErrTicket* values. The secret is
// returned to the caller and recorded nowhere.
func (g *Guard) Confirm(ctx context.Context, actor iocloud.Actor, token, binding, via string) (*iocloud.CreatedKey, error) {
	if err := g.Preflight(); err != nil {
		return nil, g.refuse(ctx, actor, ActionCreateAPIKey, err, nil)
	}
	tk, err := g.open(ctx, actor, ActionCreateAPIKey, token, binding)
	if err != nil {
		return nil, err
	}
	return g.createOnce(ctx, actor, tk, via)
}

// createOnce creates the key of an opened ticket. Every path ends in one
// audit record with the ticket's id.
func (g *Guard) createOnce(ctx context.Context, actor iocloud.Actor, tk Ticket, via string) (*iocloud.CreatedKey, error) {
	g.inflight.Add(1)
	defer g.inflight.Done()
	// From here on the work belongs to the person's approval, not to the
	// request that carried it: a disconnect or SIGTERM must not cancel it.
	ctx = context.WithoutCancel(ctx)

	if err := g.reserveDaily(ctx, actor, tk.ID()); err != nil {
		g.recordTicket(ctx, actor, OutcomeRefused, tk, via, err)
		return nil, err
	}
	ahead := g.event(actor, ActionCreateAPIKey, OutcomeCreating, nil)
	ahead.TicketID, ahead.Via, ahead.Request = tk.ID(), via, &tk.Request
	if err := g.audit.Write(ctx, ahead); err != nil {
		g.releaseDaily(ctx, actor, tk.ID())
		fail := &iocloud.CreateFailure{Outcome: iocloud.OutcomeNotCreated, TicketID: tk.ID(),
			Err: fmt.Errorf("the audit log could not be written, so nothing was sent to io.net: %w", err)}
		g.logger.ErrorContext(ctx, "key creation refused: the audit record could not be written", "ticket_id", tk.ID(), "err", err)
		return nil, fail
	}

	started := g.now()
	actCtx, cancel := context.WithTimeout(ctx, g.actTimeout)
	key, err := g.client.CreateAPIKey(actCtx, tk.Request) // exactly one call: a retried POST could create a second key
	cancel()
	if err == nil && key == nil {
		err = errors.New("io.net answered without a key")
	}
	if err == nil {
		ev := g.event(actor, ActionCreateAPIKey, iocloud.OutcomeCreated, nil)
		ev.TicketID, ev.Via, ev.Request = tk.ID(), via, &tk.Request
		ev.KeyID, ev.Display = key.Key.KeyID, key.Key.Display
		g.audit.Record(ctx, ev)
		return key, nil
	}

	fail := g.reconcile(ctx, tk, started, err)
	if fail.Outcome == iocloud.OutcomeNotCreated {
		g.releaseDaily(ctx, actor, tk.ID())
	}
	ev := g.event(actor, ActionCreateAPIKey, fail.Outcome, err)
	ev.TicketID, ev.Via, ev.Request = tk.ID(), via, &tk.Request
	if fail.Key != nil {
		ev.KeyID, ev.Display = fail.Key.KeyID, fail.Key.Display
	}
	g.audit.Record(ctx, ev)
	return nil, fail
}

// Cancel uses the ticket up and records the cancellation. It returns the
// request that will now not be created.
func (g *Guard) Cancel(ctx context.Context, actor iocloud.Actor, token, binding, via string) (iocloud.KeyRequest, error) {
	tk, err := g.open(ctx, actor, ActionCreateAPIKey, token, binding)
	if err != nil {
		return iocloud.KeyRequest{}, err
	}
	g.recordTicket(ctx, actor, iocloud.OutcomeCancelled, tk, via, nil)
	return tk.Request, nil
}

// open checks the actor's ticket and uses it up, auditing a rejection, and
// frees its open-preview place. A ticket filed for the approval page is
// refused here: only the person's click on that page may redeem it.
func (g *Guard) open(ctx context.Context, actor iocloud.Actor, action, token, binding string) (Ticket, error) {
	if err := g.notFiledForPage(ctx, actor, action, token); err != nil {
		return Ticket{}, err
	}
	return g.openTicket(ctx, actor, action, token, binding)
}

// openTicket is open without the approval-page check, for the page itself.
func (g *Guard) openTicket(ctx context.Context, actor iocloud.Actor, action, token, binding string) (Ticket, error) {
	tk, err := g.tickets.Open(ctx, token, TicketCheck{Action: action, Actor: actor.String(), Binding: binding})
	if err != nil {
		if errors.Is(err, iocloud.ErrStateUnavailable) {
			return Ticket{}, g.refuseToken(ctx, actor, action, token, err)
		}
		return Ticket{}, g.rejectToken(ctx, actor, action, token, fmt.Errorf("not confirmed: %w", err))
	}
	g.releasePreview(ctx, actor, tk.Nonce)
	return tk, nil
}
