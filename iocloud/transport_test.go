package iocloud

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sync/errgroup"
)

// wideUpstream is an io.net with many hardware types (all with free GPUs),
// counting the connections it accepts and the requests it is serving at
// once. delay holds each answer, so concurrent requests really overlap.
type wideUpstream struct {
	*httptest.Server
	delay    time.Duration
	newConns atomic.Int64
	inFlight atomic.Int64
	maxSeen  atomic.Int64
	hardware string
}

func newWideUpstream(t *testing.T, types int, delay time.Duration) *wideUpstream {
	t.Helper()
	u := &wideUpstream{delay: delay}
	items := make([]string, 0, types)
	for i := 1; i <= types; i++ {
		items = append(items, fmt.Sprintf(`{"hardware_id":%d,"hardware_name":"GPU %d","brand_name":"NVIDIA","max_gpus_per_container":8,"available":%d}`, i, i, 8))
	}
	u.hardware = `{"data":{"hardware":[` + strings.Join(items, ",") + fmt.Sprintf(`],"total":%d}}`, 8*types)
	u.Server = httptest.NewUnstartedServer(http.HandlerFunc(u.serve))
	u.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			u.newConns.Add(1)
		}
	}
	u.Start()
	t.Cleanup(u.Close)
	return u
}

func (u *wideUpstream) serve(w http.ResponseWriter, r *http.Request) {
	n := u.inFlight.Add(1)
	defer u.inFlight.Add(-1)
	for {
		seen := u.maxSeen.Load()
		if n <= seen || u.maxSeen.CompareAndSwap(seen, n) {
			break
		}
	}
	if u.delay > 0 {
		select {
		case <-time.After(u.delay):
		case <-r.Context().Done():
			return
		}
	}
	switch r.URL.Path {
	case pathHardware:
		answerJSON(w, http.StatusOK, u.hardware)
	case pathReplicas:
		answerJSON(w, http.StatusOK, replicasJSON)
	default:
		answerJSON(w, http.StatusNotFound, `{"detail":"Not Found"}`)
	}
}

// runCallers runs callers goroutines, each making calls calls.
func runCallers(t *testing.T, callers, calls int, call func(ctx context.Context) error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	var g errgroup.Group
	for range callers {
		g.Go(func() error {
			for range calls {
				if err := call(ctx); err != nil {
					return err
				}
			}
			return nil
		})
	}
	require.NoError(t, g.Wait())
}

// In steady state every request to io.net reuses a kept connection, for
// the widest fan-out (every type) and for concurrent callers whose reads
// cannot be collapsed into one (each asks its own node pool). Go's default
// transport keeps 2 idle connections per host, fewer than one fan-out
// opens, so it dialled again on nearly every call.
func TestConnectionsAreReusedInSteadyState(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		callers int
		call    func(c *Client) func(ctx context.Context) error
	}{
		{"fan-out over 40 types", 1, func(c *Client) func(ctx context.Context) error {
			return func(ctx context.Context) error {
				_, err := c.FindReplicas(ctx, ReplicaSearch{})
				return err
			}
		}},
		{"fan-out over 40 types, 8 callers", 8, func(c *Client) func(ctx context.Context) error {
			return func(ctx context.Context) error {
				_, err := c.FindReplicas(ctx, ReplicaSearch{})
				return err
			}
		}},
		{"distinct node pools, 32 callers", 32, func(c *Client) func(ctx context.Context) error {
			return func(ctx context.Context) error {
				_, err := c.FindReplicas(ctx, ReplicaSearch{Hardware: "3", NodePoolID: uuid.NewString()})
				return err
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			up := newWideUpstream(t, 40, time.Millisecond)
			c := newClientFor(t, up.URL)
			call := tc.call(c)
			// The first rounds open what the concurrency needs; a loaded
			// machine may reach a new peak of overlap later, so the steady
			// state is long enough that such a straggler stays a rounding
			// error, as it is in production.
			runCallers(t, tc.callers, 5, call)
			before := up.newConns.Load()
			const perCaller = 30
			runCallers(t, tc.callers, perCaller, call)
			opened := up.newConns.Load() - before
			perCall := float64(opened) / float64(tc.callers*perCaller)
			assert.LessOrEqualf(t, perCall, 0.05, "%d new connections for %d calls", opened, tc.callers*perCaller)
		})
	}
}

// However many callers there are, no more than the cap of requests reach
// io.net at once; the rest wait their turn and all succeed.
func TestGlobalCapOnConcurrentRequests(t *testing.T) {
	t.Parallel()
	up := newWideUpstream(t, 12, 20*time.Millisecond)
	const limit = 3
	c := newClientFor(t, up.URL, WithMaxConcurrent(limit))
	var done atomic.Int64
	runCallers(t, 16, 2, func(ctx context.Context) error {
		// Every type, each caller in its own node pool: 13 reads per call
		// that nothing collapses, 4 at a time per call.
		_, err := c.FindReplicas(ctx, ReplicaSearch{NodePoolID: uuid.NewString()})
		if err == nil {
			done.Add(1)
		}
		return err
	})
	assert.Equal(t, int64(32), done.Load())
	assert.LessOrEqual(t, up.maxSeen.Load(), int64(limit), "never more than the cap at io.net at once")
	assert.Equal(t, int64(limit), up.maxSeen.Load(), "the callers did overlap up to the cap")
}

// A caller waiting for a place gives up with its own context, and the place
// is given back when an answer's body is closed, not held forever.
func TestGlobalCapWaitHonoursContext(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	var once sync.Once
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("hardware_id") == "1" {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}
		answerJSON(w, http.StatusOK, replicasJSON)
	})
	c := newClientFor(t, up.URL, WithMaxConcurrent(1))
	held := make(chan error, 1)
	go func() {
		_, err := c.AvailableReplicas(t.Context(), ReplicaQuery{HardwareID: 1, GPUsPerContainer: 1})
		held <- err
	}()
	require.Eventually(t, func() bool { return up.count(pathReplicas) == 1 }, 5*time.Second, time.Millisecond)

	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	_, err := c.AvailableReplicas(ctx, ReplicaQuery{HardwareID: 2, GPUsPerContainer: 1})
	require.Error(t, err, "no place free: the caller's deadline ends the wait")
	assert.Equal(t, 1, up.count(pathReplicas), "the waiting request never reached io.net")

	once.Do(func() { close(release) })
	require.NoError(t, <-held)
	_, err = c.AvailableReplicas(t.Context(), ReplicaQuery{HardwareID: 2, GPUsPerContainer: 1})
	require.NoError(t, err, "the place came back when the first answer was read")
}

func TestWithMaxConcurrentBounds(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, -1, 1025} {
		_, err := New(WithMaxConcurrent(n))
		require.Error(t, err, n)
		assert.Contains(t, err.Error(), "max concurrent requests must be 1-1024")
	}
}
