package state_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/iocloud-chatops/iocloud/internal/testutil"
	"github.com/iocloud-chatops/iocloud/iocloud/state"
)

// stores opens each kind of store fresh for one test: the same contract must
// hold for all three, Redis being a real redis-server.
func stores(t *testing.T) map[string]func(t *testing.T) state.Store {
	return map[string]func(t *testing.T) state.Store{
		"memory": func(*testing.T) state.Store { return state.NewMemory() },
		"file": func(t *testing.T) state.Store {
			s, err := state.Open("file:" + testutil.TempPath(t, "state.db"))
			require.NoError(t, err)
			t.Cleanup(func() { _ = s.Close() })
			return s
		},
		"redis": func(t *testing.T) state.Store {
			srv := testutil.StartRedis(t)
			s, err := state.Open(srv.URL())
			require.NoError(t, err)
			t.Cleanup(func() { _ = s.Close() })
			require.NoError(t, s.Ping(context.Background()))
			return s
		},
	}
}

func TestStoreOnceIsSingleUseUnderConcurrency(t *testing.T) {
	t.Parallel()
	for name, open := range stores(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := open(t)
			ctx := context.Background()
			var wins atomic.Int32
			var wg sync.WaitGroup
			for range 20 {
				wg.Go(func() {
					first, err := s.Once(ctx, "ticket-1", time.Minute)
					if err != nil {
						t.Error(err) // not require: this is not the test's goroutine
						return
					}
					if first {
						wins.Add(1)
					}
				})
			}
			wg.Wait()
			assert.Equal(t, int32(1), wins.Load(), "exactly one of 20 concurrent calls wins")

			first, err := s.Once(ctx, "ticket-2", time.Minute)
			require.NoError(t, err)
			assert.True(t, first, "another key is independent")
		})
	}
}

func TestStoreOnceExpires(t *testing.T) {
	t.Parallel()
	for name, open := range stores(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := open(t)
			ctx := context.Background()
			first, err := s.Once(ctx, "k", 50*time.Millisecond)
			require.NoError(t, err)
			require.True(t, first)
			require.Eventually(t, func() bool {
				again, err := s.Once(ctx, "k", time.Minute)
				return err == nil && again
			}, 5*time.Second, 20*time.Millisecond, "after its lifetime the key may be recorded again")
		})
	}
}

func TestStoreAcquireBoundsASetAndSaysWhenItFrees(t *testing.T) {
	t.Parallel()
	for name, open := range stores(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := open(t)
			ctx := context.Background()
			for i := range 3 {
				slot, err := s.Acquire(ctx, "pending:alice", fmt.Sprint("t", i), time.Hour, 3)
				require.NoError(t, err)
				assert.True(t, slot.Acquired)
				assert.Equal(t, i+1, slot.Held)
			}
			slot, err := s.Acquire(ctx, "pending:alice", "t3", time.Hour, 3)
			require.NoError(t, err)
			assert.False(t, slot.Acquired, "the fourth is refused")
			assert.Equal(t, 3, slot.Held)
			assert.InDelta(t, time.Hour.Seconds(), slot.FreesIn.Seconds(), 60, "frees when the oldest expires")

			again, err := s.Acquire(ctx, "pending:alice", "t1", time.Hour, 3)
			require.NoError(t, err)
			assert.True(t, again.Acquired, "a member already held may refresh")

			other, err := s.Acquire(ctx, "pending:bob", "t0", time.Hour, 3)
			require.NoError(t, err)
			assert.True(t, other.Acquired, "one person's full set does not block another's")

			require.NoError(t, s.Release(ctx, "pending:alice", "t0"))
			require.NoError(t, s.Release(ctx, "pending:alice", "never-there"))
			slot, err = s.Acquire(ctx, "pending:alice", "t3", time.Hour, 3)
			require.NoError(t, err)
			assert.True(t, slot.Acquired, "a released place is free again")
		})
	}
}

func TestStoreAcquireForgetsExpiredMembers(t *testing.T) {
	t.Parallel()
	for name, open := range stores(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := open(t)
			ctx := context.Background()
			slot, err := s.Acquire(ctx, "day:alice", "a", 50*time.Millisecond, 1)
			require.NoError(t, err)
			require.True(t, slot.Acquired)
			require.Eventually(t, func() bool {
				slot, err := s.Acquire(ctx, "day:alice", "b", time.Minute, 1)
				return err == nil && slot.Acquired
			}, 5*time.Second, 20*time.Millisecond)
		})
	}
}

func TestStoreAcquireIsAtomicUnderConcurrency(t *testing.T) {
	t.Parallel()
	for name, open := range stores(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := open(t)
			ctx := context.Background()
			var got atomic.Int32
			var wg sync.WaitGroup
			for i := range 30 {
				wg.Go(func() {
					slot, err := s.Acquire(ctx, "race", fmt.Sprint("m", i), time.Minute, 5)
					if err != nil {
						t.Error(err) // not require: this is not the test's goroutine
						return
					}
					if slot.Acquired {
						got.Add(1)
					}
				})
			}
			wg.Wait()
			assert.Equal(t, int32(5), got.Load(), "a limit of 5 admits exactly 5 of 30 racing members")
		})
	}
}

func TestStorePutGet(t *testing.T) {
	t.Parallel()
	for name, open := range stores(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := open(t)
			ctx := context.Background()
			_, err := s.Get(ctx, "missing")
			require.ErrorIs(t, err, state.ErrNotFound)

			require.NoError(t, s.Put(ctx, "approval:1", []byte(`{"status":"pending"}`), time.Minute))
			v, err := s.Get(ctx, "approval:1")
			require.NoError(t, err)
			assert.JSONEq(t, `{"status":"pending"}`, string(v))

			require.NoError(t, s.Put(ctx, "approval:1", []byte(`{"status":"approved"}`), 50*time.Millisecond))
			v, err = s.Get(ctx, "approval:1")
			require.NoError(t, err)
			assert.JSONEq(t, `{"status":"approved"}`, string(v))
			require.Eventually(t, func() bool {
				_, err := s.Get(ctx, "approval:1")
				return errors.Is(err, state.ErrNotFound)
			}, 5*time.Second, 20*time.Millisecond, "a value is gone after its lifetime")
		})
	}
}

func TestFileStoreSurvivesRestartAndRefusesASecondProcess(t *testing.T) {
	t.Parallel()
	path := testutil.TempPath(t, "state.db")
	ctx := context.Background()
	s, err := state.Open("file:" + path)
	require.NoError(t, err)
	first, err := s.Once(ctx, "ticket", time.Hour)
	require.NoError(t, err)
	require.True(t, first)

	_, err = state.Open("file:" + path)
	require.ErrorIs(t, err, state.ErrLocked, "a second opener of the same file is refused")
	assert.Contains(t, err.Error(), "Redis", "the refusal says what to use instead")

	require.NoError(t, s.Close())
	s, err = state.Open("file:" + path)
	require.NoError(t, err)
	defer func() { _ = s.Close() }()
	first, err = s.Once(ctx, "ticket", time.Hour)
	require.NoError(t, err)
	assert.False(t, first, "a used ticket is still used after a restart")
}

func TestRedisDownIsUnavailableNotAnAnswer(t *testing.T) {
	t.Parallel()
	srv := testutil.StartRedis(t)
	s, err := state.Open(srv.URL())
	require.NoError(t, err)
	defer func() { _ = s.Close() }()
	ctx := context.Background()
	require.NoError(t, s.Ping(ctx))
	srv.Stop()

	_, err = s.Once(ctx, "k", time.Minute)
	require.ErrorIs(t, err, state.ErrUnavailable)
	_, err = s.Acquire(ctx, "set", "m", time.Minute, 1)
	require.ErrorIs(t, err, state.ErrUnavailable)
	_, err = s.Get(ctx, "k")
	require.ErrorIs(t, err, state.ErrUnavailable)
	require.ErrorIs(t, s.Ping(ctx), state.ErrUnavailable)
}

func TestOpenRefusesUnknownSpecsWithoutEchoingSecrets(t *testing.T) {
	t.Parallel()
	for _, spec := range []string{"postgres://user:hunter2@db/x", "file:", "mem"} {
		_, err := state.Open(spec)
		require.Error(t, err, spec)
		assert.NotContains(t, err.Error(), "hunter2")
	}
	_, err := state.Open("redis://:hunter2@127.0.0.1:1/notanumber")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "hunter2")
	assert.True(t, state.Durable("file:/x") && state.Durable("rediss://h:1") && !state.Durable("memory"))
}

func TestMemoryStoreStaysBoundedByLiveEntries(t *testing.T) {
	t.Parallel()
	clock := testutil.NewClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	s := state.NewMemoryWithClock(clock.Now)
	ctx := context.Background()
	for i := range 5000 {
		_, err := s.Once(ctx, fmt.Sprint("n", i), time.Minute)
		require.NoError(t, err)
		clock.Advance(time.Second)
	}
	assert.Less(t, s.Len(), 2*1024+60, "expired entries are swept, so memory follows the live ones")
}
