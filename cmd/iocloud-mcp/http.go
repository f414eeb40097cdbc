package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/iocloud-chatops/iocloud/cmd/internal/serve"
	"github.com/iocloud-chatops/iocloud/config"
	"github.com/iocloud-chatops/iocloud/iocloud"
	"github.com/iocloud-chatops/iocloud/tools"
	"github.com/mark3labs/mcp-go/server"
)

const (
	mcpPath    = "/mcp"
	healthPath = "/healthz"
	// maxBody bounds a request body; mcp-go reads it whole.
	maxBody = 4 << 20
)

type httpSettings struct {
	addr    string
	token   iocloud.Secret
	sandbox bool
	// Identity and origin (see auth.go, oauth.go, hygiene.go).
	tokens         []config.NamedToken
	publicURL      string // IOCLOUD_MCP_PUBLIC_URL; "" derives it from the listener
	oauthIssuer    string
	oauthAudience  string // "" means the public /mcp URL
	allowedOrigins []string
	// oauthTimeout bounds OpenID discovery and key fetches (IOCLOUD_TIMEOUT).
	oauthTimeout time.Duration
	// bodyTimeout is how long a request body may take; 0 means
	// bodyReadTimeout (tests shorten it).
	bodyTimeout time.Duration
	// approvals is the approval page, served without the bearer token (a
	// browser has none; the page's id is the capability); base learns the
	// server's URL once the listener is bound.
	approvals *tools.ApprovalPage
	base      *approvalBase
	// drain waits for key actions in flight after the listener stopped;
	// grace bounds the whole shutdown (longer than an action's deadline).
	drain func(context.Context) error
	grace time.Duration
}

// serveHTTP listens on s.addr and serves there until ctx ends.
func serveHTTP(ctx context.Context, srv *server.MCPServer, s httpSettings, logger *slog.Logger, stderr io.Writer) error {
	ln, err := serve.Listen(ctx, "IOCLOUD_MCP_ADDR", "--addr", s.addr)
	if err != nil {
		return err
	}
	return serveListener(ctx, ln, srv, s, logger, stderr)
}

// serveListener serves streamable HTTP on /mcp (behind authentication when
// any is configured), the OAuth metadata and /healthz on ln, until ctx ends;
// then it stops accepting, lets requests in flight finish and key actions
// drain within s.grace (serve.Serve), and returns. It owns ln.
func serveListener(ctx context.Context, ln net.Listener, srv *server.MCPServer, s httpSettings, logger *slog.Logger, stderr io.Writer) error {
	local := endpointURL(s.addr, ln.Addr())
	base := strings.TrimSuffix(local, mcpPath)
	if s.publicURL != "" {
		base = strings.TrimSuffix(s.publicURL, "/")
	}
	resource := base + mcpPath

	var oauth *oauthVerifier
	metadataURL := ""
	if s.oauthIssuer != "" {
		audience := s.oauthAudience
		if audience == "" {
			audience = resource
		}
		var err error
		oauth, err = newOAuthVerifier(ctx, s.oauthIssuer, audience, s.oauthTimeout, logger)
		if err != nil {
			_ = ln.Close()
			return err
		}
		metadataURL = base + server.WellKnownProtectedResourcePath + mcpPath
	}
	auth := newAuthenticator(s.token, s.tokens, oauth, metadataURL)
	bodyTimeout := s.bodyTimeout
	if bodyTimeout <= 0 {
		bodyTimeout = bodyReadTimeout
	}

	hs := serve.NewServer(nil, logger)
	hs.BaseContext = func(net.Listener) context.Context { return context.WithoutCancel(ctx) }
	sess := newSessions()
	opts := []server.StreamableHTTPOption{
		// Handing mcp-go the http.Server lets its Shutdown end open SSE
		// streams before it stops the server, so a connected client cannot
		// hold shutdown up. Its DNS-rebinding protection is on by default;
		// nothing here turns it off.
		server.WithStreamableHTTPServer(hs),
		server.WithStreamableHTTPLogger(logger),
		server.WithSessionIdManagerResolver(sess),
		server.WithSessionIdleTTL(sessionIdleTTL),
		server.WithHTTPContextFunc(callerForTools),
	}
	streamable := server.NewStreamableHTTPServer(srv, opts...)

	mux := http.NewServeMux()
	allowed := allowedOrigins(s.publicURL, s.addr, ln.Addr(), s.allowedOrigins)
	mux.Handle(mcpPath, originCheck(withCORS(auth.middleware(acceptBareNotifications(sess.gate(http.MaxBytesHandler(streamable, maxBody)))), s.allowedOrigins), allowed))
	if oauth != nil {
		meta := server.NewProtectedResourceMetadataHandler(oauth.protectedResource(resource))
		mux.Handle(server.WellKnownProtectedResourcePath, meta)
		mux.Handle(server.WellKnownProtectedResourcePath+mcpPath, meta)
	}
	mux.HandleFunc("GET "+healthPath, healthz)
	if s.approvals != nil {
		// POSTs must come from exactly this origin; deriving it from the
		// request's Host would let a DNS-rebinding page pass as ours.
		if s.approvals.Origin == "" {
			s.approvals.Origin = base
		}
		mux.Handle(tools.ApprovalPath, s.approvals)
	}
	if s.base != nil {
		s.base.set(base)
	}
	hs.Handler = bodyDeadline(mux, bodyTimeout)

	attrs := []any{"url", local, "sandbox", s.sandbox, "bearer_token", s.token.IsSet(),
		"named_tokens", len(s.tokens), "oauth_issuer", s.oauthIssuer}
	if s.publicURL != "" {
		attrs = append(attrs, "public_url", resource)
	}
	logger.InfoContext(ctx, "serving MCP over streamable HTTP", attrs...)
	if s.sandbox {
		announce(stderr, local, s.token.IsSet())
	}

	return serve.Serve(ctx, ln, hs, serve.Options{
		Logger: logger,
		Grace:  s.grace,
		// mcp-go ends open SSE streams, then calls hs.Shutdown, so a
		// connected client cannot hold shutdown up.
		Shutdown: streamable.Shutdown,
		Drain:    s.drain,
	})
}

// callerForTools is mcp-go's HTTP context hook: it hands the caller the
// authenticator established to package tools, which binds tickets and audit
// records to it.
func callerForTools(ctx context.Context, r *http.Request) context.Context {
	if c, ok := requestCaller(r); ok {
		return tools.WithCaller(ctx, c)
	}
	return ctx
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
