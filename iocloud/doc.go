// Package iocloud is the shared core of iocloud: a typed client for io.net's
// IO Cloud API and the domain every frontend speaks — key requests and the
// policy that produces them, actors, outcomes and errors that say what to
// do. The MCP tools (package tools) and the Slack bot (package slackbot)
// both build on it and re-implement none of it. It imports none of the
// project's other packages; the guard that decides who may create or revoke
// a key lives in iocloud/guard, its state in iocloud/state.
//
// # The client
//
// New builds a Client from options: WithAPIKey for the reads (hardware,
// replicas, prices), WithJWT for the key routes (list, create, revoke),
// WithBaseURL (https, or http on loopback only) and knobs for timeouts,
// caching and retries. Secrets are of type Secret, which prints as
// REDACTED everywhere, so a client's errors and logs never carry one.
//
//	client, err := iocloud.New(iocloud.WithAPIKey(iocloud.Secret(os.Getenv("IOCLOUD_API_KEY"))))
//	list, err := client.Hardware(ctx)
//	report, err := client.FindReplicas(ctx, iocloud.ReplicaSearch{Hardware: "h100", GPUsPerContainer: 2})
//
// Reads are cached for a few seconds, shared between concurrent identical
// callers, and retried with backoff (honouring Retry-After). A request that
// changes something — CreateAPIKey's POST, RevokeAPIKey's DELETE — is sent
// exactly once and follows no redirect: a duplicate key is worse than an
// error. Input a person typed is checked before io.net is asked (hardware
// names resolve case-insensitively; GPUs per container are 1 to
// MaxGPUsPerContainer).
//
// # Errors carry their meaning in their type
//
// io.net's answers become *APIError, which matches the sentinel of its
// status with errors.Is (ErrUnauthorized, ErrRateLimited, ErrUnavailable…).
// A lost or unreadable answer to a POST or DELETE also matches
// ErrMayBeCreated or ErrMayBeRevoked: it may have taken effect anyway.
// Refusals before io.net are *InputError, *PolicyError (ErrPolicy) and
// *HardwareLookupError; the guard adds *LimitError (ErrLimit),
// ErrStateUnavailable, the ErrTicket* values, and *CreateFailure /
// *RevokeFailure whose Outcome word says what is known. No code decides
// anything by reading an error's text (a test in internal/codecheck
// enforces it). Advice turns any of them into one or two sentences for a
// person, in the same words on every frontend.
//
// # Keys: ask, policy, request
//
// A person's KeyAsk (description, lifetime or date, scopes, project) goes
// through Policy.Check, which returns exactly the KeyRequest that will be
// sent, or a *PolicyError naming the field and what to send instead. Limits
// a person can meet have one home each, read by schemas, parsers, config
// checks and help texts alike: MaxDescriptionLength, MaxGPUsPerContainer,
// KnownScopes, ProjectIOCloud, ConfirmationTTL.
//
// The outcome words (OutcomeCreated, OutcomeSecretUnavailable,
// OutcomeNotCreated, OutcomeUnknown, OutcomeRevoked…) are shared by the
// audit log, the MCP structured output and the Slack messages.
//
// Package sandbox is an in-memory io.net simulator with io.net's shapes and
// errors: the servers' --sandbox mode, the tests' upstream and the
// examples' backend.
package iocloud
