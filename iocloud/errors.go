package iocloud

import (
	"errors"
	"time"
)

// Sentinels for io.net failures; an *APIError matches the one for its status
// with errors.Is.
var (
	ErrUnauthorized = errors.New("io.net rejected the credentials")        // 401
	ErrForbidden    = errors.New("io.net refused access")                  // 403
	ErrNotFound     = errors.New("io.net has no such resource")            // 404
	ErrValidation   = errors.New("io.net rejected the request parameters") // 422 (and 400)
	ErrRateLimited  = errors.New("io.net is rate limiting requests")       // 429
	ErrUnavailable  = errors.New("io.net is unavailable")                  // 5xx, connection failures, timeouts
	ErrNoJWT        = errors.New("no io.net session token is configured")
	ErrJWTExpired   = errors.New("the io.net session token has expired")
)

// FieldError is one item of a FastAPI validation error (422).
type FieldError struct {
	Loc  []string `json:"loc"` // e.g. ["query","hardware_id"]; numbers are rendered as text
	Msg  string   `json:"msg"`
	Type string   `json:"type"`
}

// InputError is a request the client refused before calling io.net, because
// io.net would reject it anyway. It matches ErrValidation with errors.Is.
type InputError struct {
	Field   string // what was wrong, in words a person typed ("GPUs per container")
	Problem string // what is wrong and what to send instead
}

// APIError is an unsuccessful answer from io.net. Its text never contains a
// credential.
type APIError struct {
	StatusCode int
	Method     string
	Path       string        // path only, never a query with secrets
	Detail     string        // "detail" as text, or a short excerpt of a non-JSON body
	Fields     []FieldError  // "detail" as a validation list
	RetryAfter time.Duration // from Retry-After, 0 when absent
	// KeySet: the body was io.net's {"key_set": true}, which it has sent
	// (with 400) for an API key made for another project than io-cloud.
	KeySet bool
}

// HardwareLookupError says a hardware name or id matched none, or more than
// one, of io.net's hardware types. Valid lists every name that would work.
type HardwareLookupError struct {
	Query     string
	Ambiguous bool
	Matches   []string // the names an ambiguous query matched
	Valid     []string
}

// ErrUnknownHardware matches every *HardwareLookupError with errors.Is.
var ErrUnknownHardware = errors.New("unknown hardware")

// PolicyError says which part of a key request breaks the key policy and
// what to send instead.
type PolicyError struct {
	Field   string // "description", "expires", "scopes", "project"
	Problem string // what is wrong
	Hint    string // what to send instead
}

// ErrPolicy matches every *PolicyError with errors.Is.
var ErrPolicy = errors.New("key request breaks the key policy")

// Ticket failures (see Tickets.Open). Only a ticket that passes every check is
// used up: ErrTicketWrongActor and ErrTicketMismatch leave it to its owner.
var (
	ErrTicketInvalid    = errors.New("confirmation is not valid") // malformed, tampered, wrong secret
	ErrTicketExpired    = errors.New("confirmation has expired")
	ErrTicketUsed       = errors.New("confirmation has already been used")
	ErrTicketWrongActor = errors.New("confirmation belongs to someone else")
	ErrTicketMismatch   = errors.New("confirmation was issued for a different request")
	// ErrTicketStale: sealed with another ticket key — by this server before
	// a restart, or by another server — so it cannot be checked here.
	ErrTicketStale = errors.New("confirmation was issued before the server restarted or by another server")
	// ErrApprovalNotFound: no approval on file under that id or ticket
	// (never filed, or forgotten an hour after it expired).
	ErrApprovalNotFound = errors.New("no such approval: it never existed or has expired")
	// ErrApprovalOnPage: the ticket waits for the person on the approval
	// page; a tool call cannot confirm or cancel it.
	ErrApprovalOnPage = errors.New("confirmation is decided on the approval page, not by a tool call")
)
