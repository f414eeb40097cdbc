package iocloud

import "time"

// SKELETON

// TicketTTL is how long a confirmation stays valid.
const TicketTTL = 10 * time.Minute

// Ticket is the sealed state of one pending key creation.
type Ticket struct {
	Action    string     `json:"a"`           // e.g. "create_api_key"
	Actor     string     `json:"u"`           // Actor.String() of the requester
	Binding   string     `json:"b,omitempty"` // digest of the exact arguments (MCP), optional
	Request   KeyRequest `json:"r"`           // exactly what will be created
	ExpiresAt time.Time  `json:"e"`
	Nonce     string     `json:"n"`
}

// TicketCheck is what a ticket must match to open.
type TicketCheck struct {
	Action  string
	Actor   string
	Binding string // checked when non-empty, or when the ticket has one
}

// Tickets seals and opens confirmation tickets (HMAC-SHA256), single use.
type Tickets struct{ _ struct{} }

// TicketOption configures Tickets.
type TicketOption func(*Tickets)

func WithTicketClock(now func() time.Time) TicketOption { return nil }
func WithTicketTTL(d time.Duration) TicketOption        { return nil }

// NewTickets: secret empty means a random 32-byte key for this process.
func NewTickets(secret []byte, opts ...TicketOption) (*Tickets, error) { return nil, errUnimplemented }

// Seal fills Nonce and ExpiresAt and returns the token and the sealed ticket.
func (t *Tickets) Seal(tk Ticket) (string, Ticket, error) { return "", Ticket{}, errUnimplemented }

// Open verifies MAC, action, actor, binding and expiry, then consumes the
// ticket atomically. ErrTicketWrongActor does not consume it.
func (t *Tickets) Open(token string, check TicketCheck) (Ticket, error) {
	return Ticket{}, errUnimplemented
}

// Digest is a stable SHA-256 digest of v's JSON, for TicketCheck.Binding.
func Digest(v any) string { return "" }
