package guard_test

// Crash-safe creation against the simulator's faults: every lost or broken
// answer ends in the outcome word that matches what io.net really did, after
// exactly one POST, with the write-ahead "creating" record and the outcome
// tied together by the ticket id.

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/iocloud-chatops/iocloud/iocloud"
	"github.com/iocloud-chatops/iocloud/iocloud/sandbox"
)

func TestGuardAmbiguousCreateOutcomes(t *testing.T) {
	t.Parallel()
	const clientTimeout = 400 * time.Millisecond
	cases := []struct {
		name        string
		createFault sandbox.Fault
		listFault   sandbox.Fault
		want        string // outcome word
		keyMade     bool   // whether io.net really made the key
	}{
		{name: "answer lost after creating", createFault: sandbox.Fault{DropAfterEffect: true},
			want: iocloud.OutcomeSecretUnavailable, keyMade: true},
		{name: "connection dropped before creating", createFault: sandbox.Fault{Drop: true},
			want: iocloud.OutcomeNotCreated},
		{name: "answer later than the client waits", createFault: sandbox.Fault{DelayAfterEffect: 5 * clientTimeout},
			want: iocloud.OutcomeSecretUnavailable, keyMade: true},
		{name: "unreadable success", createFault: sandbox.Fault{Malformed: true},
			want: iocloud.OutcomeNotCreated}, // a Malformed fault answers before acting
		{name: "500", createFault: sandbox.Fault{Status: 500},
			want: iocloud.OutcomeNotCreated},
		{name: "503 with the list down", createFault: sandbox.Fault{Status: 503}, listFault: sandbox.Fault{Status: 500},
			want: iocloud.OutcomeUnknown},
		{name: "answer lost and the list down", createFault: sandbox.Fault{DropAfterEffect: true}, listFault: sandbox.Fault{Drop: true},
			want: iocloud.OutcomeUnknown, keyMade: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sb := startIONet(t)
			g := newSBGuard(t, sb, sbGuardConfig{timeout: clientTimeout})
			pending, err := g.guard.Prepare(t.Context(), alice, askFor("ambiguous "+tc.name), "")
			require.NoError(t, err)

			sb.SetFault(sandbox.RouteCreateKey, tc.createFault)
			if tc.listFault != (sandbox.Fault{}) {
				sb.SetFault(sandbox.RouteListKeys, tc.listFault)
			}
			key, err := g.guard.Confirm(t.Context(), alice, pending.Token, "", "token")
			require.Error(t, err)
			assert.Nil(t, key)

			var fail *iocloud.CreateFailure
			require.ErrorAs(t, err, &fail)
			assert.Equal(t, tc.want, fail.Outcome, "%v", err)
			assert.Equal(t, pending.TicketID, fail.TicketID)
			assert.Equal(t, 1, creates(sb), "exactly one POST, never retried")
			require.Len(t, sb.CreatedKeys(), map[bool]int{true: 1, false: 0}[tc.keyMade])
			assert.GreaterOrEqual(t, sb.Requests(sandbox.RouteListKeys), 1, "the ambiguous answer was looked up in the key list")

			switch tc.want {
			case iocloud.OutcomeSecretUnavailable:
				made := sb.CreatedKeys()[0]
				require.NotNil(t, fail.Key)
				assert.Equal(t, made.KeyID, fail.Key.KeyID, "the key that exists is named")
				assert.NotEmpty(t, fail.Key.Display)
				assert.Contains(t, err.Error(), made.KeyID)
				assert.Contains(t, err.Error(), "revoke it")
				require.ErrorIs(t, err, iocloud.ErrKeyMayExist)
			case iocloud.OutcomeNotCreated:
				assert.Nil(t, fail.Key)
				require.ErrorIs(t, err, iocloud.ErrNotCreated)
				// Every not_created here was settled by the key list, so the
				// person is told that, not the cause's "may have been created".
				assert.True(t, fail.Checked)
				advice := iocloud.Advice(err)
				assert.Contains(t, advice, "shows no new key. It is safe to start over.")
				assert.NotContains(t, advice, "may have been created")
			case iocloud.OutcomeUnknown:
				assert.Nil(t, fail.Key)
				require.ErrorIs(t, err, iocloud.ErrKeyMayExist)
				assert.Contains(t, err.Error(), "look at your API keys")
			}

			// Audit: pending, then creating before the POST, then the
			// outcome word, all under one ticket id.
			assert.Equal(t, []string{"pending", "creating", tc.want}, outcomeTrail(t, g.audit.String(), pending.TicketID))
			rec := auditRecord(t, g.audit.String(), pending.TicketID, tc.want)
			assert.Equal(t, "token", rec["via"])
			if tc.want == iocloud.OutcomeSecretUnavailable {
				assert.Equal(t, sb.CreatedKeys()[0].KeyID, rec["key_id"])
			} else {
				assert.NotContains(t, rec, "key_id")
			}

			// The ticket is used up whatever the outcome: a replay sends nothing.
			sb.ClearFaults()
			_, err = g.guard.Confirm(t.Context(), alice, pending.Token, "", "token")
			require.ErrorIs(t, err, iocloud.ErrTicketUsed)
			assert.Equal(t, 1, creates(sb))
		})
	}
}

// The caller going away (an MCP client disconnecting, a Slack retry) while
// the POST is on its way does not cut it short: the key is created, its
// secret returned to whoever still waits, and the audit says created.
func TestGuardCallerCancelMidCreate(t *testing.T) {
	t.Parallel()
	sb := startIONet(t)
	g := newSBGuard(t, sb, sbGuardConfig{})
	pending, err := g.guard.Prepare(t.Context(), alice, askFor("caller goes away"), "")
	require.NoError(t, err)
	sb.SetFault(sandbox.RouteCreateKey, sandbox.Fault{Latency: 600 * time.Millisecond})

	ctx, cancel := context.WithCancel(t.Context())
	type result struct {
		key *iocloud.CreatedKey
		err error
	}
	done := make(chan result, 1)
	go func() {
		key, err := g.guard.Confirm(ctx, alice, pending.Token, "", "elicitation")
		done <- result{key, err}
	}()
	require.Eventually(t, func() bool { return creates(sb) == 1 }, 5*time.Second, 5*time.Millisecond, "the POST reached io.net")
	cancel()

	var r result
	select {
	case r = <-done:
	case <-time.After(10 * time.Second):
		require.FailNow(t, "Confirm did not return")
	}
	require.NoError(t, r.err, "a cancelled caller does not cancel an approved creation")
	require.NotNil(t, r.key)
	require.Len(t, sb.CreatedKeys(), 1)
	assert.Equal(t, sb.CreatedKeys()[0].KeyID, r.key.Key.KeyID)
	assert.Equal(t, 1, creates(sb))
	assert.Zero(t, sb.Requests(sandbox.RouteListKeys), "a clean answer needs no lookup")
	assert.Equal(t, []string{"pending", "creating", "created"}, outcomeTrail(t, g.audit.String(), pending.TicketID))
	assert.Equal(t, r.key.Key.KeyID, auditRecord(t, g.audit.String(), pending.TicketID, "created")["key_id"])
}

// Guard.Wait holds shutdown until a creation in flight has finished and
// been audited.
func TestGuardWaitCoversCreationInFlight(t *testing.T) {
	t.Parallel()
	sb := startIONet(t)
	g := newSBGuard(t, sb, sbGuardConfig{})
	pending, err := g.guard.Prepare(t.Context(), alice, askFor("shutdown waits"), "")
	require.NoError(t, err)
	sb.SetFault(sandbox.RouteCreateKey, sandbox.Fault{Latency: 500 * time.Millisecond})

	go func() { _, _ = g.guard.Confirm(context.Background(), alice, pending.Token, "", "") }()
	require.Eventually(t, func() bool { return creates(sb) == 1 }, 5*time.Second, 5*time.Millisecond)

	short, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	require.Error(t, g.guard.Wait(short), "Wait does not pretend the creation is over")

	wctx, cancel2 := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel2()
	require.NoError(t, g.guard.Wait(wctx))
	assert.Equal(t, []string{"pending", "creating", "created"}, outcomeTrail(t, g.audit.String(), pending.TicketID),
		"when Wait returns, the outcome is on record")
}

// switchWriter fails every write once failing is set.
type switchWriter struct {
	failing atomic.Bool
	buf     syncBuffer
}

func (w *switchWriter) Write(p []byte) (int, error) {
	if w.failing.Load() {
		return 0, errors.New("no space left on device")
	}
	return w.buf.Write(p)
}

// No write-ahead record, no POST: a creation nobody could audit does not
// happen, and its daily place is given back.
func TestGuardAuditFailureSendsNothing(t *testing.T) {
	t.Parallel()
	sb := startIONet(t)
	w := &switchWriter{}
	g := newSBGuard(t, sb, sbGuardConfig{audit: w, limits: guardLimits(5, 1)})
	pending, err := g.guard.Prepare(t.Context(), alice, askFor("audit disk full"), "")
	require.NoError(t, err)

	w.failing.Store(true)
	key, err := g.guard.Confirm(t.Context(), alice, pending.Token, "", "")
	require.Error(t, err)
	assert.Nil(t, key)
	var fail *iocloud.CreateFailure
	require.ErrorAs(t, err, &fail)
	assert.Equal(t, iocloud.OutcomeNotCreated, fail.Outcome)
	assert.Contains(t, err.Error(), "audit log could not be written")
	assert.Contains(t, err.Error(), "no space left on device")
	assert.Zero(t, creates(sb), "no POST without the write-ahead record")
	assert.Empty(t, sb.CreatedKeys())
	assert.Contains(t, g.logs.String(), "audit record could not be written", "the operator is told")

	// The disk recovers: the one daily key was not spent on the failure.
	w.failing.Store(false)
	again, err := g.guard.Prepare(t.Context(), alice, askFor("audit disk full"), "")
	require.NoError(t, err)
	_, err = g.guard.Confirm(t.Context(), alice, again.Token, "", "")
	require.NoError(t, err, "MaxPerDay=1 and nothing was created before")
	assert.Equal(t, 1, creates(sb))
	assert.Equal(t, []string{"pending", "creating", "created"}, outcomeTrail(t, w.buf.String(), again.TicketID))
}
