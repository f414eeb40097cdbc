package guard

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/iocloud-chatops/iocloud/iocloud"
	"github.com/iocloud-chatops/iocloud/iocloud/state"
)

// The guard's actions (ticket action and audit action).
const (
	ActionCreateAPIKey = "create_api_key"
	ActionRevokeAPIKey = "revoke_api_key" //nolint:gosec // an action name, not a credential
)

// Client is the part of iocloud.Client the guard drives.
type Client interface {
	CreateAPIKey(ctx context.Context, req iocloud.KeyRequest) (*iocloud.CreatedKey, error)
	ListAPIKeys(ctx context.Context) (*iocloud.KeyList, error)
	RevokeAPIKey(ctx context.Context, keyID string) error
	JWTStatus() iocloud.JWTStatus
}

// Config wires a Guard. Client is required. A zero Policy means
// iocloud.DefaultPolicy(); nil Store a new in-memory one; nil Tickets a
// random per-process key on Store; nil Audit the logger; zero Limits
// DefaultLimits(); nil Now time.Now.
type Config struct {
	Client  Client
	Policy  iocloud.Policy
	Store   state.Store
	Tickets *Tickets
	Audit   *Audit
	Limits  Limits
	Logger  *slog.Logger
	Now     func() time.Time
	Sandbox bool
	// ActTimeout bounds a create or revoke request to io.net once it has
	// been approved. The request runs on its own deadline, detached from
	// the caller: a client that disconnects, a Slack retry or SIGTERM does
	// not cut it short. Zero means 60 s.
	ActTimeout time.Duration
}

// Guard runs key actions in the one agreed order: policy → approval → act
// once → audit. Its state lives in the store; in memory it keeps only the
// in-flight count (for a clean shutdown) and the refusal summaries.
type Guard struct {
	client     Client
	policy     iocloud.Policy
	store      state.Store
	tickets    *Tickets
	audit      *Audit
	limits     Limits
	logger     *slog.Logger
	now        func() time.Time
	sandbox    bool
	actTimeout time.Duration
	inflight   sync.WaitGroup
	refusals   *refusalSummary
	// lookAgainAfter is the pause before the second key-list lookup after a
	// timed-out create.
	lookAgainAfter time.Duration
}

// DefaultActTimeout bounds an approved io.net call when Config says nothing.
const DefaultActTimeout = 60 * time.Second

// New builds a Guard.
func New(cfg Config) *Guard {
	g := &Guard{
		client:     cfg.Client,
		policy:     cfg.Policy,
		store:      cfg.Store,
		tickets:    cfg.Tickets,
		audit:      cfg.Audit,
		limits:     cfg.Limits,
		logger:     cfg.Logger,
		now:        cfg.Now,
		sandbox:    cfg.Sandbox,
		actTimeout: cfg.ActTimeout,
	}
	if g.policy.DefaultTTL == 0 && g.policy.MaxTTL == 0 && len(g.policy.AllowedScopes) == 0 && g.policy.DefaultProject == "" {
		g.policy = iocloud.DefaultPolicy()
	}
	if g.now == nil {
		g.now = time.Now
	}
	if g.logger == nil {
		g.logger = slog.Default()
	}
	if g.store == nil {
		g.store = state.NewMemoryWithClock(g.now)
	}
	if g.tickets == nil {
		g.tickets, _ = NewTickets(nil, g.store, WithTicketClock(g.now)) // cannot fail without a secret
	}
	if g.audit == nil {
		g.audit = NewAudit(nil, g.logger)
	}
	if g.limits == (Limits{}) {
		g.limits = DefaultLimits()
	}
	if g.actTimeout <= 0 {
		g.actTimeout = DefaultActTimeout
	}
	g.refusals = newRefusalSummary(g.now)
	g.lookAgainAfter = 2 * time.Second
	return g
}

// errNoClient is a wiring mistake, reported instead of a nil dereference.
var errNoClient = errors.New("key actions are not configured")

// Preflight says whether key actions are possible at all (JWT present and
// not expired) without touching a ticket.
func (g *Guard) Preflight() error {
	if g.client == nil {
		return errNoClient
	}
	st := g.client.JWTStatus()
	switch {
	case !st.Present:
		return iocloud.ErrNoJWT
	case st.Expired && !st.ExpiresAt.IsZero():
		return fmt.Errorf("%w (on %s); copy a fresh one from the io.net console", iocloud.ErrJWTExpired, st.ExpiresAt.UTC().Format("2006-01-02 15:04 MST"))
	case st.Expired:
		return fmt.Errorf("%w; copy a fresh one from the io.net console", iocloud.ErrJWTExpired)
	}
	return nil
}

// Wait blocks until every approved create or revoke in flight has finished
// (each runs to its own deadline), or ctx ends. Shutdown calls it before
// exiting, so SIGTERM never leaves a key whose outcome nobody recorded.
func (g *Guard) Wait(ctx context.Context) error {
	done := make(chan struct{})
	go func() {
		g.inflight.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("key actions still in flight at shutdown: %w", ctx.Err())
	}
}

// ActTimeout is how long an approved action may run; shutdown grace must be
// longer.
func (g *Guard) ActTimeout() time.Duration { return g.actTimeout }

// Ready reports whether the state store can be reached (for health checks
// and start-up logs).
func (g *Guard) Ready(ctx context.Context) error {
	if err := g.store.Ping(ctx); err != nil {
		return fmt.Errorf("%w: %w", iocloud.ErrStateUnavailable, err)
	}
	return nil
}

func (g *Guard) event(actor iocloud.Actor, action, outcome string, err error) AuditEvent {
	ev := AuditEvent{
		Time:      g.now(),
		Frontend:  actor.Frontend,
		Actor:     actor.String(),
		ActorName: actor.Name,
		Action:    action,
		Outcome:   outcome,
		Sandbox:   g.sandbox,
	}
	if err != nil {
		ev.Reason = err.Error()
	}
	return ev
}

// refuse audits a refusal (summarised when one actor repeats it) and
// returns err.
func (g *Guard) refuse(ctx context.Context, actor iocloud.Actor, action string, err error, req *iocloud.KeyRequest) error {
	ev := g.event(actor, action, OutcomeRefused, err)
	ev.Request = req
	return g.summarised(ctx, ev, err)
}

// refuseToken is refuse for a token (the store could not be reached); when
// the token is genuine the record carries its ticket id.
func (g *Guard) refuseToken(ctx context.Context, actor iocloud.Actor, action, token string, err error) error {
	ev := g.event(actor, action, OutcomeRefused, err)
	ev.TicketID = g.ticketIDOf(token)
	return g.summarised(ctx, ev, err)
}

// rejectToken audits a confirmation that did not open. When the token is
// genuine (its seal verifies) the record carries its ticket id, as every
// record that involves a ticket does, even a refused one (used, expired,
// someone else's).
func (g *Guard) rejectToken(ctx context.Context, actor iocloud.Actor, action, token string, err error) error {
	ev := g.event(actor, action, OutcomeRejected, err)
	ev.TicketID = g.ticketIDOf(token)
	return g.summarised(ctx, ev, err)
}

// summarised records ev unless the refusal summary holds it back, and
// returns err.
func (g *Guard) summarised(ctx context.Context, ev AuditEvent, err error) error {
	if g.refusals.allow(&ev, err) {
		g.audit.Record(ctx, ev)
	}
	return err
}

// ticketIDOf is the id of a genuine token's ticket, "" for anything else:
// a forged or mangled token names no ticket.
func (g *Guard) ticketIDOf(token string) string {
	if token == "" {
		return ""
	}
	tk, err := g.tickets.verify(token)
	if err != nil || tk.Nonce == "" {
		return ""
	}
	return tk.ID()
}

func (g *Guard) recordTicket(ctx context.Context, actor iocloud.Actor, outcome string, tk Ticket, via string, err error) {
	ev := g.event(actor, tk.Action, outcome, err)
	ev.TicketID = tk.ID()
	ev.Via = via
	if tk.Action == ActionCreateAPIKey || tk.Request.Description != "" {
		req := tk.Request
		ev.Request = &req
	}
	ev.KeyID = tk.KeyID
	g.audit.Record(ctx, ev)
}
