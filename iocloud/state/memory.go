package state

import (
	"context"
	"errors"
	"sync"
	"time"
)

// sweepEvery is how many writes pass between full sweeps of expired
// entries; in between, entries expire lazily when touched.
const sweepEvery = 1024

// Memory is the in-process store: right for one process whose tickets die
// with it (a random per-process ticket key), wrong for anything shared.
type Memory struct {
	mu     sync.Mutex
	now    func() time.Time
	once   map[string]time.Time
	values map[string]memValue
	sets   map[string]map[string]time.Time
	writes int
	closed bool
}

type memValue struct {
	value []byte
	until time.Time
}

// NewMemory returns an empty in-memory store. A nil clock means time.Now.
func NewMemory() *Memory { return NewMemoryWithClock(nil) }

// NewMemoryWithClock returns an empty in-memory store on the given clock
// (tests move it by hand).
func NewMemoryWithClock(now func() time.Time) *Memory {
	if now == nil {
		now = time.Now
	}
	return &Memory{
		now:    now,
		once:   make(map[string]time.Time),
		values: make(map[string]memValue),
		sets:   make(map[string]map[string]time.Time),
	}
}

var errClosed = errors.New("store is closed")

func (m *Memory) Kind() string { return "memory" }

func (m *Memory) Once(_ context.Context, key string, ttl time.Duration) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return false, unavailable("once", errClosed)
	}
	now := m.now()
	if exp, ok := m.once[key]; ok && exp.After(now) {
		return false, nil
	}
	m.once[key] = now.Add(ttl)
	m.wrote(now)
	return true, nil
}

func (m *Memory) Acquire(_ context.Context, name, member string, ttl time.Duration, limit int) (Slot, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return Slot{}, unavailable("acquire", errClosed)
	}
	now := m.now()
	set := m.sets[name]
	if set == nil {
		set = make(map[string]time.Time)
		m.sets[name] = set
	}
	var earliest time.Time
	for mem, exp := range set {
		if !exp.After(now) {
			delete(set, mem)
			continue
		}
		if earliest.IsZero() || exp.Before(earliest) {
			earliest = exp
		}
	}
	if _, ok := set[member]; ok || len(set) < limit {
		set[member] = now.Add(ttl)
		m.wrote(now)
		return Slot{Acquired: true, Held: len(set)}, nil
	}
	if len(set) == 0 {
		delete(m.sets, name)
	}
	var frees time.Duration
	if !earliest.IsZero() {
		frees = earliest.Sub(now)
	}
	return Slot{Held: len(set), FreesIn: frees}, nil
}

func (m *Memory) Release(_ context.Context, name, member string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return unavailable("release", errClosed)
	}
	if set := m.sets[name]; set != nil {
		delete(set, member)
		if len(set) == 0 {
			delete(m.sets, name)
		}
	}
	return nil
}

func (m *Memory) Put(_ context.Context, key string, value []byte, ttl time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return unavailable("put", errClosed)
	}
	now := m.now()
	m.values[key] = memValue{value: append([]byte(nil), value...), until: now.Add(ttl)}
	m.wrote(now)
	return nil
}

func (m *Memory) Get(_ context.Context, key string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, unavailable("get", errClosed)
	}
	v, ok := m.values[key]
	if !ok || !v.until.After(m.now()) {
		return nil, ErrNotFound
	}
	return append([]byte(nil), v.value...), nil
}

func (m *Memory) Ping(context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return unavailable("ping", errClosed)
	}
	return nil
}

func (m *Memory) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
	return nil
}

// wrote counts a write and, every sweepEvery writes, drops whatever has
// expired, so memory holds only live entries. Callers hold m.mu.
func (m *Memory) wrote(now time.Time) {
	m.writes++
	if m.writes%sweepEvery != 0 {
		return
	}
	for k, exp := range m.once {
		if !exp.After(now) {
			delete(m.once, k)
		}
	}
	for k, v := range m.values {
		if !v.until.After(now) {
			delete(m.values, k)
		}
	}
	for name, set := range m.sets {
		for mem, exp := range set {
			if !exp.After(now) {
				delete(set, mem)
			}
		}
		if len(set) == 0 {
			delete(m.sets, name)
		}
	}
}

// Len is the number of entries held, expired-but-unswept included; tests
// use it to show that memory stays bounded.
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := len(m.once) + len(m.values)
	for _, set := range m.sets {
		n += len(set)
	}
	return n
}
