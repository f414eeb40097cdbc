package serve_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/iocloud-chatops/iocloud/cmd/internal/serve"
)

// slowHandler answers once release is closed, after telling started.
func slowHandler(started chan<- struct{}, release <-chan struct{}) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		started <- struct{}{}
		<-release
		_, _ = io.WriteString(w, "done")
	})
}

func listen(t *testing.T) net.Listener {
	t.Helper()
	ln, err := serve.Listen(t.Context(), "TEST_ADDR", "", "127.0.0.1:0")
	require.NoError(t, err)
	return ln
}

func get(t *testing.T, url string) (string, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	if err != nil {
		return "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	return string(body), err
}

// A request in flight when ctx ends still gets its answer, the drain runs
// after it, and Serve returns nil.
func TestServeFinishesRequestsInFlightThenDrains(t *testing.T) {
	t.Parallel()
	ln := listen(t)
	started, release := make(chan struct{}, 1), make(chan struct{})
	var logs bytes.Buffer
	var logMu sync.Mutex
	logger := slog.New(slog.NewTextHandler(&lockedWriter{w: &logs, mu: &logMu}, nil))
	var order []string
	var mu sync.Mutex
	note := func(s string) { mu.Lock(); order = append(order, s); mu.Unlock() }
	slow := slowHandler(started, release)
	hs := serve.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		slow.ServeHTTP(w, r)
		note("handled")
	}), logger)

	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		done <- serve.Serve(ctx, ln, hs, serve.Options{
			Logger: logger,
			Grace:  5 * time.Second,
			Drain: func(ctx context.Context) error {
				_, hasDeadline := ctx.Deadline()
				assert.True(t, hasDeadline, "the drain is bounded by the grace")
				note("drain")
				return nil
			},
		})
	}()

	answer := make(chan string, 1)
	go func() {
		body, err := get(t, "http://"+ln.Addr().String()+"/")
		assert.NoError(t, err)
		answer <- body
	}()
	<-started
	cancel()
	// Shutdown is now waiting for the handler; a new connection is refused.
	require.Eventually(t, func() bool {
		c, err := (&net.Dialer{Timeout: time.Second}).DialContext(t.Context(), "tcp", ln.Addr().String())
		if err == nil {
			_ = c.Close()
		}
		return err != nil
	}, 3*time.Second, 10*time.Millisecond, "the listener closes at once")
	select {
	case err := <-done:
		t.Fatalf("Serve returned (%v) with a request in flight", err)
	default:
	}
	close(release)

	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return")
	}
	assert.Equal(t, "done", <-answer)
	mu.Lock()
	assert.Equal(t, []string{"handled", "drain"}, order, "the drain waits for the requests")
	mu.Unlock()
	logMu.Lock()
	assert.Contains(t, logs.String(), "shutting down")
	assert.Contains(t, logs.String(), "stopped")
	logMu.Unlock()
}

// A request that outlasts the grace does not hold the process: Serve
// returns the deadline error soon after the grace, and the drain's error
// is joined to it.
func TestServeGivesUpAfterGrace(t *testing.T) {
	t.Parallel()
	ln := listen(t)
	started, release := make(chan struct{}, 1), make(chan struct{})
	defer close(release)
	hs := serve.NewServer(slowHandler(started, release), nil)
	errDrain := errors.New("drain gave up")
	drained := false

	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		done <- serve.Serve(ctx, ln, hs, serve.Options{
			Grace: 200 * time.Millisecond,
			Drain: func(ctx context.Context) error {
				drained = true
				return errors.Join(errDrain, ctx.Err())
			},
		})
	}()
	go func() { _, _ = get(t, "http://"+ln.Addr().String()+"/") }()
	<-started
	start := time.Now()
	cancel()
	select {
	case err := <-done:
		require.ErrorIs(t, err, context.DeadlineExceeded)
		require.ErrorIs(t, err, errDrain)
		assert.True(t, drained, "the drain runs even after a late shutdown")
		assert.Less(t, time.Since(start), 3*time.Second)
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return after its grace")
	}
}

// Options.Shutdown replaces hs.Shutdown (mcp-go's closes SSE streams first,
// then shuts hs down itself).
func TestServeUsesTheGivenShutdown(t *testing.T) {
	t.Parallel()
	ln := listen(t)
	hs := serve.NewServer(http.NotFoundHandler(), nil)
	called := make(chan struct{}, 1)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err := serve.Serve(ctx, ln, hs, serve.Options{Shutdown: func(ctx context.Context) error {
		called <- struct{}{}
		return hs.Shutdown(ctx)
	}})
	require.NoError(t, err)
	select {
	case <-called:
	default:
		t.Fatal("the given shutdown was not called")
	}
}

// A listener that fails is a "serving HTTP" error naming the address.
func TestServeReportsAFailedListener(t *testing.T) {
	t.Parallel()
	ln := listen(t)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	err := serve.Serve(t.Context(), ln, serve.NewServer(http.NotFoundHandler(), nil), serve.Options{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "serving HTTP on "+addr)
}

// A busy port is cli.ListenError's message: the variable, the flag and a
// port to pick instead.
func TestListenBusyPortNamesTheWayOut(t *testing.T) {
	t.Parallel()
	ln := listen(t)
	defer ln.Close()
	_, err := serve.Listen(t.Context(), "IOCLOUD_TEST_ADDR", "--addr", ln.Addr().String())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "IOCLOUD_TEST_ADDR: "+ln.Addr().String()+" is already in use")
	assert.Contains(t, err.Error(), "--addr 127.0.0.1:")
}

func TestNewServerHasTimeouts(t *testing.T) {
	t.Parallel()
	hs := serve.NewServer(http.NotFoundHandler(), nil)
	assert.Equal(t, serve.ReadHeaderTimeout, hs.ReadHeaderTimeout)
	assert.Equal(t, serve.IdleTimeout, hs.IdleTimeout)
	assert.NotNil(t, hs.ErrorLog)
}

// Start serves in the background; stop shuts it down and returns once the
// listener is gone.
func TestStartAndStop(t *testing.T) {
	t.Parallel()
	ln := listen(t)
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "up") })
	stop := serve.Start(t.Context(), ln, serve.NewServer(mux, nil), serve.Options{Grace: time.Second})
	body, err := get(t, "http://"+ln.Addr().String()+"/")
	require.NoError(t, err)
	assert.Equal(t, "up", body)
	stop()
	c, err := (&net.Dialer{Timeout: time.Second}).DialContext(t.Context(), "tcp", ln.Addr().String())
	if err == nil {
		_ = c.Close()
	}
	require.Error(t, err, "the listener is closed once stop returns")
}

type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
