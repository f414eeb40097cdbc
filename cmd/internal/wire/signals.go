package wire

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

// ReopenAuditOnHUP reopens the audit file on every SIGHUP until ctx ends,
// so logrotate can move the file away and signal the process.
func ReopenAuditOnHUP(ctx context.Context, app *App, logger *slog.Logger) {
	if app.AuditFile == nil {
		return
	}
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	go func() {
		defer signal.Stop(hup)
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				if err := app.ReopenAudit(); err != nil {
					logger.ErrorContext(ctx, "audit file not reopened; still writing to the old one", "path", app.AuditFile.Path(), "err", err)
					continue
				}
				logger.InfoContext(ctx, "audit file reopened", "path", app.AuditFile.Path())
			}
		}
	}()
}
