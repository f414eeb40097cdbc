package iocloud

import (
	"context"
	"io"
	"log/slog"
	"time"
)

// SKELETON

// Audit outcomes.
const (
	OutcomePending   = "pending"   // preview shown, ticket issued
	OutcomeRefused   = "refused"   // policy or missing/expired JWT; nothing asked of io.net
	OutcomeRejected  = "rejected"  // confirmation invalid, expired, reused or someone else's
	OutcomeCancelled = "cancelled" // declined or cancelled by the requester
	OutcomeCreated   = "created"
	OutcomeFailed    = "failed" // io.net answered with an error
)

// AuditEvent is one step of a key-creation attempt. It never holds a secret.
type AuditEvent struct {
	Time     time.Time   `json:"time"`
	Frontend string      `json:"frontend"`
	Actor    string      `json:"actor"`
	Action   string      `json:"action"`
	Outcome  string      `json:"outcome"`
	Reason   string      `json:"reason,omitempty"`
	Request  *KeyRequest `json:"request,omitempty"`
	KeyID    string      `json:"key_id,omitempty"`
	Display  string      `json:"display,omitempty"`
	Sandbox  bool        `json:"sandbox"`
}

// Audit writes events as JSON lines to w, or to logger when w is nil.
type Audit struct{ _ struct{} }

func NewAudit(w io.Writer, logger *slog.Logger) *Audit { return &Audit{} }

// Record writes one event.
func (a *Audit) Record(ctx context.Context, ev AuditEvent) {}
