package iocloud

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// slowUpstream answers like io.net after delay.
func slowUpstream(t *testing.T, delay time.Duration) *upstream {
	t.Helper()
	return newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
		ionetHandler(w, r)
	})
}

// readConcurrently starts n identical reads at once and returns their answers.
func readConcurrently(t *testing.T, c *Client, n int) []*ReplicaList {
	t.Helper()
	var (
		wg    sync.WaitGroup
		start = make(chan struct{})
		out   = make([]*ReplicaList, n)
		errs  = make([]error, n)
	)
	for i := range n {
		wg.Go(func() {
			<-start
			out[i], errs[i] = c.AvailableReplicas(t.Context(), ReplicaQuery{HardwareID: 7, GPUsPerContainer: 1})
		})
	}
	close(start)
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	return out
}

func TestConcurrentIdenticalReadsMakeOneRequest(t *testing.T) {
	t.Parallel()
	up := slowUpstream(t, 300*time.Millisecond)
	c := newClientFor(t, up.URL, WithCacheTTL(0)) // singleflight alone, no cache
	answers := readConcurrently(t, c, 50)
	assert.Equal(t, 1, up.count(pathReplicas))
	for _, a := range answers {
		assert.Equal(t, answers[0], a)
	}
	answers[0].Locations[0].Name = "changed" // each caller owns its copy
	assert.Equal(t, "United States", answers[1].Locations[1].Name)

	readConcurrently(t, c, 1)
	assert.Equal(t, 2, up.count(pathReplicas), "with the cache off, a later read asks again")
}

func TestCacheKeepsAnswersForTheTTL(t *testing.T) {
	t.Parallel()
	clock := newManualClock()
	up := newUpstream(t, ionetHandler)
	c := newClientFor(t, up.URL, WithCacheTTL(10*time.Second), WithClock(clock.Now))
	ctx := t.Context()

	first, err := c.Hardware(ctx)
	require.NoError(t, err)
	assert.Equal(t, clock.Now(), first.FetchedAt)

	clock.Advance(10*time.Second - time.Nanosecond)
	again, err := c.Hardware(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, up.count(pathHardware))
	assert.Equal(t, first.FetchedAt, again.FetchedAt, "a cached answer keeps the time io.net gave it")

	again.Hardware[0].Name = "changed"
	third, err := c.Hardware(ctx)
	require.NoError(t, err)
	assert.Equal(t, "H100 80GB HBM3", third.Hardware[0].Name, "callers cannot change the cache")

	clock.Advance(time.Nanosecond)
	fresh, err := c.Hardware(ctx)
	require.NoError(t, err)
	assert.Equal(t, 2, up.count(pathHardware), "after the TTL a new request")
	assert.Equal(t, clock.Now(), fresh.FetchedAt)
}

func TestCacheIsKeyedByRouteAndQuery(t *testing.T) {
	t.Parallel()
	up := newUpstream(t, ionetHandler)
	c := newClientFor(t, up.URL, WithCacheTTL(time.Minute))
	ctx := t.Context()
	for range 2 {
		for _, q := range []ReplicaQuery{
			{HardwareID: 7, GPUsPerContainer: 1},
			{HardwareID: 7, GPUsPerContainer: 2},
			{HardwareID: 8, GPUsPerContainer: 1},
			{HardwareID: 7, GPUsPerContainer: 1, NodePoolID: "0c7b4d3e-5f6a-4b8c-9d0e-1f2a3b4c5d6e"},
		} {
			_, err := c.AvailableReplicas(ctx, q)
			require.NoError(t, err)
		}
		_, err := c.Hardware(ctx)
		require.NoError(t, err)
	}
	assert.Equal(t, 4, up.count(pathReplicas))
	assert.Equal(t, 1, up.count(pathHardware))
}

func TestErrorsAreNotCached(t *testing.T) {
	t.Parallel()
	up := newUpstream(t, failFirst(1, http.StatusInternalServerError, ""))
	c := newClientFor(t, up.URL, WithCacheTTL(time.Minute))
	_, err := c.Hardware(t.Context())
	require.ErrorIs(t, err, ErrUnavailable)
	_, err = c.Hardware(t.Context())
	require.NoError(t, err)
	_, err = c.Hardware(t.Context())
	require.NoError(t, err)
	assert.Equal(t, 2, up.count(pathHardware))
}

// One caller giving up does not fail the others waiting on the same fetch.
func TestOneCallerCancellingDoesNotFailTheOthers(t *testing.T) {
	t.Parallel()
	up := slowUpstream(t, 200*time.Millisecond)
	c := newClientFor(t, up.URL)

	impatient, cancel := context.WithCancel(t.Context())
	firstDone := make(chan error, 1)
	go func() {
		_, err := c.Hardware(impatient)
		firstDone <- err
	}()
	time.Sleep(50 * time.Millisecond) // the impatient caller's fetch is under way
	secondDone := make(chan error, 1)
	go func() {
		_, err := c.Hardware(t.Context())
		secondDone <- err
	}()
	time.Sleep(20 * time.Millisecond)
	cancel()

	require.ErrorIs(t, <-firstDone, context.Canceled)
	require.NoError(t, <-secondDone)
	assert.Equal(t, 2, up.count(pathHardware), "the cancelled fetch, then the one the waiter started")
}

func TestCacheStaysBounded(t *testing.T) {
	t.Parallel()
	clock := newManualClock()
	rc := newReadCache(time.Minute, clock.Now)
	for i := range 3 * maxCacheEntries {
		rc.put(string(rune('a'+i%26))+time.Duration(i).String(), i)
	}
	assert.LessOrEqual(t, len(rc.entries), maxCacheEntries)
}
