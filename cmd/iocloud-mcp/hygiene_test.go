package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/iocloud-chatops/iocloud/config"
	"github.com/mark3labs/mcp-go/server"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func namedTokens(names ...string) []config.NamedToken {
	out := make([]config.NamedToken, 0, len(names))
	for _, n := range names {
		out = append(out, config.NamedToken{Name: n, SHA256: sha256.Sum256([]byte(n + "-token-0123456789"))})
	}
	return out
}

func tokenOf(name string) string { return name + "-token-0123456789" }

// Session ids are issued, tracked and bound to their caller: a never-issued
// id, a deleted one and someone else's are all 404, on POST, GET and DELETE.
func TestSessionsIssuedAndTracked(t *testing.T) {
	t.Parallel()
	p := startInProcess(t, httpSettings{tokens: namedTokens("alice", "bob")})
	alice, bob := bearerHeader(tokenOf("alice")), bearerHeader(tokenOf("bob"))

	sid := p.initialize(t, alice)
	status, who := p.whoami(t, sid, alice)
	require.Equal(t, http.StatusOK, status, who)
	assert.Equal(t, "token:alice|alice|", who)

	for name, id := range map[string]string{
		"never issued, mcp-go's own format": "mcp-session-" + uuid.NewString(),
		"never issued, our format":          "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
	} {
		status, _ := p.whoami(t, id, alice)
		assert.Equal(t, http.StatusNotFound, status, name)
		res, err := do(http.MethodGet, p.url, "", withSession(alice, id), "")
		require.NoError(t, err)
		assert.Equal(t, http.StatusNotFound, res.status, name+" (GET)")
		res, err = do(http.MethodDelete, p.url, "", withSession(alice, id), "")
		require.NoError(t, err)
		assert.Equal(t, http.StatusNotFound, res.status, name+" (DELETE)")
	}

	// Another caller holding alice's session id gets nothing from it.
	status, _ = p.whoami(t, sid, bob)
	assert.Equal(t, http.StatusNotFound, status, "bob with alice's session")
	res, err := do(http.MethodDelete, p.url, "", withSession(bob, sid), "")
	require.NoError(t, err)
	assert.Equal(t, http.StatusNotFound, res.status, "bob cannot end alice's session")
	status, _ = p.whoami(t, sid, alice)
	require.Equal(t, http.StatusOK, status, "and it is still alice's")

	res, err = do(http.MethodDelete, p.url, "", withSession(alice, sid), "")
	require.NoError(t, err)
	assert.Less(t, res.status, 300, "DELETE ends the session: %d %s", res.status, res.body)
	assert.GreaterOrEqual(t, res.status, 200)
	status, _ = p.whoami(t, sid, alice)
	assert.Equal(t, http.StatusNotFound, status, "a deleted session is gone")
	res, err = do(http.MethodGet, p.url, "", withSession(alice, sid), "")
	require.NoError(t, err)
	assert.Equal(t, http.StatusNotFound, res.status)
	res, err = do(http.MethodDelete, p.url, "", withSession(alice, sid), "")
	require.NoError(t, err)
	assert.Equal(t, http.StatusNotFound, res.status, "and cannot be deleted twice")

	res, err = do(http.MethodGet, p.url, "", withSession(alice, ""), "")
	require.NoError(t, err)
	assert.Equal(t, http.StatusBadRequest, res.status, "a stream needs a session")
}

func withSession(h http.Header, id string) http.Header {
	out := http.Header{"Accept": {"text/event-stream"}, "Mcp-Protocol-Version": {"2025-06-18"}}
	for k, v := range h {
		out[k] = v
	}
	if id != "" {
		out.Set(server.HeaderKeySessionID, id)
	}
	return out
}

// Over loopback without tokens the caller is the local user, and sessions
// still have to be issued.
func TestLocalCallerAndSessionsWithoutTokens(t *testing.T) {
	t.Parallel()
	p := startInProcess(t, httpSettings{})
	sid := p.initialize(t, nil)
	status, who := p.whoami(t, sid, nil)
	require.Equal(t, http.StatusOK, status, who)
	assert.Equal(t, "local||", who)
	status, _ = p.whoami(t, "mcp-session-"+uuid.NewString(), nil)
	assert.Equal(t, http.StatusNotFound, status)
}

// A request from a page on another site is refused, even to a loopback
// Host; the server's own origins and the allowed ones pass.
func TestOriginCheck(t *testing.T) {
	t.Parallel()
	p := startInProcess(t, httpSettings{allowedOrigins: []string{"https://app.example.com"}})
	_, port, err := net.SplitHostPort(strings.TrimPrefix(p.base, "http://"))
	require.NoError(t, err)

	for _, origin := range []string{"http://evil.example.com", "null", "http://127.0.0.1:1", "https://app.example.com.evil.net"} {
		for _, host := range []string{"", "localhost:" + port} {
			res := post(t, p.url, initialize, http.Header{"Origin": {origin}}, host)
			assert.Equal(t, http.StatusForbidden, res.status, "%s via %q", origin, host)
		}
	}
	for _, origin := range []string{"http://127.0.0.1:" + port, "http://localhost:" + port, "http://[::1]:" + port, "https://app.example.com"} {
		res := post(t, p.url, initialize, http.Header{"Origin": {origin}}, "")
		assert.Equal(t, http.StatusOK, res.status, origin)
	}
	res := post(t, p.url, initialize, nil, "")
	assert.Equal(t, http.StatusOK, res.status, "no Origin: not a browser")

	pub := startInProcess(t, httpSettings{publicURL: "https://mcp.example.com"})
	res = post(t, pub.url, initialize, http.Header{"Origin": {"https://mcp.example.com"}}, "")
	assert.Equal(t, http.StatusOK, res.status, "the public URL's origin is the server's own")
}

// Headers, a small Content-Length, then silence: the server cuts each such
// connection off once the body deadline passes, with or without a token,
// and a bounded number of them changes nothing for others.
func TestSlowBodiesAreCutOff(t *testing.T) {
	t.Parallel()
	const deadline = 300 * time.Millisecond
	for name, s := range map[string]httpSettings{
		"handler reads the body": {bodyTimeout: deadline},
		"refused before reading": {bodyTimeout: deadline, tokens: namedTokens("alice")},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p := startInProcess(t, s)
			addr := strings.TrimPrefix(p.base, "http://")
			const conns = 20
			var wg sync.WaitGroup
			took := make([]time.Duration, conns)
			errs := make([]error, conns)
			for i := range conns {
				wg.Go(func() { took[i], errs[i] = slowBody(addr, 10*time.Second) })
			}
			wg.Wait()
			for i := range conns {
				require.NoError(t, errs[i])
				assert.GreaterOrEqual(t, took[i], deadline-50*time.Millisecond, "not before the deadline")
				assert.Less(t, took[i], 5*time.Second, "cut off soon after the deadline")
			}
			// The server still serves others.
			res := post(t, p.url, initialize, bearerHeader(tokenOf("alice")), "")
			assert.Equal(t, http.StatusOK, res.status)
		})
	}
}

// slowBody sends a POST's headers and 1 of its 100 body bytes, then waits,
// and reports how long until the server closed the connection.
func slowBody(addr string, limit time.Duration) (time.Duration, error) {
	var d net.Dialer
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	start := time.Now()
	_, err = fmt.Fprintf(conn, "POST /mcp HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"+
		"Accept: application/json, text/event-stream\r\nContent-Length: 100\r\n\r\n{", addr)
	if err != nil {
		return 0, err
	}
	_ = conn.SetReadDeadline(time.Now().Add(limit))
	_, err = io.Copy(io.Discard, conn) // until the server closes
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return 0, fmt.Errorf("connection still open after %v", limit)
	}
	return time.Since(start), nil
}

// The body deadline is lifted once a body has arrived, so the long-lived
// notification stream (GET) and answers streamed after the body are not cut
// off by it.
func TestStreamsOutliveTheBodyDeadline(t *testing.T) {
	t.Parallel()
	const deadline = 200 * time.Millisecond
	p := startInProcess(t, httpSettings{bodyTimeout: deadline})
	sid := p.initialize(t, nil)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.url, nil)
	require.NoError(t, err)
	req.Header = withSession(nil, sid)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer func() { _ = res.Body.Close() }()
	require.Equal(t, http.StatusOK, res.StatusCode)

	// A POST in the same session (keep-alive connections, body read and
	// deadline lifted) and then a wait well past the deadline.
	status, _ := p.whoami(t, sid, nil)
	require.Equal(t, http.StatusOK, status)
	lines := make(chan error, 1)
	go func() {
		_, err := bufio.NewReader(res.Body).ReadString('\n')
		lines <- err
	}()
	select {
	case err := <-lines:
		t.Fatalf("the stream ended: %v", err)
	case <-time.After(5 * deadline):
	}
	status, _ = p.whoami(t, sid, nil)
	assert.Equal(t, http.StatusOK, status, "the session works on")
}

// A page on an allowed origin (a browser-based client) can read the
// answers, a 401's challenge included, and gets its preflight answered.
func TestCORSForAllowedOrigins(t *testing.T) {
	t.Parallel()
	p := startInProcess(t, httpSettings{allowedOrigins: []string{"https://App.example.com/"}, tokens: namedTokens("alice")})
	const origin = "https://app.example.com"

	pre, err := do(http.MethodOptions, p.url, "", http.Header{
		"Origin":                         {origin},
		"Access-Control-Request-Method":  {"POST"},
		"Access-Control-Request-Headers": {"authorization, content-type, mcp-protocol-version, mcp-session-id"},
	}, "")
	require.NoError(t, err)
	assert.Less(t, pre.status, 300, pre.body)
	assert.Equal(t, origin, pre.header.Get("Access-Control-Allow-Origin"))

	res := post(t, p.url, initialize, http.Header{"Origin": {origin}}, "")
	assert.Equal(t, http.StatusUnauthorized, res.status)
	assert.Equal(t, origin, res.header.Get("Access-Control-Allow-Origin"))
	assert.Contains(t, res.header.Get("Access-Control-Expose-Headers"), "Www-Authenticate")

	res = post(t, p.url, initialize, http.Header{"Origin": {origin}, "Authorization": {"Bearer " + tokenOf("alice")}}, "")
	assert.Equal(t, http.StatusOK, res.status)
	assert.Contains(t, res.header.Get("Access-Control-Expose-Headers"), "Mcp-Session-Id")

	res = post(t, p.url, initialize, http.Header{"Origin": {"https://other.example.com"}}, "")
	assert.Equal(t, http.StatusForbidden, res.status)
	assert.Empty(t, res.header.Get("Access-Control-Allow-Origin"))
}
