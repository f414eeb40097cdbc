// Package wire builds the shared core (client, guard, audit, sandbox) from
// configuration. Both binaries use it; it is the only place besides cmd/*
// mains that imports config.
package wire

// SKELETON: signatures are the agreed contract; bodies are being filled in.

import (
	"context"
	"errors"
	"log/slog"

	"github.com/iocloud-chatops/iocloud/config"
	"github.com/iocloud-chatops/iocloud/iocloud"
	"github.com/iocloud-chatops/iocloud/iocloud/sandbox"
)

// Options say how to build the core.
type Options struct {
	Sandbox   bool         // start the built-in simulator and point the client at it
	Logger    *slog.Logger // operator log (stderr)
	UserAgent string       // e.g. "iocloud-mcp/1.0.0"
}

// App is the wired core.
type App struct {
	Client  *iocloud.Client
	Guard   *iocloud.Guard
	Audit   *iocloud.Audit
	Sandbox *sandbox.Server // nil unless Options.Sandbox
	closers []func()
}

// Build validates nothing (config validation happens before) and wires the
// core: sandbox (if asked), client, tickets, audit log, guard.
func Build(ctx context.Context, cfg config.Core, opts Options) (*App, error) {
	return nil, errors.New("unimplemented")
}

// Close releases what Build opened (audit file, sandbox listener).
func (a *App) Close() {
	for i := len(a.closers) - 1; i >= 0; i-- {
		a.closers[i]()
	}
}
