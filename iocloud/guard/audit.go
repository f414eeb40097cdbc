package guard

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/iocloud-chatops/iocloud/iocloud"
)

// Audit outcomes of the guard's own steps. What became of an action
// (created, not_created, revoked, cancelled, …) is package iocloud's word,
// used as is, since the frontends show the same words.
const (
	OutcomePending  = "pending"  // preview shown, ticket issued
	OutcomeRefused  = "refused"  // policy, limit, store or missing/expired JWT; nothing asked of io.net
	OutcomeRejected = "rejected" // confirmation invalid, expired, reused or someone else's
	OutcomeApproved = "approved" // approved on the approval page; the action follows
	OutcomeCreating = "creating" // written before the POST; the key may exist from here on
	OutcomeRevoking = "revoking" // written before the DELETE
)

// AuditEvent is one step of a key action. It never holds a secret: it has
// no Secret field, KeyRequest has none, Reason is an error text (and no
// error of the core carries a credential), and for a key only io.net's id
// and masked display form are kept. Keep it that way when adding fields.
type AuditEvent struct {
	Time      time.Time           `json:"time"`
	Frontend  string              `json:"frontend"`
	Actor     string              `json:"actor"`
	ActorName string              `json:"actor_name,omitempty"`
	Action    string              `json:"action"`
	Outcome   string              `json:"outcome"`
	Reason    string              `json:"reason,omitempty"`
	Request   *iocloud.KeyRequest `json:"request,omitempty"`
	// TicketID ties every record of one confirmation together (pending,
	// creating, created…). It cannot be turned back into a usable token.
	TicketID string `json:"ticket_id,omitempty"`
	KeyID    string `json:"key_id,omitempty"`
	Display  string `json:"display,omitempty"`
	Via      string `json:"via,omitempty"`
	Sandbox  bool   `json:"sandbox"`
}

// Audit writes events as JSON lines to a writer (usually an AuditFile), or
// to the operator log when there is none. Safe for concurrent use; each
// event is one Write call.
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

// Write writes one event and reports whether it reached the audit file. It
// is for the write-ahead records (creating, revoking): when it fails, the
// action must not happen. A nil *Audit records nothing and succeeds.
func (a *Audit) Write(ctx context.Context, ev AuditEvent) error {
	if a == nil {
		return nil
	}
	if ev.Time.IsZero() {
		ev.Time = a.now()
	}
	ev.Time = ev.Time.UTC()
	if a.w == nil {
		a.log(ctx, ev)
		return nil
	}
	line, err := json.Marshal(ev)
	if err != nil { // cannot happen with these field types
		return fmt.Errorf("encode the audit record: %w", err)
	}
	line = append(line, '\n')
	a.mu.Lock()
	_, err = a.w.Write(line)
	a.mu.Unlock()
	if err != nil {
		return fmt.Errorf("write the audit record: %w", err)
	}
	return nil
}

// Record writes one event and never fails the caller: a write error is
// logged with the event, so that the record is not lost entirely.
func (a *Audit) Record(ctx context.Context, ev AuditEvent) {
	if a == nil {
		return
	}
	if err := a.Write(ctx, ev); err != nil {
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
	add := func(k, v string) {
		if v != "" {
			args = append(args, k, v)
		}
	}
	add("actor_name", ev.ActorName)
	add("reason", ev.Reason)
	add("ticket_id", ev.TicketID)
	add("via", ev.Via)
	if r := ev.Request; r != nil {
		args = append(args,
			"description", r.Description,
			"expires_at", r.ExpiresAt,
			"project", r.Project,
			"scopes", r.Scopes,
		)
	}
	add("key_id", ev.KeyID)
	add("display", ev.Display)
	a.logger.InfoContext(ctx, "audit", args...)
}
