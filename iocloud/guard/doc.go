// Package guard decides who may do what with io.net keys, and makes sure a
// key is created (or revoked) only after the person who asked saw exactly
// that action and approved it, once — across restarts, replicas and
// crashes. Both frontends drive the same Guard; neither knows which state
// store sits behind it.
//
// # Two steps, always
//
// Every key action runs in one order: policy → approval → act once → audit.
//
//	pending, err := g.Prepare(ctx, actor, ask, binding) // checks JWT, policy, limits; issues a ticket
//	// ... show pending.Request to the person; they approve ...
//	key, err := g.Confirm(ctx, actor, pending.Token, binding, via) // uses the ticket up, creates once
//
// Prepare creates nothing: it checks the session token, applies the key
// policy (iocloud.Policy.Check), takes a place among the person's open
// previews, and seals a Ticket bound to the action, the actor and, for MCP,
// a digest of the exact arguments (binding). Confirm opens the ticket —
// only its owner can, only for that request, only before it expires
// (TicketTTL), and only once — and performs the action. Cancel uses the
// ticket up without acting. PrepareRevoke, ConfirmRevoke and CancelRevoke
// do the same for revocation.
//
// The frontends choose how the person approves: a Slack button, an MCP
// elicitation prompt, the two-step confirmation_token, or the approval page
// (OpenApproval files the ticket; Approve or CancelApproval decide it from
// the page, never from the assistant). All of them end in Confirm's logic.
//
// # Tickets
//
// Tickets (Seal, Check, Open) are HMAC-SHA256-sealed JSON. The key is
// IOCLOUD_CONFIRM_SECRET (at least MinConfirmSecretLength bytes) shared by
// replicas, or a random key per process. Single use is recorded in the
// state store with an atomic Once, so two replicas racing on one ticket
// cannot both win. A ticket sealed by another key — this process before a
// restart, or another server — is ErrTicketStale, not "forged".
//
// # Limits and refusals
//
// Limits are per person (per iocloud.Actor): MaxPending open previews and
// MaxPerDay keys in 24 hours, counted in the store, so one person's flood
// never blocks another. Every refusal is a typed error (iocloud.ErrPolicy,
// ErrLimit, ErrStateUnavailable, ErrNoJWT, the ErrTicket* values) and is
// audited (OutcomeRefused or OutcomeRejected) by the guard itself, whichever
// frontend asked.
//
// # Crash-safe creation and the outcome words
//
// After the ticket is used, a "creating" audit record (with the ticket id)
// is written before the POST; if it cannot be written, nothing is sent. The
// POST runs detached from the caller's context on its own deadline, so a
// disconnect or SIGTERM does not cut it short (Wait lets shutdown wait for
// it). If the answer is lost, the key list is consulted and the result is a
// *iocloud.CreateFailure whose Outcome is created_secret_unavailable,
// not_created or unknown. Audit records (Audit, AuditFile) use the same
// words and never hold a secret.
package guard
