package state

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Store is the guard's state. Keys and set names are opaque strings chosen
// by the caller; values are small. Every entry carries its own expiry and is
// gone (or ignored) after it. Lifetimes are relative and measured by the
// store's own clock (Redis: the server's), so replicas whose clocks differ
// a little still agree. Implementations are safe for concurrent use.
type Store interface {
	// Once records key for ttl and reports whether this call was the first
	// to record it. Of many concurrent calls with one key, across every
	// process sharing the store, exactly one gets true.
	Once(ctx context.Context, key string, ttl time.Duration) (first bool, err error)

	// Acquire adds member, for ttl, to the bounded set name, unless the set
	// already holds limit members that have not expired. Adding a member
	// that is already there refreshes its expiry and succeeds. The whole
	// check-and-add is atomic.
	Acquire(ctx context.Context, name, member string, ttl time.Duration, limit int) (Slot, error)

	// Release removes member from the set name; releasing a member that is
	// not there is not an error.
	Release(ctx context.Context, name, member string) error

	// Put stores value under key for ttl, replacing any value.
	Put(ctx context.Context, key string, value []byte, ttl time.Duration) error

	// Get returns the value under key, or ErrNotFound when there is none or
	// it has expired.
	Get(ctx context.Context, key string) ([]byte, error)

	// Ping reports whether the store can be reached now.
	Ping(ctx context.Context) error

	// Kind names the store for logs: "memory", "file" or "redis".
	Kind() string

	Close() error
}

// Slot is the answer of Acquire.
type Slot struct {
	Acquired bool
	// Held is how many unexpired members the set has after the call.
	Held int
	// FreesIn is, when refused, how long until the earliest member expires
	// and a place frees up.
	FreesIn time.Duration
}

// ErrNotFound is Get's answer for a missing or expired key.
var ErrNotFound = errors.New("state: not found")

// ErrUnavailable wraps every failure to reach or use the store (a Redis
// server down, a file that cannot be written). Callers refuse what needs the
// store and keep doing what does not.
var ErrUnavailable = errors.New("the state store cannot be reached")

// ErrLocked is File's answer when another process holds the database.
var ErrLocked = errors.New("the state file is in use by another process")

// unavailable wraps err so that errors.Is(err, ErrUnavailable) holds.
func unavailable(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%w: %s: %w", ErrUnavailable, op, err)
}

// Open returns the store a spec (IOCLOUD_STATE) names: "memory",
// "file:PATH", or a redis:// or rediss:// URL. It does not reach a Redis
// server yet (see Ping): a store that is down at start-up must not stop the
// reads from being served.
func Open(spec string) (Store, error) {
	if err := CheckSpec(spec); err != nil {
		return nil, err
	}
	switch {
	case strings.HasPrefix(spec, "file:"):
		return OpenFile(strings.TrimPrefix(spec, "file:"))
	case strings.HasPrefix(spec, "redis://"), strings.HasPrefix(spec, "rediss://"):
		return OpenRedis(spec)
	default:
		return NewMemory(), nil
	}
}

// CheckSpec is the grammar of a spec, checked without opening anything:
// configuration validates with it, so the grammar lives here once. Its
// messages never echo a URL, which may hold a password.
func CheckSpec(spec string) error {
	switch {
	case spec == "" || spec == "memory":
		return nil
	case strings.HasPrefix(spec, "file:"):
		if strings.TrimPrefix(spec, "file:") == "" {
			return errors.New("file: needs a path (use e.g. file:/var/lib/iocloud/state.db)")
		}
		return nil
	case strings.HasPrefix(spec, "redis://"), strings.HasPrefix(spec, "rediss://"):
		if _, err := redis.ParseURL(spec); err != nil {
			return errBadRedisURL
		}
		return nil
	}
	return fmt.Errorf("%s is not a state store (use memory, file:/path/to/state.db, or redis://host:6379)", describeSpec(spec))
}

// Durable reports whether a spec names a store that outlives the process
// (what a shared IOCLOUD_CONFIRM_SECRET needs).
func Durable(spec string) bool {
	return strings.HasPrefix(spec, "file:") || strings.HasPrefix(spec, "redis://") || strings.HasPrefix(spec, "rediss://")
}

// describeSpec names a bad spec without echoing a URL that may hold a
// password.
func describeSpec(spec string) string {
	if scheme, _, ok := strings.Cut(spec, "://"); ok {
		return fmt.Sprintf("a %q URL", scheme)
	}
	if len(spec) > 32 {
		spec = spec[:32] + "…"
	}
	return fmt.Sprintf("%q", spec)
}
