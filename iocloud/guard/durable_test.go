package guard_test

// Single use across restarts and replicas, on the real stores: a bbolt file
// and a real redis-server (started by the test; in CI a missing redis-server
// fails the test). io.net's POSTs are counted at the simulator.

import (
	"errors"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/iocloud-chatops/iocloud/internal/testutil"
	"github.com/iocloud-chatops/iocloud/iocloud"
	"github.com/iocloud-chatops/iocloud/iocloud/sandbox"
	"github.com/iocloud-chatops/iocloud/iocloud/state"
)

// restartReplay is the scenario: confirm, "restart" (guard and store
// closed, a new one opened on the same state with the same secret), replay
// the same token. A second preview made before the restart still works
// after it, so the replay's refusal is single use, not a changed key.
func restartReplay(t *testing.T, open func(t *testing.T) state.Store) {
	t.Helper()
	sb := startIONet(t)
	ask := askFor("restart replay")

	first := newSBGuard(t, sb, sbGuardConfig{store: open(t), secret: testSecret})
	used, err := first.guard.Prepare(t.Context(), alice, ask, "")
	require.NoError(t, err)
	_, err = first.guard.Confirm(t.Context(), alice, used.Token, "", "")
	require.NoError(t, err)
	kept, err := first.guard.Prepare(t.Context(), alice, ask, "")
	require.NoError(t, err)
	require.NoError(t, first.store.Close(), "the first process stops")
	require.Equal(t, 1, creates(sb))

	second := newSBGuard(t, sb, sbGuardConfig{store: open(t), secret: testSecret})
	t.Cleanup(func() { _ = second.store.Close() })
	_, err = second.guard.Confirm(t.Context(), alice, used.Token, "", "")
	require.ErrorIs(t, err, iocloud.ErrTicketUsed, "the replay after a restart is refused as used")
	assert.Equal(t, 1, creates(sb), "1 POST, not 2")

	_, err = second.guard.Confirm(t.Context(), alice, kept.Token, "", "")
	require.NoError(t, err, "an unused ticket from before the restart still opens")
	_, err = second.guard.Confirm(t.Context(), alice, kept.Token, "", "")
	require.ErrorIs(t, err, iocloud.ErrTicketUsed)
	assert.Equal(t, 2, creates(sb), "one POST per ticket")
	assert.Len(t, sb.CreatedKeys(), 2)
	// The second replay's rejection is the same as the first within a
	// minute: summarised, not recorded again.
	assert.Equal(t, []string{"rejected", "creating", "created"}, outcomesOf(t, second.audit.String()))
}

func outcomesOf(t *testing.T, audit string) []string {
	t.Helper()
	var out []string
	for _, l := range auditLines(t, audit) {
		out = append(out, l["outcome"].(string))
	}
	return out
}

func TestRestartReplayFileStore(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "state.db")
	restartReplay(t, func(t *testing.T) state.Store {
		st, err := state.Open("file:" + path)
		require.NoError(t, err)
		return st
	})
}

func TestRestartReplayRedis(t *testing.T) {
	t.Parallel()
	redis := testutil.StartRedis(t)
	restartReplay(t, func(t *testing.T) state.Store {
		st, err := state.Open(redis.URL())
		require.NoError(t, err)
		return st
	})
}

// The store loses its data while tickets signed with the shared secret are
// still within their 10 minutes: a Redis restarted without persistence, a
// state file replaced. Its record of used tickets is gone, so no ticket from
// before may open, used or not; new ones work.
func storeReset(t *testing.T, open func(t *testing.T) state.Store, reset func(t *testing.T)) {
	t.Helper()
	sb := startIONet(t)
	ask := askFor("store reset")

	before := newSBGuard(t, sb, sbGuardConfig{store: open(t), secret: testSecret})
	used, err := before.guard.Prepare(t.Context(), alice, ask, "")
	require.NoError(t, err)
	_, err = before.guard.Confirm(t.Context(), alice, used.Token, "", "")
	require.NoError(t, err)
	unused, err := before.guard.Prepare(t.Context(), alice, ask, "")
	require.NoError(t, err)
	require.NoError(t, before.store.Close())

	reset(t)

	after := newSBGuard(t, sb, sbGuardConfig{store: open(t), secret: testSecret})
	t.Cleanup(func() { _ = after.store.Close() })
	for _, token := range []string{used.Token, unused.Token} {
		_, err = after.guard.Confirm(t.Context(), alice, token, "", "")
		require.ErrorIs(t, err, iocloud.ErrTicketStale)
		assert.Contains(t, err.Error(), "store was emptied")
	}
	assert.Equal(t, 1, creates(sb), "the used ticket did not create a second key")
	assert.Contains(t, after.audit.String(), "store was emptied", "the audit says why")

	fresh, err := after.guard.Prepare(t.Context(), alice, ask, "")
	require.NoError(t, err)
	_, err = after.guard.Confirm(t.Context(), alice, fresh.Token, "", "")
	require.NoError(t, err, "tickets issued after the reset work")
	assert.Equal(t, 2, creates(sb))
}

func TestStoreResetRedis(t *testing.T) {
	t.Parallel()
	redis := testutil.StartRedis(t)
	storeReset(t, func(t *testing.T) state.Store {
		st, err := state.Open(redis.URL())
		require.NoError(t, err)
		return st
	}, func(t *testing.T) { redis.Restart(t) })
}

func TestStoreResetFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "state.db")
	storeReset(t, func(t *testing.T) state.Store {
		st, err := state.Open("file:" + path)
		require.NoError(t, err)
		return st
	}, func(t *testing.T) { require.NoError(t, os.Remove(path)) })
}

// Two replicas share one redis-server and the ticket secret; twenty
// confirmations of one ticket arrive at both at once. io.net gets exactly
// one POST and exactly one caller gets the key.
func TestReplicasShareRedisOneTicketOnePOST(t *testing.T) {
	t.Parallel()
	redis := testutil.StartRedis(t)
	sb := startIONet(t)
	// The winner's POST takes a while, so the others really overlap it.
	sb.SetFault(sandbox.RouteCreateKey, sandbox.Fault{Latency: 200 * time.Millisecond})

	var replicas [2]*sbGuard
	for i := range replicas {
		st, err := state.Open(redis.URL())
		require.NoError(t, err)
		t.Cleanup(func() { _ = st.Close() })
		replicas[i] = newSBGuard(t, sb, sbGuardConfig{store: st, secret: testSecret})
	}
	pending, err := replicas[0].guard.Prepare(t.Context(), alice, askFor("replicas"), "")
	require.NoError(t, err)

	const confirms = 20
	var created, used atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range confirms {
		wg.Go(func() {
			<-start
			key, err := replicas[i%2].guard.Confirm(t.Context(), alice, pending.Token, "", "")
			switch {
			case err == nil && key != nil:
				created.Add(1)
			case errors.Is(err, iocloud.ErrTicketUsed):
				used.Add(1)
			default:
				t.Errorf("confirmation %d: unexpected %v", i, err)
			}
		})
	}
	close(start)
	wg.Wait()
	assert.Equal(t, int32(1), created.Load(), "exactly one success")
	assert.Equal(t, int32(confirms-1), used.Load())
	assert.Equal(t, 1, creates(sb), "exactly one POST")
	assert.Len(t, sb.CreatedKeys(), 1)

	var createdRecords int
	for _, r := range replicas {
		for _, l := range auditLines(t, r.audit.String()) {
			if l["outcome"] == "created" {
				createdRecords++
				assert.Equal(t, pending.TicketID, l["ticket_id"])
			}
		}
	}
	assert.Equal(t, 1, createdRecords)
}

// Redis goes away: key actions are refused with ErrStateUnavailable and
// nothing reaches io.net; reads go on.
func TestRedisDownRefusesKeyActionsNotReads(t *testing.T) {
	t.Parallel()
	redis := testutil.StartRedis(t)
	sb := startIONet(t)
	st, err := state.Open(redis.URL())
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	g := newSBGuard(t, sb, sbGuardConfig{store: st, secret: testSecret})
	require.NoError(t, g.guard.Ready(t.Context()))
	made, err := g.guard.Prepare(t.Context(), alice, askFor("redis down"), "")
	require.NoError(t, err)
	key, err := g.guard.Confirm(t.Context(), alice, made.Token, "", "")
	require.NoError(t, err)
	pending, err := g.guard.Prepare(t.Context(), alice, askFor("redis down"), "")
	require.NoError(t, err)
	before := len(auditLines(t, g.audit.String()))

	redis.Stop()

	require.ErrorIs(t, g.guard.Ready(t.Context()), iocloud.ErrStateUnavailable)
	_, err = g.guard.Prepare(t.Context(), alice, askFor("redis down"), "")
	require.ErrorIs(t, err, iocloud.ErrStateUnavailable)
	assert.Contains(t, err.Error(), "key actions are paused; reads still work")
	_, err = g.guard.Confirm(t.Context(), alice, pending.Token, "", "")
	require.ErrorIs(t, err, iocloud.ErrStateUnavailable)
	_, err = g.guard.PrepareRevoke(t.Context(), alice, key.Key.KeyID, "")
	require.ErrorIs(t, err, iocloud.ErrStateUnavailable)
	assert.Equal(t, 1, creates(sb), "nothing more reached io.net")
	assert.Zero(t, sb.Requests(sandbox.RouteRevokeKey))
	assert.Len(t, sb.CreatedKeys(), 1)

	client := realClient(t, sb, 5*time.Second)
	hw, err := client.Hardware(t.Context())
	require.NoError(t, err, "reads do not need the store")
	assert.NotEmpty(t, hw.Hardware)

	after := auditLines(t, g.audit.String())[before:]
	require.Len(t, after, 3)
	for _, l := range after {
		assert.Equal(t, "refused", l["outcome"])
		assert.Contains(t, l["reason"], "confirmation store cannot be reached")
	}
}
