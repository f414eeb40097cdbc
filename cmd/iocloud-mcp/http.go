package main

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/iocloud-chatops/iocloud/cmd/internal/cli"
	"github.com/iocloud-chatops/iocloud/iocloud"
	"github.com/mark3labs/mcp-go/server"
)

const (
	mcpPath    = "/mcp"
	healthPath = "/healthz"
	// maxBody bounds a request body; mcp-go reads it whole.
	maxBody           = 4 << 20
	readHeaderTimeout = 10 * time.Second
	idleTimeout       = 2 * time.Minute
	shutdownTimeout   = 5 * time.Second
)

type httpSettings struct {
	addr    string
	token   iocloud.Secret
	sandbox bool
}

// serveHTTP serves streamable HTTP on /mcp (behind the bearer token when one
// is set) and /healthz, until ctx ends; then it stops accepting, lets
// requests in flight finish for a few seconds, and returns.
func serveHTTP(ctx context.Context, srv *server.MCPServer, s httpSettings, logger *slog.Logger, stderr io.Writer) error {
	hs := &http.Server{
		ReadHeaderTimeout: readHeaderTimeout,
		IdleTimeout:       idleTimeout,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	// Handing mcp-go the http.Server lets its Shutdown end open SSE streams
	// before it stops the server, so a connected client cannot hold shutdown
	// up. Its DNS-rebinding protection is on by default; nothing here turns
	// it off.
	streamable := server.NewStreamableHTTPServer(srv,
		server.WithStreamableHTTPServer(hs),
		server.WithStreamableHTTPLogger(logger))
	mux := http.NewServeMux()
	mux.Handle(mcpPath, requireBearer(s.token, http.MaxBytesHandler(streamable, maxBody)))
	mux.HandleFunc("GET "+healthPath, healthz)
	hs.Handler = mux

	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", s.addr)
	if err != nil {
		return cli.ListenError("IOCLOUD_MCP_ADDR", "--addr", s.addr, err)
	}
	url := endpointURL(s.addr, ln.Addr())
	logger.InfoContext(ctx, "serving MCP over streamable HTTP", "url", url, "sandbox", s.sandbox, "bearer_token", s.token.IsSet())
	if s.sandbox {
		announce(stderr, url, s.token.IsSet())
	}

	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	logger.InfoContext(ctx, "shutting down")
	stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	err = streamable.Shutdown(stopCtx) // closes SSE streams, then hs.Shutdown
	if serveErr := <-served; !errors.Is(serveErr, http.ErrServerClosed) && err == nil {
		err = serveErr
	}
	return err
}

// requireBearer lets a request through only with "Authorization: Bearer
// <token>". Both sides are hashed first so the comparison takes the same time
// whatever the length or content of what was sent.
func requireBearer(token iocloud.Secret, next http.Handler) http.Handler {
	if !token.IsSet() {
		return next
	}
	want := sha256.Sum256([]byte(token.Reveal()))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := sha256.Sum256([]byte(bearer(r.Header.Get("Authorization"))))
		if subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="iocloud-mcp"`)
			http.Error(w, "unauthorized: send Authorization: Bearer <IOCLOUD_MCP_AUTH_TOKEN>", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// bearer extracts the credentials of a Bearer authorization header (the
// scheme is case-insensitive); "" when there are none.
func bearer(header string) string {
	scheme, cred, ok := strings.Cut(strings.TrimSpace(header), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(cred)
}

// healthz says the process is up, and nothing else: no version, no upstream
// state, nothing a caller without the token should learn.
func healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = io.WriteString(w, `{"status":"ok"}`+"\n")
}

// endpointURL is the address a local client should use: the configured host
// (or 127.0.0.1 when listening on every interface) and the bound port, which
// differs from the configured one when that was 0.
func endpointURL(addr string, bound net.Addr) string {
	host, _, _ := net.SplitHostPort(addr)
	_, port, _ := net.SplitHostPort(bound.String())
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + mcpPath
}

// clientEntry is one server in a client's MCP configuration (the shape
// Claude Code, Cursor and VS Code share for HTTP servers).
type clientEntry struct {
	Type    string            `json:"type"`
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers,omitempty"`
}

// announce prints, for `make run`, where the server is and a client
// configuration to paste. The token itself is never printed: the
// configuration refers to the environment variable instead.
func announce(w io.Writer, url string, withToken bool) {
	entry := clientEntry{Type: "http", URL: url}
	inspectorHeader := ""
	if withToken {
		entry.Headers = map[string]string{"Authorization": "Bearer ${IOCLOUD_MCP_AUTH_TOKEN}"}
		inspectorHeader = ` --header "Authorization: Bearer $IOCLOUD_MCP_AUTH_TOKEN"`
	}
	cfg, _ := json.MarshalIndent(map[string]any{"mcpServers": map[string]any{"iocloud": entry}}, "", "  ")
	single, _ := json.Marshal(entry)
	_, _ = fmt.Fprintf(w, "\niocloud-mcp is serving sandbox data (not real io.net) at %s\n\n"+
		"Client configuration (Cursor and most clients: merge into \"mcpServers\"; VS Code: into \"servers\"):\n%s\n\n"+
		"Claude Code:  claude mcp add-json iocloud '%s'\n"+
		"Inspector:    npx @modelcontextprotocol/inspector --cli %s%s --method tools/list\n"+
		"Health:       curl %s\n\n",
		url, cfg, single, url, inspectorHeader, strings.TrimSuffix(url, mcpPath)+healthPath)
}
