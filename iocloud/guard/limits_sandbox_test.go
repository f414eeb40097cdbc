package guard_test

// Per-person limits against the simulator: each refusal names its limit and
// when it frees up, one person's flood leaves everyone else untouched, and
// the flood's audit and log stay small.

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/iocloud-chatops/iocloud/internal/testutil"
	"github.com/iocloud-chatops/iocloud/iocloud"
	"github.com/iocloud-chatops/iocloud/iocloud/guard"
)

func guardLimits(pending, perDay int) guard.Limits {
	return guard.Limits{MaxPending: pending, MaxPerDay: perDay}
}

func TestLimitOpenPreviews(t *testing.T) {
	t.Parallel()
	sb := startIONet(t)
	clock := testutil.NewClock(time.Now())
	g := newSBGuard(t, sb, sbGuardConfig{limits: guardLimits(2, 20), now: clock.Now})
	ask := askFor("open previews")

	first, err := g.guard.Prepare(t.Context(), alice, ask, "")
	require.NoError(t, err)
	clock.Advance(time.Minute)
	_, err = g.guard.Prepare(t.Context(), alice, ask, "")
	require.NoError(t, err)

	_, err = g.guard.Prepare(t.Context(), alice, ask, "")
	var lim *iocloud.LimitError
	require.ErrorAs(t, err, &lim)
	require.ErrorIs(t, err, iocloud.ErrLimit)
	assert.Equal(t, "open previews", lim.Limit)
	assert.Equal(t, 2, lim.Max)
	assert.Equal(t, guard.TicketTTL-time.Minute, lim.FreesIn, "the oldest preview expires first")
	assert.Contains(t, err.Error(), "at most 2 open previews per person")
	assert.Contains(t, err.Error(), "a place frees up in 10m0s")

	// Someone else is not affected.
	_, err = g.guard.Prepare(t.Context(), bob, ask, "")
	require.NoError(t, err)

	// Cancelling a preview frees its place at once.
	_, err = g.guard.Cancel(t.Context(), alice, first.Token, "", "")
	require.NoError(t, err)
	third, err := g.guard.Prepare(t.Context(), alice, ask, "")
	require.NoError(t, err)

	// So does confirming one.
	_, err = g.guard.Prepare(t.Context(), alice, ask, "")
	require.ErrorIs(t, err, iocloud.ErrLimit)
	_, err = g.guard.Confirm(t.Context(), alice, third.Token, "", "")
	require.NoError(t, err)
	_, err = g.guard.Prepare(t.Context(), alice, ask, "")
	require.NoError(t, err)

	// And an expired one frees itself.
	_, err = g.guard.Prepare(t.Context(), alice, ask, "")
	require.ErrorIs(t, err, iocloud.ErrLimit)
	clock.Advance(guard.TicketTTL)
	_, err = g.guard.Prepare(t.Context(), alice, ask, "")
	require.NoError(t, err)

	assert.Equal(t, 1, creates(sb), "only the one confirmation reached io.net")
	refused := 0
	for _, l := range auditLines(t, g.audit.String()) {
		if l["outcome"] == "refused" {
			refused++
			assert.Contains(t, l["reason"], "open previews", "the audit names the limit")
		}
	}
	// Three refusals of the same limit within one minute: one record (the
	// count of the others goes into the next one).
	assert.Equal(t, 1, refused)
}

func TestLimitKeysPerDay(t *testing.T) {
	t.Parallel()
	sb := startIONet(t)
	clock := testutil.NewClock(time.Now())
	g := newSBGuard(t, sb, sbGuardConfig{limits: guardLimits(5, 2), now: clock.Now})
	ask := askFor("daily")

	createOne := func(who iocloud.Actor) error {
		t.Helper()
		p, err := g.guard.Prepare(t.Context(), who, ask, "")
		if err != nil {
			// A full day is refused at the preview: a preview that could
			// never be confirmed would only waste the person's time.
			return err
		}
		_, err = g.guard.Confirm(t.Context(), who, p.Token, "", "")
		return err
	}
	require.NoError(t, createOne(alice))
	clock.Advance(time.Hour)
	require.NoError(t, createOne(alice))

	err := createOne(alice)
	var lim *iocloud.LimitError
	require.ErrorAs(t, err, &lim)
	assert.Equal(t, "keys created in 24 hours", lim.Limit)
	assert.Equal(t, 23*time.Hour, lim.FreesIn, "the first key of the day leaves the window first")
	assert.Contains(t, err.Error(), "at most 2 keys created in 24 hours per person; a place frees up in 23h")
	assert.Equal(t, 2, creates(sb), "the third request never reached io.net")

	require.NoError(t, createOne(bob), "another person's day is their own")
	assert.Equal(t, 3, creates(sb))

	clock.Advance(23 * time.Hour)
	require.NoError(t, createOne(alice), "a day after the first key, a place is free again")
	assert.Equal(t, 4, creates(sb))
	assert.Len(t, sb.CreatedKeys(), 4)
}

// A flood by one person — previews and cancels in a loop, confirmations of
// garbage — is bounded by their own limits, tells them the real cause, keeps
// the audit and the log small, and never stands in another person's way.
func TestLimitFloodByOnePersonBlocksNoOneElse(t *testing.T) {
	t.Parallel()
	sb := startIONet(t)
	clock := testutil.NewClock(time.Now())
	g := newSBGuard(t, sb, sbGuardConfig{limits: guardLimits(5, 20), now: clock.Now})
	mallory := iocloud.Actor{Frontend: "mcp", ID: "mallory"}
	ask := askFor("flood")

	const pairs = 500
	const window = 5 * guard.PreviewsPerPendingPlace // previews per 10 minutes at MaxPending 5
	var opened, limited int
	var lastRefusal error
	for range pairs {
		p, err := g.guard.Prepare(t.Context(), mallory, ask, "")
		if err != nil {
			require.ErrorIs(t, err, iocloud.ErrLimit)
			limited++
			lastRefusal = err
			continue
		}
		opened++
		_, err = g.guard.Cancel(t.Context(), mallory, p.Token, "", "")
		require.NoError(t, err)
	}
	const garbage = 200
	for range garbage {
		_, err := g.guard.Confirm(t.Context(), mallory, "not-a-token", "", "")
		require.ErrorIs(t, err, iocloud.ErrTicketInvalid)
	}
	assert.Equal(t, window, opened, "preview+cancel in a loop is capped by the 10-minute window")
	assert.Equal(t, pairs-window, limited)
	require.Error(t, lastRefusal)
	assert.Contains(t, lastRefusal.Error(), "previews in 10 minutes", "the flooder reads the real cause")
	assert.Contains(t, lastRefusal.Error(), "a place frees up in")

	// The victim-to-be is untouched.
	p, err := g.guard.Prepare(t.Context(), alice, ask, "")
	require.NoError(t, err)
	key, err := g.guard.Confirm(t.Context(), alice, p.Token, "", "")
	require.NoError(t, err)
	require.NotNil(t, key)
	assert.Equal(t, 1, creates(sb), "the flood sent nothing to io.net")

	// Audit: the 50 previews and cancels that happened, one summarised
	// record for each kind of refusal, and alice's three records — not one
	// line per refusal.
	audit := g.audit.String()
	want := 2*window + 1 + 1 + 3
	assert.Equal(t, want, lineCount(audit), "audit lines are bounded by what happened, not by what was attempted")
	var refusals int
	for _, l := range auditLines(t, audit) {
		if l["actor"] == "mcp:mallory" && (l["outcome"] == "refused" || l["outcome"] == "rejected") {
			refusals++
		}
	}
	assert.Equal(t, 2, refusals)
	assert.Less(t, lineCount(g.logs.String()), 10, "the operator log is not flooded either")

	// A minute later the next refusal is recorded, with the count of those
	// held back — although its countdown now reads differently.
	clock.Advance(time.Minute + time.Second)
	_, err = g.guard.Prepare(t.Context(), mallory, ask, "")
	require.ErrorIs(t, err, iocloud.ErrLimit)
	lines := auditLines(t, g.audit.String())
	last := lines[len(lines)-1]
	assert.Equal(t, "refused", last["outcome"])
	assert.Equal(t, "mcp:mallory", last["actor"])
	assert.Contains(t, last["reason"], "at most 50 previews in 10 minutes per person; a place frees up in 9m0s")
	assert.Contains(t, last["reason"], fmt.Sprintf("(and %d similar refusals in the last 1m1s)", pairs-window-1))

	// Once the window has passed, the flooder may preview again.
	clock.Advance(guard.TicketTTL)
	_, err = g.guard.Prepare(t.Context(), mallory, ask, "")
	require.NoError(t, err)
}

// Two previews opened while the day still had room: the second
// confirmation is refused at confirm time, before io.net.
func TestLimitKeysPerDayCheckedAgainAtConfirm(t *testing.T) {
	t.Parallel()
	sb := startIONet(t)
	g := newSBGuard(t, sb, sbGuardConfig{limits: guardLimits(5, 1)})
	first, err := g.guard.Prepare(t.Context(), alice, askFor("one"), "")
	require.NoError(t, err)
	second, err := g.guard.Prepare(t.Context(), alice, askFor("two"), "")
	require.NoError(t, err)
	_, err = g.guard.Confirm(t.Context(), alice, first.Token, "", "")
	require.NoError(t, err)
	_, err = g.guard.Confirm(t.Context(), alice, second.Token, "", "")
	require.ErrorIs(t, err, iocloud.ErrLimit)
	assert.Equal(t, 1, creates(sb))
}
