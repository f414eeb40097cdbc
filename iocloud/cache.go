package iocloud

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// maxCacheEntries bounds the cache; keys are a route and its query, so the
// set is small in practice (hardware types × GPU counts × node pools).
const maxCacheEntries = 512

// readCache keeps recent answers of the two reads for ttl, and collapses
// concurrent identical reads into one upstream request. Errors are never
// kept. Values are immutable once stored; readers get clones.
type readCache struct {
	ttl   time.Duration
	now   func() time.Time
	group singleflight.Group

	mu      sync.Mutex
	entries map[string]cacheEntry
}

type cacheEntry struct {
	value     any
	fetchedAt time.Time
}

func newReadCache(ttl time.Duration, now func() time.Time) *readCache {
	return &readCache{ttl: ttl, now: now, entries: map[string]cacheEntry{}}
}

func (rc *readCache) get(key string) (any, bool) {
	if rc.ttl <= 0 {
		return nil, false
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	e, ok := rc.entries[key]
	if !ok || !rc.fresh(e) {
		return nil, false
	}
	return e.value, true
}

func (rc *readCache) put(key string, value any) {
	if rc.ttl <= 0 {
		return
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if len(rc.entries) >= maxCacheEntries {
		for k, e := range rc.entries {
			if !rc.fresh(e) {
				delete(rc.entries, k)
			}
		}
		if len(rc.entries) >= maxCacheEntries {
			clear(rc.entries)
		}
	}
	rc.entries[key] = cacheEntry{value: value, fetchedAt: rc.now()}
}

// fresh uses the time the entry was stored, which is the answer's FetchedAt.
func (rc *readCache) fresh(e cacheEntry) bool {
	return rc.now().Sub(e.fetchedAt) < rc.ttl
}

// read answers from the cache, or joins (or starts) the one upstream fetch
// for key. The fetch runs with the context of the caller who started it, so
// cancelling really stops the requests. When that caller gives up while
// others wait on the same fetch, they start their own instead of inheriting
// a cancellation that is not theirs.
func (c *Client) read(ctx context.Context, key string, fetch func(context.Context) (any, error)) (any, error) {
	const maxRestarts = 3
	for restarts := 0; ; restarts++ {
		if v, ok := c.cache.get(key); ok {
			return v, nil
		}
		ch := c.cache.group.DoChan(key, func() (any, error) {
			if v, ok := c.cache.get(key); ok { // a fetch that just finished
				return v, nil
			}
			v, err := fetch(ctx)
			if err != nil {
				return nil, err
			}
			c.cache.put(key, v)
			return v, nil
		})
		select {
		case res := <-ch:
			if res.Err != nil && res.Shared && ctx.Err() == nil && leaderGaveUp(res.Err) && restarts < maxRestarts {
				continue // the caller who started the fetch left or ran out of time; ours is still wanted
			}
			return res.Val, res.Err
		case <-ctx.Done():
			err := ctx.Err()
			if errors.Is(err, context.DeadlineExceeded) {
				return nil, fmt.Errorf("%w: io.net got no answer in time: %w", ErrUnavailable, err)
			}
			return nil, fmt.Errorf("read from io.net was cancelled: %w", err)
		}
	}
}

// leaderGaveUp reports whether a shared fetch failed because of its
// starter's context (cancelled, or past that caller's own deadline) rather
// than because of io.net: a caller who joined it with time left starts over.
func leaderGaveUp(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}
