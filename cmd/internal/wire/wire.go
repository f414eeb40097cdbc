// Package wire builds the shared core (client, guard, audit, sandbox) from
// configuration. Both binaries use it; it is the only place besides cmd/*
// mains that imports config.
package wire

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"time"

	"github.com/iocloud-chatops/iocloud/config"
	"github.com/iocloud-chatops/iocloud/iocloud"
	"github.com/iocloud-chatops/iocloud/iocloud/guard"
	"github.com/iocloud-chatops/iocloud/iocloud/sandbox"
	"github.com/iocloud-chatops/iocloud/iocloud/state"
)

// Options say how to build the core.
type Options struct {
	Sandbox   bool         // start the built-in simulator and point the client at it
	Logger    *slog.Logger // operator log (stderr); nil discards
	UserAgent string       // e.g. "iocloud-mcp/1.0.0"
}

// App is the wired core.
type App struct {
	Client    *iocloud.Client
	Guard     *guard.Guard
	Audit     *guard.Audit
	AuditFile *guard.AuditFile // nil when audit records go to the log
	Store     state.Store
	Sandbox   *sandbox.Server // nil unless Options.Sandbox
	closers   []func()
}

// ShutdownGrace is how long shutdown waits for work in flight: an approved
// key action may take its whole deadline and then a key-list lookup, so
// the grace is longer than both together (and than IOCLOUD_TIMEOUT).
func (a *App) ShutdownGrace() time.Duration {
	return 2*a.Guard.ActTimeout() + 10*time.Second
}

// ReopenAudit reopens the audit file after log rotation (SIGHUP).
func (a *App) ReopenAudit() error {
	if a.AuditFile == nil {
		return nil
	}
	return a.AuditFile.Reopen()
}

// NewLogger is the operator log both binaries write: text, to w (stderr in
// the mains; stdout may carry MCP's JSON-RPC), from level up.
func NewLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}

// Build validates nothing (config validation happens before) and wires the
// core: sandbox (if asked), client, tickets, audit log, guard. On error,
// whatever was opened is closed again. Errors never contain a secret.
func Build(ctx context.Context, cfg config.Core, opts Options) (_ *App, err error) {
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	app := &App{}
	defer func() {
		if err != nil {
			app.Close()
		}
	}()

	baseURL, apiKey, jwt := cfg.BaseURL, cfg.APIKey, cfg.JWT
	if opts.Sandbox {
		// The simulator lives as long as the App (until Close), not as long
		// as ctx, so it takes no context.
		sb, err := sandbox.Start() //nolint:contextcheck // lifetime is App.Close, not ctx
		if err != nil {
			return nil, fmt.Errorf("start the io.net sandbox: %w", err)
		}
		app.Sandbox = sb
		app.closers = append(app.closers, sb.Close)
		// The simulator's own credentials: configured ones are never sent to it.
		baseURL, apiKey, jwt = sb.URL(), config.Secret(sb.APIKey()), config.Secret(sb.JWT())
		logger.InfoContext(ctx, "serving sandbox data from the built-in io.net simulator", "url", baseURL)
	}

	clientOpts := []iocloud.Option{
		iocloud.WithBaseURL(baseURL),
		iocloud.WithAPIKey(apiKey),
		iocloud.WithJWT(jwt),
		iocloud.WithTimeout(cfg.Timeout),
		iocloud.WithCacheTTL(cfg.CacheTTL),
		iocloud.WithLogger(logger),
		iocloud.WithSandbox(opts.Sandbox),
	}
	if opts.UserAgent != "" {
		clientOpts = append(clientOpts, iocloud.WithUserAgent(opts.UserAgent))
	}
	app.Client, err = iocloud.New(clientOpts...)
	if err != nil {
		return nil, fmt.Errorf("set up the io.net client: %w", err)
	}

	state.RouteRedisLogs(logger)
	app.Store, err = state.Open(cfg.State.Reveal())
	if err != nil {
		return nil, fmt.Errorf("IOCLOUD_STATE: %w", err)
	}
	app.closers = append(app.closers, func() { _ = app.Store.Close() })
	if err := app.Store.Ping(ctx); err != nil {
		// Reads do not need the store; key actions say so when asked.
		logger.WarnContext(ctx, "the state store (IOCLOUD_STATE) cannot be reached: key actions are refused until it can; reads work",
			"store", app.Store.Kind())
	} else {
		logger.InfoContext(ctx, "guard state store ready", "store", app.Store.Kind())
	}

	tickets, err := guard.NewTickets([]byte(cfg.ConfirmSecret.Reveal()), app.Store)
	if err != nil {
		return nil, fmt.Errorf("IOCLOUD_CONFIRM_SECRET: cannot set up confirmations: %w", err)
	}

	app.Audit, err = openAudit(ctx, cfg.AuditLog, logger, app)
	if err != nil {
		return nil, err
	}

	app.Guard = guard.New(guard.Config{
		Client:     app.Client,
		Policy:     cfg.Policy(),
		Store:      app.Store,
		Tickets:    tickets,
		Audit:      app.Audit,
		Limits:     guard.Limits{MaxPending: cfg.KeyMaxPending, MaxPerDay: cfg.KeyMaxPerDay},
		Logger:     logger,
		Sandbox:    opts.Sandbox,
		ActTimeout: cfg.Timeout + 5*time.Second,
	})

	logJWTStatus(ctx, logger, app.Client.JWTStatus(), time.Now())
	return app, nil
}

// openAudit writes audit records to the IOCLOUD_AUDIT_LOG file (JSON lines,
// created 0600) or, when unset, to the operator log.
func openAudit(ctx context.Context, path string, logger *slog.Logger, app *App) (*guard.Audit, error) {
	if path == "" {
		logger.InfoContext(ctx, "audit records go to this log (set IOCLOUD_AUDIT_LOG for a JSON-lines file)")
		return guard.NewAudit(nil, logger), nil
	}
	f, err := guard.OpenAuditFile(path)
	if errors.Is(err, guard.ErrUnsafeAuditFile) {
		return nil, fmt.Errorf("IOCLOUD_AUDIT_LOG: refused: %w", err)
	}
	if err != nil {
		return nil, fmt.Errorf("IOCLOUD_AUDIT_LOG: cannot open %q for appending: %w", path, unwrapPathError(err))
	}
	app.AuditFile = f
	app.closers = append(app.closers, func() {
		if err := f.Close(); err != nil {
			logger.ErrorContext(ctx, "audit log did not close cleanly", "path", path, "err", err)
		}
	})
	logger.InfoContext(ctx, "audit records go to a file", "path", path)
	return guard.NewAudit(f, logger), nil
}

// logJWTStatus tells the operator at start whether keys can be created, so a
// missing or stale session token is found before someone asks for a key. It
// logs the expiry, never the token.
func logJWTStatus(ctx context.Context, logger *slog.Logger, st iocloud.JWTStatus, now time.Time) {
	switch {
	case !st.Present:
		logger.WarnContext(ctx, "IOCLOUD_JWT is not set: key creation is unavailable; reads work",
			"how_to", config.Hints().JWTHowTo())
	case st.ExpiresAt.IsZero():
		logger.WarnContext(ctx, "IOCLOUD_JWT has no readable expiry: io.net will decide whether it is valid when a key is created")
	case st.Expired:
		logger.WarnContext(ctx, "IOCLOUD_JWT has expired: key creation is unavailable until it is replaced",
			"expired_at", st.ExpiresAt, "how_to", config.Hints().JWTHowTo())
	case st.ExpiresSoon:
		logger.WarnContext(ctx, "IOCLOUD_JWT expires soon: replace it before then or key creation stops",
			"expires_at", st.ExpiresAt, "expires_in", st.ExpiresAt.Sub(now).Round(time.Minute), "how_to", config.Hints().JWTHowTo())
	default:
		logger.InfoContext(ctx, "key creation available", "jwt_expires_at", st.ExpiresAt)
	}
}

// unwrapPathError drops the *fs.PathError's "open <path>:" prefix, since the
// message already names the path.
func unwrapPathError(err error) error {
	if inner := errors.Unwrap(err); inner != nil {
		return inner
	}
	return err
}

// Close releases what Build opened (audit file, sandbox listener), newest
// first. It is safe to call more than once.
func (a *App) Close() {
	if a == nil {
		return
	}
	closers := a.closers
	a.closers = nil
	for _, closeFn := range slices.Backward(closers) {
		closeFn()
	}
}
