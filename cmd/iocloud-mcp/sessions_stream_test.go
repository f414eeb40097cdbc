package main

import (
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/server"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Deleting a session ends its open notification stream: mcp-go alone kept
// the GET open (and its connection held) after the session was gone.
func TestDeleteEndsTheSessionsStream(t *testing.T) {
	t.Parallel()
	p := startInProcess(t, httpSettings{})
	id := p.initialize(t, nil)
	h := http.Header{
		"Accept":                  {"text/event-stream"},
		"Mcp-Protocol-Version":    {"2025-06-18"},
		server.HeaderKeySessionID: {id},
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, p.url, nil)
	require.NoError(t, err)
	req.Header = h
	stream, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer func() { _ = stream.Body.Close() }()
	require.Equal(t, http.StatusOK, stream.StatusCode)
	ended := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.Discard, stream.Body)
		close(ended)
	}()

	res, err := do(http.MethodDelete, p.url, "", h, "")
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, res.status)

	select {
	case <-ended:
	case <-time.After(10 * time.Second):
		t.Fatal("the stream of a deleted session stayed open")
	}
	res, err = do(http.MethodGet, p.url, "", h, "")
	require.NoError(t, err)
	assert.Equal(t, http.StatusNotFound, res.status, "and the id is gone")
}

// A session whose client only listens on its stream is not idle: it is not
// forgotten (nor its stream cut) when the idle time passes.
func TestListeningSessionIsNotIdle(t *testing.T) {
	t.Parallel()
	now := time.Now()
	s := newSessions()
	s.now = func() time.Time { return now }
	m := s.ResolveSessionIdManager(nil)
	listening, quiet := m.Generate(), m.Generate()
	ctx, release := s.stream(t.Context(), listening)
	defer release()

	now = now.Add(sessionIdleTTL + time.Minute)
	s.issue("another", "someone") // issuing sweeps idle sessions
	_, err := m.Validate(listening)
	require.NoError(t, err)
	require.NoError(t, ctx.Err(), "its stream is still open")
	_, err = m.Validate(quiet)
	require.ErrorIs(t, err, errUnknownSession, "a session nobody uses still idles out")
}
