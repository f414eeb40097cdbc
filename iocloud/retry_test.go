package iocloud

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// failFirst answers status (with Retry-After when given) to the first n
// requests, then like io.net.
func failFirst(n int, status int, retryAfter string) http.HandlerFunc {
	var seen atomic.Int64
	return func(w http.ResponseWriter, r *http.Request) {
		if seen.Add(1) <= int64(n) {
			if retryAfter != "" {
				w.Header().Set("Retry-After", retryAfter)
			}
			answerJSON(w, status, `{"detail":"`+http.StatusText(status)+`"}`)
			return
		}
		ionetHandler(w, r)
	}
}

func TestReadsAreRetriedOnTransientAnswers(t *testing.T) {
	t.Parallel()
	for _, status := range []int{429, 502, 503, 504} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			t.Parallel()
			up := newUpstream(t, failFirst(2, status, ""))
			c := newClientFor(t, up.URL)
			hw, err := c.Hardware(t.Context())
			require.NoError(t, err)
			assert.Len(t, hw.Hardware, 4)
			assert.Equal(t, 3, up.count(pathHardware))
		})
	}
}

func TestReadsAreNotRetriedOnFinalAnswers(t *testing.T) {
	t.Parallel()
	for _, status := range []int{400, 401, 403, 404, 422, 500, 501} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			t.Parallel()
			up := newUpstream(t, failFirst(100, status, ""))
			c := newClientFor(t, up.URL)
			_, err := c.AvailableReplicas(t.Context(), ReplicaQuery{HardwareID: 7, GPUsPerContainer: 1})
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, status, apiErr.StatusCode)
			assert.Equal(t, 1, up.count(pathReplicas))
		})
	}
}

func TestReadRetriesAreBounded(t *testing.T) {
	t.Parallel()
	up := newUpstream(t, failFirst(1000, http.StatusServiceUnavailable, ""))
	c := newClientFor(t, up.URL) // 4 attempts
	_, err := c.Hardware(t.Context())
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr, "the last answer becomes the error")
	assert.Equal(t, http.StatusServiceUnavailable, apiErr.StatusCode)
	require.ErrorIs(t, err, ErrUnavailable)
	assert.Equal(t, 4, up.count(pathHardware))

	c = newClientFor(t, up.URL, WithRetry(2, time.Millisecond, time.Millisecond, time.Second))
	_, err = c.Hardware(t.Context())
	require.Error(t, err)
	assert.Equal(t, 4+2, up.count(pathHardware))
}

func TestReadsAreRetriedOnDroppedConnections(t *testing.T) {
	t.Parallel()
	var seen atomic.Int64
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		if seen.Add(1) <= 2 {
			if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
				_ = conn.Close()
			}
			return
		}
		ionetHandler(w, r)
	})
	c := newClientFor(t, up.URL)
	_, err := c.Hardware(t.Context())
	require.NoError(t, err)
	assert.Equal(t, 3, up.count(pathHardware))
}

// One test pays for a real Retry-After second.
func TestRetryAfterIsHonoured(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var at []time.Time
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		at = append(at, time.Now())
		n := len(at)
		mu.Unlock()
		if n == 1 {
			w.Header().Set("Retry-After", "1")
			answerJSON(w, http.StatusTooManyRequests, `{"detail":"Too Many Requests"}`)
			return
		}
		ionetHandler(w, r)
	})
	c := newClientFor(t, up.URL) // backoff alone would wait ~1-4 ms
	_, err := c.Hardware(t.Context())
	require.NoError(t, err)
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, at, 2)
	assert.GreaterOrEqual(t, at[1].Sub(at[0]), 950*time.Millisecond)
}

func TestRetryAfterBeyondTheTotalTimeIsReportedNotWaited(t *testing.T) {
	t.Parallel()
	up := newUpstream(t, failFirst(1000, http.StatusTooManyRequests, "120"))
	c := newClientFor(t, up.URL, WithRetry(4, time.Millisecond, time.Millisecond, 2*time.Second))
	start := time.Now()
	_, err := c.Hardware(t.Context())
	assert.Less(t, time.Since(start), time.Second)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 120*time.Second, apiErr.RetryAfter)
	assert.Equal(t, 1, up.count(pathHardware))
	assert.Equal(t, "io.net is rate limiting; wait 120 s and try again.", testHints.Advice(err))
}

func TestRetriesStopWithTheContext(t *testing.T) {
	t.Parallel()
	up := newUpstream(t, failFirst(1000, http.StatusServiceUnavailable, ""))
	c := newClientFor(t, up.URL, WithRetry(10, 200*time.Millisecond, 200*time.Millisecond, 30*time.Second))
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Hardware(ctx)
	require.Error(t, err)
	assert.Less(t, time.Since(start), time.Second)
	require.ErrorIs(t, err, ErrUnavailable)
	assert.Equal(t, 1, up.count(pathHardware))
}

func TestRetriesStopAtTheTotalTime(t *testing.T) {
	t.Parallel()
	up := newUpstream(t, failFirst(1000, http.StatusServiceUnavailable, ""))
	c := newClientFor(t, up.URL, WithRetry(10, 100*time.Millisecond, 100*time.Millisecond, 250*time.Millisecond))
	_, err := c.Hardware(t.Context())
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr, "giving up early keeps the last answer")
	// 10 attempts are allowed, but 100 ms apart within 250 ms there is room
	// for 4 at most, however slow the machine: the budget, not the count,
	// stopped the retries. (No wall-clock assertion: counts do not flake.)
	n := up.count(pathHardware)
	assert.GreaterOrEqual(t, n, 1)
	assert.LessOrEqual(t, n, 4)
}

// Key creation is one request, whatever io.net does: a retry after a lost
// answer could create a second key.
func TestCreateKeyIsNeverRetried(t *testing.T) {
	t.Parallel()
	drop := func(w http.ResponseWriter, r *http.Request) {
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			_ = conn.Close()
		}
	}
	tests := map[string]http.HandlerFunc{
		"503":                failFirst(1000, http.StatusServiceUnavailable, "0"),
		"429":                failFirst(1000, http.StatusTooManyRequests, "0"),
		"502":                failFirst(1000, http.StatusBadGateway, ""),
		"dropped connection": drop,
	}
	for name, h := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			up := newUpstream(t, h)
			c := newClientFor(t, up.URL, WithRetry(10, time.Millisecond, time.Millisecond, 5*time.Second))
			_, err := c.CreateAPIKey(t.Context(), sampleKeyRequest())
			require.Error(t, err)
			assert.Equal(t, 1, up.count(pathCreateKey))
		})
	}
}

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 5, 12, 0, 0, 0, time.UTC)
	tests := map[string]time.Duration{
		"":                                 0,
		"3":                                3 * time.Second,
		" 10 ":                             10 * time.Second,
		"0":                                0,
		"-5":                               0,
		"soon":                             0,
		"1.5":                              0,
		"99999999999":                      24 * time.Hour,
		"Thu, 05 Nov 2026 12:00:30 GMT":    30 * time.Second,
		"Thursday, 05-Nov-26 12:01:00 GMT": time.Minute,
		"Thu, 05 Nov 2026 11:00:00 GMT":    0,
	}
	for in, want := range tests {
		assert.Equal(t, want, parseRetryAfter(in, now), "%q", in)
	}
}

func TestBackoff(t *testing.T) {
	t.Parallel()
	minW, maxW := 100*time.Millisecond, time.Second
	want := []time.Duration{100, 200, 400, 800, 1000, 1000, 1000}
	for i, w := range want {
		assert.Equal(t, w*time.Millisecond, exponentialWait(minW, maxW, i), "attempt %d", i)
	}
	assert.Equal(t, maxW, exponentialWait(minW, maxW, 200), "no overflow")

	c := &Client{}
	for attempt := range 5 {
		exp := exponentialWait(minW, maxW, attempt)
		for range 20 {
			w := c.backoff(minW, maxW, attempt, nil)
			assert.GreaterOrEqual(t, w, exp/2)
			assert.LessOrEqual(t, w, exp)
		}
	}
	resp := &http.Response{StatusCode: http.StatusTooManyRequests, Header: http.Header{"Retry-After": {"3"}}}
	assert.Equal(t, 3*time.Second, c.backoff(minW, maxW, 0, resp), "Retry-After wins over a shorter backoff")
}

func TestCancellingStopsTheRetries(t *testing.T) {
	t.Parallel()
	up := newUpstream(t, failFirst(1000, http.StatusServiceUnavailable, ""))
	c := newClientFor(t, up.URL, WithRetry(10, 300*time.Millisecond, 300*time.Millisecond, 30*time.Second))
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err := c.Hardware(ctx)
	require.ErrorIs(t, err, context.Canceled)
	time.Sleep(400 * time.Millisecond) // a fetch left running would try again by now
	assert.Equal(t, 1, up.count(pathHardware), "the cancelled call's retries stopped with it")
}
