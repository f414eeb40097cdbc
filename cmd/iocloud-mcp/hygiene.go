package main

import (
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/iocloud-chatops/iocloud/config"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	"github.com/rs/cors"
)

// bodyReadTimeout is how long a request body may take to arrive once its
// headers have (readHeaderTimeout bounds those): together at most 30 s
// from connection to complete request.
const bodyReadTimeout = 20 * time.Second

// bodyDeadline cuts off a client that sends headers and then its body too
// slowly, or not at all. http.Server's ReadTimeout cannot do this: it also
// bounds the long-lived SSE streams of GET /mcp. Instead each request with a
// body gets a read deadline on its connection, lifted the moment the body has
// been read to its end, so a handler that streams its answer afterwards is
// not cut off. When a handler does not read the body (a 401, say), the
// deadline stays and net/http's attempt to discard it ends there too.
func bodyDeadline(next http.Handler, timeout time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength == 0 || r.Body == nil || r.Body == http.NoBody {
			next.ServeHTTP(w, r)
			return
		}
		rc := http.NewResponseController(w)
		if err := rc.SetReadDeadline(time.Now().Add(timeout)); err != nil {
			// Not a connection we can set deadlines on (tests with a
			// recorder): serve without one rather than fail.
			next.ServeHTTP(w, r)
			return
		}
		r.Body = &deadlineLifter{ReadCloser: r.Body, lift: func() { _ = rc.SetReadDeadline(time.Time{}) }}
		next.ServeHTTP(w, r)
	})
}

// deadlineLifter lifts the read deadline once the body has been read to
// its end.
type deadlineLifter struct {
	io.ReadCloser
	lift   func()
	lifted bool
}

func (d *deadlineLifter) Read(p []byte) (int, error) {
	n, err := d.ReadCloser.Read(p)
	if err == io.EOF && !d.lifted {
		d.lifted = true
		d.lift()
	}
	return n, err
}

// originCheck refuses, with 403, a request whose Origin header names a site
// other than this server or one the operator allowed: a page on another
// site must not drive the MCP endpoint through a browser, even one on the
// same machine. Requests without Origin (every non-browser client) pass.
func originCheck(next http.Handler, allowed map[string]bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if origin := r.Header.Get("Origin"); origin != "" && !allowed[config.NormalizeOrigin(origin)] {
			w.Header().Set("Connection", "close")
			http.Error(w, "forbidden: this server does not accept requests from pages on other sites "+
				"(the operator can allow an origin with IOCLOUD_MCP_ALLOWED_ORIGINS)", http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// allowedOrigins are the server's own origins and the operator's extra ones.
// The server's own: IOCLOUD_MCP_PUBLIC_URL's origin, and the listener's as a
// local browser would write it (on loopback, or every interface, that is
// 127.0.0.1, localhost and [::1] with the bound port).
func allowedOrigins(publicURL, addr string, bound net.Addr, extra []string) map[string]bool {
	out := map[string]bool{}
	if u, err := url.Parse(publicURL); err == nil && u.Host != "" {
		out[config.NormalizeOrigin(u.Scheme+"://"+u.Host)] = true
	}
	host, _, _ := net.SplitHostPort(addr)
	_, port, _ := net.SplitHostPort(bound.String())
	hosts := []string{host}
	if ip := net.ParseIP(host); host == "" || strings.EqualFold(host, "localhost") || (ip != nil && (ip.IsLoopback() || ip.IsUnspecified())) {
		hosts = []string{"127.0.0.1", "localhost", "::1"}
	}
	for _, h := range hosts {
		out[config.NormalizeOrigin("http://"+net.JoinHostPort(h, port))] = true
	}
	for _, o := range extra {
		out[config.NormalizeOrigin(o)] = true
	}
	return out
}

// withCORS lets pages on the operator's IOCLOUD_MCP_ALLOWED_ORIGINS (a
// browser-based MCP client) read the answers, the 401 and its
// WWW-Authenticate included, and answers their preflight requests. It sits
// outside authentication because a preflight carries no credentials. It
// refuses nothing itself; originCheck does that.
func withCORS(next http.Handler, origins []string) http.Handler {
	if len(origins) == 0 {
		return next
	}
	normalized := make([]string, 0, len(origins))
	for _, o := range origins {
		normalized = append(normalized, config.NormalizeOrigin(o))
	}
	return cors.New(cors.Options{
		AllowedOrigins: normalized,
		AllowedMethods: []string{http.MethodGet, http.MethodPost, http.MethodDelete},
		AllowedHeaders: []string{"Authorization", "Content-Type", "Accept", server.HeaderKeySessionID,
			mcp.HeaderProtocolVersion, "Last-Event-ID"},
		ExposedHeaders: []string{server.HeaderKeySessionID, "WWW-Authenticate"},
	}).Handler(next)
}
