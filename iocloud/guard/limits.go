package guard

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/iocloud-chatops/iocloud/iocloud"
)

// Limits are per person (per actor), counted in the state store so that
// they hold across replicas. One person reaching a limit never blocks
// another.
type Limits struct {
	// MaxPending is how many previews one person may have open at once; a
	// confirmed, cancelled or expired preview frees its place.
	MaxPending int
	// MaxPerDay is how many keys one person may create in 24 hours.
	MaxPerDay int
}

// Default limits (IOCLOUD_KEY_MAX_PENDING, IOCLOUD_KEY_MAX_PER_DAY).
const (
	DefaultMaxPending = 5
	DefaultMaxPerDay  = 20
	// PreviewsPerPendingPlace sets the third, derived limit: previews opened
	// per TicketTTL window, MaxPending times this. Without it, preview and
	// cancel in a loop would stay under MaxPending while every used ticket
	// still has to be remembered until it expires.
	PreviewsPerPendingPlace = 10
	dayWindow               = 24 * time.Hour
)

// DefaultLimits is DESIGN.md's 5 open previews and 20 keys a day.
func DefaultLimits() Limits {
	return Limits{MaxPending: DefaultMaxPending, MaxPerDay: DefaultMaxPerDay}
}

// Validate checks configured limits.
func (l Limits) Validate() error {
	var errs []error
	if l.MaxPending < 1 {
		errs = append(errs, fmt.Errorf("open previews per person must be at least 1, got %d", l.MaxPending))
	}
	if l.MaxPerDay < 1 {
		errs = append(errs, fmt.Errorf("keys per person per day must be at least 1, got %d", l.MaxPerDay))
	}
	return errors.Join(errs...)
}

func pendingSet(actor iocloud.Actor) string { return "pending:" + actor.String() }
func windowSet(actor iocloud.Actor) string  { return "previews:" + actor.String() }
func daySet(actor iocloud.Actor) string     { return "day:" + actor.String() }

// reservePreview takes a place among the actor's open previews and in the
// preview window for the ticket nonce.
func (g *Guard) reservePreview(ctx context.Context, actor iocloud.Actor, nonce string) error {
	ttl := g.tickets.ttl
	slot, err := g.store.Acquire(ctx, windowSet(actor), nonce, ttl, g.limits.MaxPending*PreviewsPerPendingPlace)
	if err != nil {
		return fmt.Errorf("%w: %w", iocloud.ErrStateUnavailable, err)
	}
	if !slot.Acquired {
		return &iocloud.LimitError{Limit: "previews in " + iocloud.InWords(ttl), Max: g.limits.MaxPending * PreviewsPerPendingPlace, FreesIn: slot.FreesIn}
	}
	slot, err = g.store.Acquire(ctx, pendingSet(actor), nonce, ttl, g.limits.MaxPending)
	if err != nil {
		return fmt.Errorf("%w: %w", iocloud.ErrStateUnavailable, err)
	}
	if !slot.Acquired {
		return &iocloud.LimitError{Limit: "open previews", Max: g.limits.MaxPending, FreesIn: slot.FreesIn}
	}
	return nil
}

// releasePreview frees the ticket's place among open previews (the window
// place stays taken until it expires: that is its point).
func (g *Guard) releasePreview(ctx context.Context, actor iocloud.Actor, nonce string) {
	if err := g.store.Release(ctx, pendingSet(actor), nonce); err != nil {
		g.logger.WarnContext(ctx, "could not free an open-preview place; it frees itself when the preview expires", "err", err)
	}
}

// reserveDaily takes one of the actor's keys for the next 24 hours.
func (g *Guard) reserveDaily(ctx context.Context, actor iocloud.Actor, ticketID string) error {
	slot, err := g.store.Acquire(ctx, daySet(actor), ticketID, dayWindow, g.limits.MaxPerDay)
	if err != nil {
		return fmt.Errorf("%w: %w", iocloud.ErrStateUnavailable, err)
	}
	if !slot.Acquired {
		return &iocloud.LimitError{Limit: "keys created in 24 hours", Max: g.limits.MaxPerDay, FreesIn: slot.FreesIn}
	}
	return nil
}

// dailyRoom refuses a preview the person could never confirm because
// today's keys are used up. It takes a place for a millisecond and gives
// it back: the store has no read-only count, and a check-and-add is what
// stays atomic across replicas.
func (g *Guard) dailyRoom(ctx context.Context, actor iocloud.Actor) error {
	probe := "probe:" + NewNonce()
	if err := g.reserveDaily(ctx, actor, probe); err != nil {
		return err
	}
	g.releaseDaily(ctx, actor, probe)
	return nil
}

func (g *Guard) releaseDaily(ctx context.Context, actor iocloud.Actor, ticketID string) {
	if err := g.store.Release(ctx, daySet(actor), ticketID); err != nil {
		g.logger.WarnContext(ctx, "could not give back a daily key place after a key that was not created", "err", err)
	}
}

// refusalSummary keeps a flood of identical refusals out of the audit and
// the log: per actor, outcome and reason, the first refusal in a minute is recorded,
// the rest are counted and the count goes into the next record's reason.
type refusalSummary struct {
	mu   sync.Mutex
	now  func() time.Time
	seen map[string]*refusalCount
}

type refusalCount struct {
	since      time.Time
	suppressed int
}

const (
	refusalWindow     = time.Minute
	refusalMaxTracked = 10000
)

func newRefusalSummary(now func() time.Time) *refusalSummary {
	return &refusalSummary{now: now, seen: make(map[string]*refusalCount)}
}

// allow reports whether ev (caused by err) should be recorded, adding to its
// reason how many like it were held back since the last one.
func (r *refusalSummary) allow(ev *AuditEvent, err error) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	key := ev.Actor + "\x00" + ev.Action + "\x00" + ev.Outcome + "\x00" + refusalKind(ev, err)
	c, ok := r.seen[key]
	if ok && now.Sub(c.since) < refusalWindow {
		c.suppressed++
		return false
	}
	if len(r.seen) >= refusalMaxTracked {
		clear(r.seen) // bounded memory; at worst one extra record per actor
	}
	if ok && c.suppressed > 0 {
		ev.Reason += fmt.Sprintf(" (and %d similar refusals in the last %s)", c.suppressed, now.Sub(c.since).Round(time.Second))
	}
	r.seen[key] = &refusalCount{since: now}
	return true
}

// refusalKind is what makes two refusals "the same" for the summary. A
// limit refusal's text counts down ("a place frees up in 9m0s"), so it is
// grouped by the limit it names; otherwise a flood would change its reason
// every minute and the held-back count would never be reported.
func refusalKind(ev *AuditEvent, err error) string {
	var lim *iocloud.LimitError
	if errors.As(err, &lim) {
		return "limit: " + lim.Limit
	}
	return ev.Reason
}
