package iocloud

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"time"
)

// Approval statuses besides the action outcomes (created, revoked…).
const (
	ApprovalPending = "approval_pending"
	// ApprovalWorking: approved; the action is running right now.
	ApprovalWorking = "approved"
)

// Approval is one action waiting for (or decided by) a person on the
// approval page. It never holds a key's secret.
type Approval struct {
	ID        string     `json:"id"`
	Action    string     `json:"action"`
	Actor     string     `json:"actor"`
	ActorName string     `json:"actor_name,omitempty"`
	TicketID  string     `json:"ticket_id"`
	Request   KeyRequest `json:"request"`
	KeyID     string     `json:"key_id,omitempty"`
	Display   string     `json:"display,omitempty"`
	ExpiresAt time.Time  `json:"expires_at"`
	Sandbox   bool       `json:"sandbox"`
	// Status is ApprovalPending, ApprovalWorking, "cancelled", or the
	// action's outcome word (created, created_secret_unavailable,
	// not_created, unknown, revoked, not_revoked, not_found).
	Status string `json:"status"`
	Reason string `json:"reason,omitempty"`
	// token is the sealed ticket the page redeems; kept in the store, never
	// shown.
	Token string `json:"token"`
}

// Pending reports whether the approval still waits for a decision.
func (a *Approval) Pending() bool { return a.Status == ApprovalPending }

// CSRF is the form token bound to this approval. It is derived from the
// sealed ticket, which only the store holds, so every replica computes the
// same value and nobody without the store can.
func (a *Approval) CSRF() string {
	k := sha256.Sum256([]byte(a.Token))
	m := hmac.New(sha256.New, k[:])
	m.Write([]byte("iocloud-approval-csrf\x00" + a.ID))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// CheckCSRF compares a submitted form token in constant time.
func (a *Approval) CheckCSRF(got string) bool {
	return hmac.Equal([]byte(got), []byte(a.CSRF()))
}
