package iocloud

import (
	"errors"
	"fmt"
	"time"
)

// What became of a key creation that was confirmed. The audit log, the MCP
// structured output and the Slack messages use the same words.
const (
	// OutcomeCreated: the key exists and its secret was delivered.
	OutcomeCreated = "created"
	// OutcomeSecretUnavailable: the key exists (found in the key list) but
	// its secret was lost with io.net's answer; revoke it and start over.
	OutcomeSecretUnavailable = "created_secret_unavailable"
	// OutcomeNotCreated: io.net made no key; it is safe to start over.
	OutcomeNotCreated = "not_created"
	// OutcomeUnknown: io.net's answer was lost and the key list could not
	// be read; look at the key list before trying again.
	OutcomeUnknown = "unknown"
)

// Sentinels for the outcomes a *CreateFailure reports.
var (
	// ErrNotCreated: nothing was created; starting over is safe.
	ErrNotCreated = errors.New("no key was created")
	// ErrKeyMayExist: a key may exist (or does) although no secret was
	// delivered; trying again blindly could make a second one.
	ErrKeyMayExist = errors.New("the key may exist although its secret was not delivered")
)

// CreateFailure is a confirmed creation that delivered no secret. Outcome
// says what is known about the key; Key is set when the key list showed it.
type CreateFailure struct {
	Outcome  string
	Key      *APIKey // set for OutcomeSecretUnavailable
	TicketID string
	Err      error // why (io.net's answer, a timeout, the audit log failing…)
	// Checked: io.net's key list was read after an answer that left it
	// open, and it settled the outcome. Err still says the key may exist;
	// the list says it does not, so messages must not repeat Err's advice.
	Checked bool
}

func (e *CreateFailure) Error() string {
	switch e.Outcome {
	case OutcomeSecretUnavailable:
		return fmt.Sprintf("the key %s was created but its secret was lost with io.net's answer (%v); revoke it and create a new one", e.keyName(), e.Err)
	case OutcomeUnknown:
		return fmt.Sprintf("io.net's answer was lost and the key list could not be read (%v); look at your API keys before trying again", e.Err)
	default:
		if e.Checked {
			return fmt.Sprintf("no key was created: io.net's key list, read after this failure, shows none (%v)", e.Err)
		}
		return fmt.Sprintf("no key was created: %v", e.Err)
	}
}

func (e *CreateFailure) keyName() string {
	if e.Key == nil {
		return "(unknown id)"
	}
	if e.Key.Display != "" {
		return e.Key.Display + " (" + e.Key.KeyID + ")"
	}
	return e.Key.KeyID
}

func (e *CreateFailure) Unwrap() error { return e.Err }

// Is matches ErrNotCreated or ErrKeyMayExist by outcome.
func (e *CreateFailure) Is(target error) bool {
	switch target {
	case ErrNotCreated:
		return e.Outcome == OutcomeNotCreated
	case ErrKeyMayExist:
		return e.Outcome == OutcomeSecretUnavailable || e.Outcome == OutcomeUnknown
	}
	return false
}

// ErrStateUnavailable: the guard's state store cannot be reached, so no key
// action can be approved or performed safely. Reads are unaffected.
var ErrStateUnavailable = errors.New("the confirmation store cannot be reached, so key actions are paused; reads still work")

// ErrLimit matches every *LimitError.
var ErrLimit = errors.New("a per-person limit is reached")

// LimitError is a refusal by a per-person limit. It names the limit and
// when a place frees up.
type LimitError struct {
	Limit   string // "open previews", "keys created in 24 hours", "previews in 10 minutes"
	Max     int
	FreesIn time.Duration
}

func (e *LimitError) Error() string {
	msg := fmt.Sprintf("limit reached: at most %d %s per person", e.Max, e.Limit)
	if e.FreesIn > 0 {
		msg += fmt.Sprintf("; a place frees up in %s", roundUp(e.FreesIn))
	}
	return msg
}

// Is makes every *LimitError match ErrLimit.
func (e *LimitError) Is(target error) bool { return target == ErrLimit }

// roundUp shows a wait in whole seconds or minutes, never "0s".
func roundUp(d time.Duration) time.Duration {
	if d > 2*time.Minute {
		return d.Truncate(time.Minute) + time.Minute
	}
	return d.Truncate(time.Second) + time.Second
}

// What became of an approved revocation, and of a request the person
// called off. The audit, MCP and Slack use these words as they are.
const (
	// OutcomeRevoked: io.net no longer lists the key.
	OutcomeRevoked = "revoked"
	// OutcomeNotRevoked: io.net refused, and the key is still there.
	OutcomeNotRevoked = "not_revoked"
	// OutcomeNotFound: io.net has no key with that id.
	OutcomeNotFound = "not_found"
	// OutcomeCancelled: the person declined or cancelled; nothing was done.
	OutcomeCancelled = "cancelled"
)

// How the person approved (the audit's "via").
const (
	ViaElicitation  = "elicitation"   // the MCP client's form prompt
	ViaToken        = "token"         // the two-step confirmation_token
	ViaApprovalPage = "approval_page" // the approval page
	ViaSlackButton  = "slack_button"  // Slack's Confirm or Cancel button
	ViaConsole      = "console"       // the Slack bot's console
)

// RevokeFailure is an approved revocation that did not clearly succeed.
// Outcome is OutcomeNotRevoked or OutcomeUnknown.
type RevokeFailure struct {
	Outcome  string
	KeyID    string
	TicketID string
	Err      error
	// Checked: as for CreateFailure, the key list read afterwards still
	// shows the key, whatever Err says it may have done.
	Checked bool
}

func (e *RevokeFailure) Error() string {
	switch {
	case e.Outcome == OutcomeUnknown:
		return fmt.Sprintf("io.net's answer to revoking key %s was lost and the key list could not be read (%v); look at your API keys", e.KeyID, e.Err)
	case e.Checked:
		return fmt.Sprintf("key %s was not revoked: io.net's key list, read after this failure, still shows it (%v)", e.KeyID, e.Err)
	}
	return fmt.Sprintf("key %s was not revoked: %v", e.KeyID, e.Err)
}

func (e *RevokeFailure) Unwrap() error { return e.Err }

// RevokePending is a checked revocation waiting for the person's approval:
// the key as io.net lists it, and the ticket.
type RevokePending struct {
	Token     string
	TicketID  string
	ExpiresAt time.Time
	Key       APIKey
}
