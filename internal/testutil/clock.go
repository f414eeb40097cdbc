package testutil

import (
	"sync"
	"time"
)

// Clock is a clock tests move by hand (ticket expiry, key lifetimes); it is
// safe for concurrent use and injected as a func() time.Time via Now.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock starts a Clock at start.
func NewClock(start time.Time) *Clock { return &Clock{now: start} }

// Now reports the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
