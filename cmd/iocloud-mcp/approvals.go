package main

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/iocloud-chatops/iocloud/cmd/internal/serve"
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
// share. The returned stop shuts it down (requests in flight get a few
// seconds; key actions are drained by run, not here).
func serveApprovalPage(ctx context.Context, addr string, page *tools.ApprovalPage, base *approvalBase, logger *slog.Logger) (func(), error) {
	ln, err := serve.Listen(ctx, "IOCLOUD_MCP_APPROVAL_ADDR", "", addr)
	if err != nil {
		return nil, err
	}
	url := "http://" + ln.Addr().String()
	base.set(url)
	page.Origin = url
	mux := http.NewServeMux()
	mux.Handle(tools.ApprovalPath, page)
	hs := serve.NewServer(mux, logger)
	hs.ReadTimeout = 30 * time.Second // a form post is small
	logger.InfoContext(ctx, "approval page for key requests", "url", url+tools.ApprovalPath+"…")
	return serve.Start(ctx, ln, hs, serve.Options{Logger: logger, Grace: 5 * time.Second}), nil
}
