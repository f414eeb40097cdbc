package guard

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/iocloud-chatops/iocloud/iocloud"
	"github.com/iocloud-chatops/iocloud/iocloud/state"
)

// approvalKeep is how long a finished approval is remembered, so the
// assistant's later status call can still learn what happened.
const approvalKeep = time.Hour

// ErrApprovalNotFound: no approval with that id (never issued, or forgotten
// after it expired).
var ErrApprovalNotFound = iocloud.ErrApprovalNotFound

// Approval is the core's approval record (iocloud.Approval).
type Approval = iocloud.Approval

// NewApprovalID is 128 random bits, URL-safe.
func newApprovalID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// OpenApproval files a prepared action (its confirmation token, from
// Prepare or PrepareRevoke) for a person to decide on the approval page.
// It returns the approval; nothing is performed.
func (g *Guard) OpenApproval(ctx context.Context, actor iocloud.Actor, token, binding string) (*Approval, error) {
	tk, err := g.tickets.Check(token, TicketCheck{Action: g.sealed(token).Action, Actor: actor.String(), Binding: binding})
	if err != nil {
		return nil, err
	}
	a := &Approval{
		ID: newApprovalID(), Action: tk.Action, Actor: tk.Actor, ActorName: actor.Name, TicketID: tk.ID(),
		Request: tk.Request, KeyID: tk.KeyID, Display: tk.Display, ExpiresAt: tk.ExpiresAt,
		Sandbox: g.sandbox, Status: iocloud.ApprovalPending, Token: token,
	}
	if err := g.saveApproval(ctx, a); err != nil {
		return nil, err
	}
	if err := g.store.Put(ctx, "approval-of:"+tk.ID(), []byte(a.ID), g.keepFor(a)); err != nil {
		return nil, fmt.Errorf("%w: %w", iocloud.ErrStateUnavailable, err)
	}
	return a, nil
}

// notFiledForPage refuses a tool's confirmation (elicitation answer, token)
// of a ticket that was filed for the approval page. The assistant holds that
// ticket's token only to ask for the outcome; a client that dressed it up as
// a form answer ("accepted", state = token) must not create or cancel
// anything. A store that cannot say refuses too.
func (g *Guard) notFiledForPage(ctx context.Context, actor iocloud.Actor, action, token string) error {
	tk, err := g.tickets.verify(token)
	if err != nil {
		return nil // openTicket reports (and audits) a bad token
	}
	_, err = g.store.Get(ctx, "approval-of:"+tk.ID())
	switch {
	case errors.Is(err, state.ErrNotFound):
		return nil
	case err != nil:
		return g.refuseToken(ctx, actor, action, token, fmt.Errorf("%w: %w", iocloud.ErrStateUnavailable, err))
	}
	return g.rejectToken(ctx, actor, action, token, fmt.Errorf("not confirmed: %w", iocloud.ErrApprovalOnPage))
}

// Approval looks an approval up by id (for the page).
func (g *Guard) Approval(ctx context.Context, id string) (*Approval, error) {
	raw, err := g.store.Get(ctx, "approval:"+id)
	switch {
	case errors.Is(err, state.ErrNotFound):
		return nil, ErrApprovalNotFound
	case err != nil:
		return nil, fmt.Errorf("%w: %w", iocloud.ErrStateUnavailable, err)
	}
	var a Approval
	if err := json.Unmarshal(raw, &a); err != nil {
		return nil, fmt.Errorf("approval record unreadable: %w", err)
	}
	return &a, nil
}

// ApprovalStatus is what the assistant may learn by calling again with the
// same arguments and token: the approval's state, never the secret. The
// ticket must be the caller's and bound to these arguments; an expired
// ticket whose approval was decided still reports the decision.
func (g *Guard) ApprovalStatus(ctx context.Context, actor iocloud.Actor, action, token, binding string) (*Approval, error) {
	tk, err := g.tickets.checkOwner(token, TicketCheck{Action: action, Actor: actor.String(), Binding: binding})
	if err != nil {
		return nil, err
	}
	raw, err := g.store.Get(ctx, "approval-of:"+tk.ID())
	switch {
	case errors.Is(err, state.ErrNotFound):
		if !g.now().Before(tk.ExpiresAt) {
			return nil, expiredAt(tk.ExpiresAt)
		}
		return nil, ErrApprovalNotFound
	case err != nil:
		return nil, fmt.Errorf("%w: %w", iocloud.ErrStateUnavailable, err)
	}
	a, err := g.Approval(ctx, string(raw))
	if err != nil {
		return nil, err
	}
	if a.Pending() && !g.now().Before(a.ExpiresAt) {
		return nil, expiredAt(a.ExpiresAt)
	}
	return a, nil
}

// Approve performs the approval's action once, for the person who clicked
// Approve on the page: the ticket is used up (single use across replicas),
// the policy is checked again, and the action is audited with
// via=approval_page. For a created key the secret is returned to be shown
// on the page, once; it is stored nowhere.
func (g *Guard) Approve(ctx context.Context, id string) (*Approval, *iocloud.CreatedKey, error) {
	a, err := g.Approval(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	actor := actorOf(a)
	if err := g.Preflight(); err != nil {
		return a, nil, g.refuse(ctx, actor, a.Action, err, nil)
	}
	tk, err := g.openTicket(ctx, actor, a.Action, a.Token, g.sealed(a.Token).Binding)
	if err != nil {
		return a, nil, err
	}
	a.Status = iocloud.ApprovalWorking
	_ = g.saveApproval(ctx, a) // best effort: the outcome below is what counts

	switch tk.Action {
	case ActionRevokeAPIKey:
		_, err = g.revokeOnce(ctx, actor, tk, iocloud.ViaApprovalPage)
		a.Status = revokeStatus(err)
		g.finish(ctx, a, err)
		return a, nil, err
	default:
		// The policy may have changed since the preview (a restart with
		// new settings): check the exact request again.
		if _, perr := g.policy.Check(iocloud.KeyAsk{Description: tk.Request.Description, ExpiresAt: tk.Request.ExpiresAt,
			Scopes: tk.Request.Scopes, Project: tk.Request.Project}, g.now()); perr != nil {
			g.recordTicket(ctx, actor, OutcomeRefused, tk, iocloud.ViaApprovalPage, perr)
			a.Status = iocloud.OutcomeNotCreated
			g.finish(ctx, a, perr)
			return a, nil, perr
		}
		key, err := g.createOnce(ctx, actor, tk, iocloud.ViaApprovalPage)
		a.Status = createStatus(err)
		if key != nil {
			a.KeyID, a.Display, a.Request.ExpiresAt = key.Key.KeyID, key.Key.Display, key.Key.ExpiresAt
		}
		var fail *iocloud.CreateFailure
		if errors.As(err, &fail) && fail.Key != nil {
			a.KeyID, a.Display = fail.Key.KeyID, fail.Key.Display
		}
		g.finish(ctx, a, err)
		return a, key, err
	}
}

// CancelApproval uses the ticket up without acting (the page's Cancel).
func (g *Guard) CancelApproval(ctx context.Context, id string) (*Approval, error) {
	a, err := g.Approval(ctx, id)
	if err != nil {
		return nil, err
	}
	actor := actorOf(a)
	tk, err := g.openTicket(ctx, actor, a.Action, a.Token, g.sealed(a.Token).Binding)
	if err != nil {
		return a, err
	}
	g.recordTicket(ctx, actor, iocloud.OutcomeCancelled, tk, iocloud.ViaApprovalPage, nil)
	a.Status = iocloud.OutcomeCancelled
	g.finish(ctx, a, nil)
	return a, nil
}

func (g *Guard) finish(ctx context.Context, a *Approval, err error) {
	if err != nil {
		a.Reason = iocloud.Advice(err)
	}
	if serr := g.saveApproval(ctx, a); serr != nil {
		g.logger.WarnContext(ctx, "approval outcome not saved; the assistant will see it as pending until it expires", "ticket_id", a.TicketID, "err", serr)
	}
}

func (g *Guard) saveApproval(ctx context.Context, a *Approval) error {
	raw, err := json.Marshal(a)
	if err != nil {
		return err
	}
	if err := g.store.Put(ctx, "approval:"+a.ID, raw, g.keepFor(a)); err != nil {
		return fmt.Errorf("%w: %w", iocloud.ErrStateUnavailable, err)
	}
	return nil
}

func (g *Guard) keepFor(a *Approval) time.Duration {
	return a.ExpiresAt.Sub(g.now()) + approvalKeep
}

// sealed reads what a token claims (action, binding) before it is checked;
// the MAC check that follows still decides. A token that does not verify
// gives the zero Ticket, which matches nothing.
func (g *Guard) sealed(token string) Ticket {
	tk, _ := g.tickets.verify(token)
	return tk
}

func actorOf(a *Approval) iocloud.Actor {
	frontend, id, _ := strings.Cut(a.Actor, ":")
	return iocloud.Actor{Frontend: frontend, ID: id, Name: a.ActorName}
}

func createStatus(err error) string {
	var fail *iocloud.CreateFailure
	switch {
	case err == nil:
		return iocloud.OutcomeCreated
	case errors.As(err, &fail):
		return fail.Outcome
	}
	return iocloud.OutcomeNotCreated
}

func revokeStatus(err error) string {
	var fail *iocloud.RevokeFailure
	switch {
	case err == nil:
		return iocloud.OutcomeRevoked
	case errors.Is(err, iocloud.ErrKeyNotFound):
		return iocloud.OutcomeNotFound
	case errors.As(err, &fail):
		return fail.Outcome
	}
	return iocloud.OutcomeNotRevoked
}
