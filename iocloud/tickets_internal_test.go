package iocloud

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMemoryNoncesForgetsExpiredOnly(t *testing.T) {
	t.Parallel()
	m := newMemoryNonces(100)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

	for i := range 10 {
		first, err := m.MarkUsed("n"+strconv.Itoa(i), now.Add(time.Duration(i+1)*time.Minute), now)
		require.NoError(t, err)
		assert.True(t, first)
	}
	first, err := m.MarkUsed("n3", now.Add(time.Hour), now)
	require.NoError(t, err)
	assert.False(t, first, "a used nonce stays used")
	assert.Equal(t, 10, m.size())

	// Five minutes after n0..n4 expire, plus the grace period, they go.
	later := now.Add(5*time.Minute + nonceGrace)
	first, err = m.MarkUsed("fresh", later.Add(time.Minute), later)
	require.NoError(t, err)
	assert.True(t, first)
	assert.Equal(t, 6, m.size(), "n5..n9 and fresh remain")

	first, err = m.MarkUsed("n7", later.Add(time.Minute), later)
	require.NoError(t, err)
	assert.False(t, first, "an unexpired nonce is still remembered")
}

func TestMemoryNoncesFailsClosedWhenFull(t *testing.T) {
	t.Parallel()
	m := newMemoryNonces(3)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, n := range []string{"a", "b", "c"} {
		_, err := m.MarkUsed(n, now.Add(time.Minute), now)
		require.NoError(t, err)
	}
	first, err := m.MarkUsed("d", now.Add(time.Minute), now)
	require.ErrorIs(t, err, errNonceStoreFull)
	assert.False(t, first)

	later := now.Add(time.Minute + nonceGrace)
	first, err = m.MarkUsed("d", later.Add(time.Minute), later)
	require.NoError(t, err, "room again once the others expired")
	assert.True(t, first)
}

func TestTicketsOpenFailsClosedWhenStoreFull(t *testing.T) {
	t.Parallel()
	tickets, err := NewTickets(nil, WithUsedNonces(newMemoryNonces(1)))
	require.NoError(t, err)
	check := TicketCheck{Action: "a", Actor: "u"}
	t1, _, err := tickets.Seal(Ticket{Action: "a", Actor: "u"})
	require.NoError(t, err)
	t2, _, err := tickets.Seal(Ticket{Action: "a", Actor: "u"})
	require.NoError(t, err)
	_, err = tickets.Open(t1, check)
	require.NoError(t, err)
	_, err = tickets.Open(t2, check)
	require.ErrorIs(t, err, ErrTicketInvalid)
	assert.Contains(t, err.Error(), "try again in a few minutes")
}
