package iocloud

import "time"

// Actor is who asks: the frontend and a stable id there ("slack" and
// "T1/U1", "mcp" and "oauth:1234"). Tickets, limits and audit records are
// bound to Frontend and ID; Name is only shown (an email or a display name).
type Actor struct {
	Frontend string
	ID       string
	Name     string
}

func (a Actor) String() string { return a.Frontend + ":" + a.ID }

// Pending is a checked request waiting for the person's approval. Nothing
// has been asked of io.net yet.
type Pending struct {
	Token     string
	TicketID  string // the audit records' ticket_id for this request
	ExpiresAt time.Time
	Request   KeyRequest
	JWT       JWTStatus // e.g. to warn that the session token ExpiresSoon
}
