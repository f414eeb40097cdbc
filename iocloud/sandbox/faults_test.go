package sandbox_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/iocloud-chatops/iocloud/iocloud/sandbox"
)

const replicasQuery = sandbox.PathReplicas + "?hardware_id=7&hardware_qty=1"

const keyBody = `{"description":"d","expires_at":"2999-01-01T00:00:00Z","project":"io-cloud","scopes":["all"]}`

func TestFaultStatusWithRetryAfter(t *testing.T) {
	s := start(t)
	s.SetFault(sandbox.RouteReplicas, sandbox.Fault{Status: http.StatusTooManyRequests, RetryAfter: "1"})

	a := getWithKey(t, s, replicasQuery)
	assert.Equal(t, http.StatusTooManyRequests, a.Status)
	assert.Equal(t, "1", a.Header.Get("Retry-After"))
	assert.Equal(t, "application/json", a.Header.Get("Content-Type"))
	assert.JSONEq(t, `{"detail":"Too Many Requests"}`, a.Body)

	// Faults come before credentials.
	a = mustSend(t, http.MethodGet, s.URL()+replicasQuery, "")
	assert.Equal(t, http.StatusTooManyRequests, a.Status)

	// Only the faulted route misbehaves.
	assert.Equal(t, http.StatusOK, getWithKey(t, s, sandbox.PathHardware).Status)
	assert.Equal(t, 2, s.Requests(sandbox.RouteReplicas))
	assert.Equal(t, 1, s.Requests(sandbox.RouteHardware))
}

func TestFaultHTMLBody(t *testing.T) {
	s := start(t)
	s.SetFault(sandbox.RouteHardware, sandbox.Fault{
		Status: http.StatusBadGateway, Body: "<html>Bad Gateway</html>", ContentType: "text/html",
	})
	a := getWithKey(t, s, sandbox.PathHardware)
	assert.Equal(t, http.StatusBadGateway, a.Status)
	assert.Equal(t, "text/html", a.Header.Get("Content-Type"))
	assert.Equal(t, "<html>Bad Gateway</html>", a.Body)
}

func TestFaultMalformed(t *testing.T) {
	s := start(t)
	for _, r := range []sandbox.Route{sandbox.RouteHardware, sandbox.RouteReplicas, sandbox.RouteCreateKey} {
		s.SetFault(r, sandbox.Fault{Malformed: true})
	}
	for _, a := range []answer{
		getWithKey(t, s, sandbox.PathHardware),
		getWithKey(t, s, replicasQuery),
	} {
		assert.Equal(t, http.StatusOK, a.Status)
		assert.Equal(t, "application/json", a.Header.Get("Content-Type"))
		assert.NotEmpty(t, a.Body)
		var v any
		require.Error(t, json.Unmarshal([]byte(a.Body), &v), "body must not decode: %s", a.Body)
	}
	a := createKey(t, s, keyBody)
	assert.Equal(t, http.StatusCreated, a.Status)
	var v any
	require.Error(t, json.Unmarshal([]byte(a.Body), &v))
	assert.Empty(t, s.CreatedKeys(), "a faulted request has no side effect")
}

func TestFaultDrop(t *testing.T) {
	s := start(t)
	s.SetFault(sandbox.RouteCreateKey, sandbox.Fault{Drop: true})
	s.SetFault(sandbox.RouteHardware, sandbox.Fault{Drop: true})

	_, err := send(t.Context(), http.MethodPost, s.URL()+sandbox.PathCreateKey, keyBody, "token", s.JWT())
	require.Error(t, err)
	_, err = send(t.Context(), http.MethodGet, s.URL()+sandbox.PathHardware, "", "x-api-key", s.APIKey())
	require.Error(t, err)

	assert.Equal(t, 1, s.Requests(sandbox.RouteCreateKey))
	assert.Empty(t, s.CreatedKeys())
	// The server keeps serving other routes.
	assert.Equal(t, http.StatusOK, getWithKey(t, s, replicasQuery).Status)
}

func TestFaultLatencyHonoursCancellation(t *testing.T) {
	s := start(t)
	s.SetFault(sandbox.RouteReplicas, sandbox.Fault{Latency: 30 * time.Second})

	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	_, err := send(ctx, http.MethodGet, s.URL()+replicasQuery, "", "x-api-key", s.APIKey())
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Equal(t, 1, s.Requests(sandbox.RouteReplicas))
	// Close must not wait out the 30 s of the abandoned handler; the test
	// timeout would catch it.
}

// A client that gives up during a create's latency gets no key: the
// request is cut short, not served after the wait. (net/http notices the
// client leaving only once the request body has been read.)
func TestFaultLatencyOnCreateHonoursCancellation(t *testing.T) {
	s := start(t)
	s.SetFault(sandbox.RouteCreateKey, sandbox.Fault{Latency: 300 * time.Millisecond})

	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	_, err := send(ctx, http.MethodPost, s.URL()+sandbox.PathCreateKey, keyBody, "token", s.JWT())
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Never(t, func() bool { return len(s.CreatedKeys()) > 0 }, time.Second, 20*time.Millisecond,
		"the abandoned create must not be served after the latency")
	assert.Equal(t, 1, s.Requests(sandbox.RouteCreateKey))
}

func TestFaultLatencyThenRealAnswer(t *testing.T) {
	s := start(t)
	s.SetFault(sandbox.RouteReplicas, sandbox.Fault{Latency: 30 * time.Millisecond, Times: 1})
	began := time.Now()
	a := getWithKey(t, s, replicasQuery)
	assert.GreaterOrEqual(t, time.Since(began), 30*time.Millisecond)
	assert.Equal(t, http.StatusOK, a.Status)
	var body replicasBody
	a.decode(t, &body)
	assert.Len(t, body.Data, 4)
}

func TestCloseCutsLatencyShort(t *testing.T) {
	s, err := sandbox.Start()
	require.NoError(t, err)
	s.SetFault(sandbox.RouteHardware, sandbox.Fault{Latency: 30 * time.Second})

	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	errc := make(chan error, 1)
	go func() {
		_, err := send(ctx, http.MethodGet, s.URL()+sandbox.PathHardware, "", "x-api-key", s.APIKey())
		errc <- err
	}()
	require.Eventually(t, func() bool { return s.Requests(sandbox.RouteHardware) == 1 }, 5*time.Second, 5*time.Millisecond)
	s.Close()
	err = <-errc
	require.Error(t, err)
	assert.NotErrorIs(t, err, context.DeadlineExceeded, "the server, not the client, ended the request")
}

func TestFaultTimes(t *testing.T) {
	s := start(t)
	s.SetFault(sandbox.RouteHardware, sandbox.Fault{Status: http.StatusServiceUnavailable, Times: 2})
	var got []int
	for range 4 {
		got = append(got, getWithKey(t, s, sandbox.PathHardware).Status)
	}
	assert.Equal(t, []int{503, 503, 200, 200}, got)
	assert.Equal(t, 4, s.Requests(sandbox.RouteHardware))
}

func TestFaultUntilCleared(t *testing.T) {
	s := start(t)
	s.SetFault(sandbox.RouteHardware, sandbox.Fault{Status: http.StatusInternalServerError})
	for range 3 {
		a := getWithKey(t, s, sandbox.PathHardware)
		assert.Equal(t, http.StatusInternalServerError, a.Status)
		assert.JSONEq(t, `{"detail":"Internal Server Error"}`, a.Body)
	}
	s.ClearFaults()
	assert.Equal(t, http.StatusOK, getWithKey(t, s, sandbox.PathHardware).Status)

	s.SetFault(sandbox.RouteHardware, sandbox.Fault{Status: http.StatusInternalServerError})
	s.SetFault(sandbox.RouteHardware, sandbox.Fault{}) // a zero fault removes it
	assert.Equal(t, http.StatusOK, getWithKey(t, s, sandbox.PathHardware).Status)
}

func TestFaultReproducesKeySetBug(t *testing.T) {
	// new-api #2794: io.net answered 400 {"key_set": true} for fresh keys.
	s := start(t)
	s.SetFault(sandbox.RouteHardware, sandbox.Fault{Status: http.StatusBadRequest, Body: `{"key_set": true}`})
	a := getWithKey(t, s, sandbox.PathHardware)
	assert.Equal(t, http.StatusBadRequest, a.Status)
	assert.JSONEq(t, `{"key_set": true}`, a.Body)
}

func TestConcurrentRequestsCountAndFaultTimes(t *testing.T) {
	s := start(t)
	const n, faulted = 50, 10
	s.SetFault(sandbox.RouteReplicas, sandbox.Fault{Status: http.StatusServiceUnavailable, Times: faulted})

	statuses := make(chan int, n)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			a, err := send(t.Context(), http.MethodGet, s.URL()+replicasQuery, "", "x-api-key", s.APIKey())
			if err != nil {
				statuses <- -1
				return
			}
			statuses <- a.Status
		})
	}
	wg.Wait()
	close(statuses)
	count := map[int]int{}
	for st := range statuses {
		count[st]++
	}
	assert.Equal(t, map[int]int{http.StatusOK: n - faulted, http.StatusServiceUnavailable: faulted}, count)
	assert.Equal(t, n, s.Requests(sandbox.RouteReplicas))
}

func TestConcurrentKeyCreation(t *testing.T) {
	s := start(t)
	const n = 20
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Go(func() {
			a, err := send(t.Context(), http.MethodPost, s.URL()+sandbox.PathCreateKey, keyBody, "token", s.JWT())
			if err == nil && a.Status != http.StatusCreated {
				err = errors.New(a.Body)
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	keys := s.CreatedKeys()
	require.Len(t, keys, n)
	seen := map[string]bool{}
	for _, k := range keys {
		seen[k.Value] = true
	}
	assert.Len(t, seen, n, "every secret is distinct")
	assert.Equal(t, n, s.Requests(sandbox.RouteCreateKey))
}

// The three ways a key creation can end ambiguously, as the guard's
// crash-safety tests meet them: the answer lost after the key was made, the
// connection lost before, and an answer that comes too late.
func TestFaultDropAfterEffectCreatesTheKey(t *testing.T) {
	s := start(t)
	s.SetFault(sandbox.RouteCreateKey, sandbox.Fault{DropAfterEffect: true, Times: 1})
	_, err := send(t.Context(), http.MethodPost, s.URL()+sandbox.PathCreateKey, keyBody, "token", s.JWT())
	require.Error(t, err, "no answer")
	assert.Equal(t, 1, s.Requests(sandbox.RouteCreateKey), "one POST arrived")
	require.Len(t, s.CreatedKeys(), 1, "and it was acted on")
	_, body := listKeys(t, s)
	assert.Len(t, body.Keys, 1, "the lost key is listed")

	// Checks still run first: a refused request makes nothing.
	s.SetFault(sandbox.RouteCreateKey, sandbox.Fault{DropAfterEffect: true, Times: 1})
	_, err = send(t.Context(), http.MethodPost, s.URL()+sandbox.PathCreateKey, keyBody, "token", "wrong")
	require.Error(t, err)
	assert.Len(t, s.CreatedKeys(), 1)

	// Revocation too.
	s.SetFault(sandbox.RouteRevokeKey, sandbox.Fault{DropAfterEffect: true, Times: 1})
	_, err = send(t.Context(), http.MethodDelete, s.URL()+sandbox.KeyPath(s.CreatedKeys()[0].KeyID), "", "token", s.JWT())
	require.Error(t, err)
	assert.True(t, s.CreatedKeys()[0].Revoked)
}

func TestFaultDropBeforeEffectCreatesNothing(t *testing.T) {
	s := start(t)
	s.SetFault(sandbox.RouteCreateKey, sandbox.Fault{Drop: true, Times: 1})
	_, err := send(t.Context(), http.MethodPost, s.URL()+sandbox.PathCreateKey, keyBody, "token", s.JWT())
	require.Error(t, err)
	assert.Equal(t, 1, s.Requests(sandbox.RouteCreateKey))
	assert.Empty(t, s.CreatedKeys())
	_, body := listKeys(t, s)
	assert.Empty(t, body.Keys)
}

func TestFaultDelayAfterEffect(t *testing.T) {
	s := start(t)
	s.SetFault(sandbox.RouteCreateKey, sandbox.Fault{DelayAfterEffect: 30 * time.Second, Times: 1})
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	_, err := send(ctx, http.MethodPost, s.URL()+sandbox.PathCreateKey, keyBody, "token", s.JWT())
	require.ErrorIs(t, err, context.DeadlineExceeded, "the client gave up waiting")
	assert.Equal(t, 1, s.Requests(sandbox.RouteCreateKey))
	require.Len(t, s.CreatedKeys(), 1, "the key exists although no answer came")

	// A shorter hold delivers the real answer, late.
	s.SetFault(sandbox.RouteCreateKey, sandbox.Fault{DelayAfterEffect: 50 * time.Millisecond, Times: 1})
	began := time.Now()
	a := createKey(t, s, keyBody)
	assert.GreaterOrEqual(t, time.Since(began), 50*time.Millisecond)
	require.Equal(t, http.StatusCreated, a.Status)
	var got createdBody
	a.decode(t, &got)
	require.Len(t, s.CreatedKeys(), 2)
	assert.Equal(t, s.CreatedKeys()[1].Value, got.Value)
	assert.Equal(t, "application/json", a.Header.Get("Content-Type"))
	assert.Equal(t, 2, s.Requests(sandbox.RouteCreateKey))
}
