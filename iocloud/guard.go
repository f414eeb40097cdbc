package iocloud

import (
	"context"
	"time"
)

// SKELETON

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

// GuardConfig wires a Guard.
type GuardConfig struct {
	Creator KeyCreator
	Policy  Policy
	Tickets *Tickets
	Audit   *Audit
	Now     func() time.Time
	Sandbox bool
}

// Guard runs key creation in the one agreed order: policy → confirmation →
// create (once) → audit.
type Guard struct{ _ struct{} }

func NewGuard(cfg GuardConfig) *Guard { return &Guard{} }

// Pending is a checked request waiting for confirmation.
type Pending struct {
	Token     string
	ExpiresAt time.Time
	Request   KeyRequest
}

// Prepare checks the JWT and the policy and issues a ticket bound to actor,
// action and binding. Nothing is created.
func (g *Guard) Prepare(ctx context.Context, actor Actor, ask KeyAsk, binding string) (*Pending, error) {
	return nil, errUnimplemented
}

// Confirm opens (consumes) the ticket and creates the key exactly once.
func (g *Guard) Confirm(ctx context.Context, actor Actor, token, binding string) (*CreatedKey, error) {
	return nil, errUnimplemented
}

// Cancel opens (consumes) the ticket and records the cancellation.
func (g *Guard) Cancel(ctx context.Context, actor Actor, token, binding string) (KeyRequest, error) {
	return KeyRequest{}, errUnimplemented
}

// Preflight says whether key creation is possible at all (JWT present and
// not expired) without touching a ticket.
func (g *Guard) Preflight() error { return errUnimplemented }
