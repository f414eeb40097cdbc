// Package state is where the guard keeps what must outlive one request and,
// for a shared store, one process: used and cancelled tickets, pending
// approvals, per-person limits and Slack replay ids.
//
// Three stores implement one small interface: Memory (one process, gone on
// restart), File (an embedded bbolt database: survives restarts, one process
// at a time) and Redis (any number of replicas). Every operation that must
// happen once happens atomically inside the store, never as a read followed
// by a write in Go, so two replicas cannot both win.
//
// # Choosing a store
//
// Open takes IOCLOUD_STATE's value: "memory" (NewMemory), "file:PATH"
// (OpenFile; a second process opening the same file gets ErrLocked) or a
// redis:// or rediss:// URL (OpenRedis). Durable says whether a spec
// outlives the process, which a shared ticket secret needs: with memory, a
// restart would forget which tickets were used.
//
// # The operations
//
// The guard needs only five things from a store, each atomic:
//
//   - Once(key, ttl): true for exactly one caller — a ticket's single use,
//     a Slack request's replay id.
//   - Acquire(set, member, ttl, limit) / Release: a bounded set of expiring
//     members — a person's open previews and keys per day.
//   - Put / Get: small values with an expiry — approvals.
//
// Every entry expires on the store's own clock. Failing to reach the store
// is ErrUnavailable: the guard then refuses key actions (reads go on).
//
// The package imports nothing of this module: the guard adapts its errors.
package state
