package main

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/iocloud-chatops/iocloud/cmd/internal/cli"
	"github.com/iocloud-chatops/iocloud/tools"
)

// approvalBase is the server's URL as a browser reaches it, known once the
// listener is bound (port 0 picks one late).
type approvalBase struct {
	mu  sync.Mutex
	url string
}

func (b *approvalBase) set(url string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.url = url
}

func (b *approvalBase) get() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.url
}

// serveApprovalPage starts the approval page on its own loopback listener
// (IOCLOUD_MCP_APPROVAL_ADDR) for stdio, where there is no HTTP server to
// share. The returned stop shuts it down.
func serveApprovalPage(ctx context.Context, addr string, page *tools.ApprovalPage, base *approvalBase, logger *slog.Logger) (func(), error) {
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, cli.ListenError("IOCLOUD_MCP_APPROVAL_ADDR", "", addr, err)
	}
	url := "http://" + ln.Addr().String()
	base.set(url)
	page.Origin = url
	mux := http.NewServeMux()
	mux.Handle(tools.ApprovalPath, page)
	hs := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       idleTimeout,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	go func() {
		if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.ErrorContext(ctx, "approval page stopped", "err", err)
		}
	}()
	logger.InfoContext(ctx, "approval page for key requests", "url", url+tools.ApprovalPath+"…")
	return func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = hs.Shutdown(sctx)
	}, nil
}
