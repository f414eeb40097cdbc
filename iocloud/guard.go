package iocloud

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// ActionCreateAPIKey is the ticket action and audit action of key creation.
const ActionCreateAPIKey = "create_api_key"

// KeyCreator is the part of Client the guard drives.
type KeyCreator interface {
	CreateAPIKey(ctx context.Context, req KeyRequest) (*CreatedKey, error)
	JWTStatus() JWTStatus
}

// Actor is who asks: the frontend and a stable id there ("slack", "T1/U1").
type Actor struct {
	Frontend string
	ID       string
}

func (a Actor) String() string { return a.Frontend + ":" + a.ID }

// GuardConfig wires a Guard. Creator is required. A zero Policy means
// DefaultPolicy(); nil Tickets means a random per-process key; nil Audit
// means audit records go to slog.Default(); nil Now means time.Now.
type GuardConfig struct {
	Creator KeyCreator
	Policy  Policy
	Tickets *Tickets
	Audit   *Audit
	Now     func() time.Time
	Sandbox bool
}

// Guard runs key creation in the one agreed order: policy → confirmation →
// create (once) → audit. It keeps no state of its own besides Tickets, so it
// is safe for concurrent use: of concurrent Confirms with one token, exactly
// one reaches io.net.
type Guard struct {
	creator KeyCreator
	policy  Policy
	tickets *Tickets
	audit   *Audit
	now     func() time.Time
	sandbox bool
}

// errNoCreator is a wiring mistake, reported instead of a nil dereference.
var errNoCreator = errors.New("key creation is not configured")

func NewGuard(cfg GuardConfig) *Guard {
	g := &Guard{
		creator: cfg.Creator,
		policy:  cfg.Policy,
		tickets: cfg.Tickets,
		audit:   cfg.Audit,
		now:     cfg.Now,
		sandbox: cfg.Sandbox,
	}
	if g.policy.DefaultTTL == 0 && g.policy.MaxTTL == 0 && len(g.policy.AllowedScopes) == 0 && g.policy.DefaultProject == "" {
		g.policy = DefaultPolicy()
	}
	if g.now == nil {
		g.now = time.Now
	}
	if g.tickets == nil {
		g.tickets, _ = NewTickets(nil) // cannot fail without a secret
	}
	if g.audit == nil {
		g.audit = NewAudit(nil, slog.Default())
	}
	return g
}

// Pending is a checked request waiting for confirmation.
type Pending struct {
	Token     string
	ExpiresAt time.Time
	Request   KeyRequest
	JWT       JWTStatus // e.g. to warn that the session token ExpiresSoon
}

// Prepare checks the JWT and the policy and issues a ticket bound to actor,
// action and binding. Nothing is created. A refusal is a *PolicyError
// (errors.Is ErrPolicy), ErrNoJWT or ErrJWTExpired.
func (g *Guard) Prepare(ctx context.Context, actor Actor, ask KeyAsk, binding string) (*Pending, error) {
	if actor.Frontend == "" || actor.ID == "" {
		return nil, errors.New("key creation needs an actor with a frontend and an id")
	}
	if err := g.Preflight(); err != nil {
		g.record(ctx, actor, OutcomeRefused, err.Error(), nil)
		return nil, err
	}
	req, err := g.policy.Check(ask, g.now())
	if err != nil {
		g.record(ctx, actor, OutcomeRefused, err.Error(), nil)
		return nil, err
	}
	token, tk, err := g.tickets.Seal(Ticket{Action: ActionCreateAPIKey, Actor: actor.String(), Binding: binding, Request: req})
	if err != nil {
		g.record(ctx, actor, OutcomeRefused, err.Error(), &req)
		return nil, err
	}
	g.recordTicket(ctx, actor, OutcomePending, "", tk)
	return &Pending{Token: token, ExpiresAt: tk.ExpiresAt, Request: req, JWT: g.creator.JWTStatus()}, nil
}

// Confirm opens (consumes) the ticket and creates the key exactly once. The
// JWT is checked first, so a token that expired while the preview was shown
// is reported without burning the ticket or calling io.net. io.net's error is
// returned as is (an *APIError); ticket errors match the ErrTicket* values.
// The created key's secret is returned to the caller and recorded nowhere.
func (g *Guard) Confirm(ctx context.Context, actor Actor, token, binding string) (*CreatedKey, error) {
	if err := g.Preflight(); err != nil {
		g.record(ctx, actor, OutcomeRefused, err.Error(), nil)
		return nil, err
	}
	tk, err := g.open(ctx, actor, token, binding)
	if err != nil {
		return nil, err
	}
	// Exactly one call: a retried POST could create a second key.
	key, err := g.creator.CreateAPIKey(ctx, tk.Request)
	if err == nil && key == nil {
		err = errors.New("io.net answered without a key")
	}
	if err != nil {
		g.recordTicket(ctx, actor, OutcomeFailed, err.Error(), tk)
		return nil, err
	}
	ev := g.event(actor, OutcomeCreated, "", &tk.Request)
	ev.TicketID = ticketID(tk)
	ev.KeyID = key.Key.KeyID
	ev.Display = key.Key.Display
	g.audit.Record(ctx, ev)
	return key, nil
}

// Cancel opens (consumes) the ticket and records the cancellation. It
// returns the request that will now not be created.
func (g *Guard) Cancel(ctx context.Context, actor Actor, token, binding string) (KeyRequest, error) {
	tk, err := g.open(ctx, actor, token, binding)
	if err != nil {
		return KeyRequest{}, err
	}
	g.recordTicket(ctx, actor, OutcomeCancelled, "", tk)
	return tk.Request, nil
}

// Preflight says whether key creation is possible at all (JWT present and
// not expired) without touching a ticket.
func (g *Guard) Preflight() error {
	if g.creator == nil {
		return errNoCreator
	}
	st := g.creator.JWTStatus()
	switch {
	case !st.Present:
		return ErrNoJWT
	case st.Expired && !st.ExpiresAt.IsZero():
		return fmt.Errorf("%w (on %s); copy a fresh one from the io.net console", ErrJWTExpired, st.ExpiresAt.UTC().Format("2006-01-02 15:04 MST"))
	case st.Expired:
		return fmt.Errorf("%w; copy a fresh one from the io.net console", ErrJWTExpired)
	}
	return nil
}

// open opens the actor's ticket for key creation, auditing a rejection.
func (g *Guard) open(ctx context.Context, actor Actor, token, binding string) (Ticket, error) {
	tk, err := g.tickets.Open(token, TicketCheck{Action: ActionCreateAPIKey, Actor: actor.String(), Binding: binding})
	if err != nil {
		g.record(ctx, actor, OutcomeRejected, err.Error(), nil)
		return Ticket{}, fmt.Errorf("key creation not confirmed: %w", err)
	}
	return tk, nil
}

func (g *Guard) event(actor Actor, outcome, reason string, req *KeyRequest) AuditEvent {
	return AuditEvent{
		Time:     g.now(),
		Frontend: actor.Frontend,
		Actor:    actor.String(),
		Action:   ActionCreateAPIKey,
		Outcome:  outcome,
		Reason:   reason,
		Request:  req,
		Sandbox:  g.sandbox,
	}
}

func (g *Guard) record(ctx context.Context, actor Actor, outcome, reason string, req *KeyRequest) {
	g.audit.Record(ctx, g.event(actor, outcome, reason, req))
}

func (g *Guard) recordTicket(ctx context.Context, actor Actor, outcome, reason string, tk Ticket) {
	ev := g.event(actor, outcome, reason, &tk.Request)
	ev.TicketID = ticketID(tk)
	g.audit.Record(ctx, ev)
}

// ticketID is a short, one-way id for a ticket, for correlating audit events.
func ticketID(tk Ticket) string {
	sum := sha256.Sum256([]byte("iocloud-ticket-id\x00" + tk.Nonce))
	return hex.EncodeToString(sum[:8])
}
