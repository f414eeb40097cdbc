package iocloud

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Audit outcomes.
const (
	OutcomePending   = "pending"   // preview shown, ticket issued
	OutcomeRefused   = "refused"   // policy or missing/expired JWT; nothing asked of io.net
	OutcomeRejected  = "rejected"  // confirmation invalid, expired, reused or someone else's
	OutcomeCancelled = "cancelled" // declined or cancelled by the requester
	OutcomeCreated   = "created"
	OutcomeFailed    = "failed" // io.net answered with an error
)

// AuditEvent is one step of a key-creation attempt. It never holds a secret:
// it has no Secret field, KeyRequest has none, Reason is an error text (and
// no error of this package carries a credential), and for a created key
// only io.net's id and masked display form are kept. Keep it that way when
// adding fields.
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
	// TicketID ties the pending, created, failed and cancelled events of
	// one confirmation together. It is derived from the ticket's nonce and
	// cannot be turned back into a usable token.
	TicketID string `json:"ticket_id,omitempty"`
}

// Audit writes events as JSON lines to w, or to logger when w is nil. It is
// safe for concurrent use; each event is one Write call.
type Audit struct {
	mu     sync.Mutex
	w      io.Writer
	logger *slog.Logger
	now    func() time.Time
}

// NewAudit returns an Audit writing to w, or logging to logger when w is nil.
// A nil logger means slog.Default(); it also receives write errors.
func NewAudit(w io.Writer, logger *slog.Logger) *Audit {
	if logger == nil {
		logger = slog.Default()
	}
	return &Audit{w: w, logger: logger, now: time.Now}
}

// OpenAuditFile opens (creating it 0600 if needed) an append-only audit
// file. An existing file keeps its permissions.
func OpenAuditFile(path string) (*os.File, error) {
	return os.OpenFile(filepath.Clean(path), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
}

// Record writes one event. It never fails the caller: a write error is
// logged, and the event with it, so that the record is not lost entirely. A
// nil *Audit records nothing.
func (a *Audit) Record(ctx context.Context, ev AuditEvent) {
	if a == nil {
		return
	}
	if ev.Time.IsZero() {
		ev.Time = a.now()
	}
	ev.Time = ev.Time.UTC()
	if a.w == nil {
		a.log(ctx, ev)
		return
	}
	line, err := json.Marshal(ev)
	if err != nil { // cannot happen with these field types; log rather than drop
		a.logger.ErrorContext(ctx, "audit record could not be encoded", "err", err)
		a.log(ctx, ev)
		return
	}
	line = append(line, '\n')
	a.mu.Lock()
	_, err = a.w.Write(line)
	a.mu.Unlock()
	if err != nil {
		a.logger.ErrorContext(ctx, "audit record could not be written", "err", err)
		a.log(ctx, ev)
	}
}

// log writes the event through the logger at Info, as key-value pairs.
func (a *Audit) log(ctx context.Context, ev AuditEvent) {
	args := []any{
		"time", ev.Time,
		"frontend", ev.Frontend,
		"actor", ev.Actor,
		"action", ev.Action,
		"outcome", ev.Outcome,
		"sandbox", ev.Sandbox,
	}
	if ev.Reason != "" {
		args = append(args, "reason", ev.Reason)
	}
	if ev.TicketID != "" {
		args = append(args, "ticket_id", ev.TicketID)
	}
	if r := ev.Request; r != nil {
		args = append(args,
			"description", r.Description,
			"expires_at", r.ExpiresAt,
			"project", r.Project,
			"scopes", r.Scopes,
		)
	}
	if ev.KeyID != "" {
		args = append(args, "key_id", ev.KeyID)
	}
	if ev.Display != "" {
		args = append(args, "display", ev.Display)
	}
	a.logger.InfoContext(ctx, "audit", args...)
}
