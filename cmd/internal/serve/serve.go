// Package serve is the HTTP serving both binaries share: open the listener
// (a busy port says which variable to change), run an http.Server with
// timeouts until the context ends, then stop taking requests, let those in
// flight finish within a grace period, and wait for work that outlives its
// request (the guard's key actions). Written once so the MCP server, its
// stdio approval page and the Slack bot shut down the same way.
package serve

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/iocloud-chatops/iocloud/cmd/internal/cli"
)

// Defaults for NewServer and Serve.
const (
	// ReadHeaderTimeout bounds a slow client's headers (Slowloris).
	ReadHeaderTimeout = 10 * time.Second
	// IdleTimeout closes keep-alive connections nobody uses.
	IdleTimeout = 2 * time.Minute
	// DefaultGrace is the shutdown grace when Options.Grace is 0.
	DefaultGrace = 5 * time.Second
)

// Listen opens a TCP listener on addr. Failure is a cli.ListenError naming
// variable (and flag, when not ""), with another port to pick.
func Listen(ctx context.Context, variable, flag, addr string) (net.Listener, error) {
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, cli.ListenError(variable, flag, addr, err)
	}
	return ln, nil
}

// NewServer is an http.Server for handler with the header and idle timeouts
// and the server's own errors (TLS handshakes, panics) in logger at warn.
// Callers may set more fields (ReadTimeout, WriteTimeout, ...) before Serve.
func NewServer(handler http.Handler, logger *slog.Logger) *http.Server {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: ReadHeaderTimeout,
		IdleTimeout:       IdleTimeout,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
}

// Options say how Serve stops.
type Options struct {
	// Logger gets "shutting down" when ctx ends and "stopped" after a
	// clean stop; nil discards.
	Logger *slog.Logger
	// Grace bounds the whole stop: Shutdown and then Drain share it.
	// 0 means DefaultGrace.
	Grace time.Duration
	// Shutdown replaces the server's own Shutdown, for a handler that must
	// end long-lived responses first (mcp-go's streamable HTTP server
	// closes SSE streams, then calls Shutdown on the same http.Server).
	// It must make the server's Serve return.
	Shutdown func(context.Context) error
	// Drain runs after Shutdown returned, within what is left of the grace:
	// work started by requests that outlives them (key actions in flight).
	Drain func(context.Context) error
}

// Serve serves hs on ln until ctx ends or serving fails; it owns ln. When
// ctx ends it stops taking requests, lets those in flight finish, runs
// Drain, and returns nil if all of that finished within the grace. A
// failure to serve (not a shutdown) is returned wrapped as "serving HTTP".
func Serve(ctx context.Context, ln net.Listener, hs *http.Server, opts Options) error {
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("serving HTTP on %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	grace := opts.Grace
	if grace <= 0 {
		grace = DefaultGrace
	}
	logger.InfoContext(ctx, "shutting down: finishing requests in flight", "grace", grace)
	// The signal ended ctx; the grace is a fresh deadline that keeps ctx's
	// values.
	stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), grace)
	defer cancel()
	shutdown := hs.Shutdown
	if opts.Shutdown != nil {
		shutdown = opts.Shutdown
	}
	err := shutdown(stopCtx)
	if err != nil {
		// Past the grace: cut the connections still open so Serve returns.
		_ = hs.Close()
	}
	if serveErr := <-served; !errors.Is(serveErr, http.ErrServerClosed) {
		err = errors.Join(err, serveErr)
	}
	if opts.Drain != nil {
		err = errors.Join(err, opts.Drain(stopCtx))
	}
	if err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	logger.InfoContext(ctx, "stopped")
	return nil
}

// Start runs Serve in the background, for a listener that lives beside the
// program's main work (the approval page under stdio). The returned stop
// ends it and waits for Serve to return. Only a failure is logged: the
// program's own shutdown messages come from its main work.
func Start(ctx context.Context, ln net.Listener, hs *http.Server, opts Options) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	logger := opts.Logger
	opts.Logger = nil
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := Serve(ctx, ln, hs, opts); err != nil && logger != nil {
			logger.ErrorContext(ctx, "HTTP listener stopped", "addr", ln.Addr().String(), "err", err)
		}
	}()
	return func() {
		cancel()
		<-done
	}
}
