package main

import (
	"context"
	"crypto/rand"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

const (
	// sessionIdleTTL forgets a session nobody used for this long; its
	// client gets 404 and, as the protocol says, starts a new one.
	sessionIdleTTL = 12 * time.Hour
	// maxSessionsPerCaller bounds what one caller can make the server
	// remember; past it, that caller's least recently used session goes.
	maxSessionsPerCaller = 100
)

var errUnknownSession = errors.New("unknown session")

// sessions are the Mcp-Session-Id values this process issued (handshake-era
// protocol versions; 2026-07-28 has no sessions), each bound to the caller it
// was issued to. mcp-go's default accepts any well-formed id, and its
// stateful manager any id it ever issued to anyone; here an id is valid only
// for its owner, until it is deleted or idles out. Session ids are not
// identities (the caller is, see auth.go); binding them to the caller means a
// leaked id is worth nothing to anyone else.
type sessions struct {
	mu   sync.Mutex
	byID map[string]*sessionEntry
	now  func() time.Time
}

type sessionEntry struct {
	owner    string
	lastSeen time.Time
	// streams ends the session's open GET streams: mcp-go keeps a
	// notification stream open after its session was deleted, holding the
	// connection until the client goes away.
	streams map[*int]context.CancelFunc
}

// dropLocked forgets id and ends its open streams. The caller holds s.mu.
func (s *sessions) dropLocked(id string) {
	if e, ok := s.byID[id]; ok {
		for _, end := range e.streams {
			end()
		}
		delete(s.byID, id)
	}
}

// stream binds a GET stream of session id to the session: the returned
// context ends when the session is deleted, evicted or idles out; release
// unbinds it when the stream ends on its own.
func (s *sessions) stream(ctx context.Context, id string) (context.Context, func()) {
	ctx, cancel := context.WithCancel(ctx)
	key := new(int)
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.byID[id]
	if !ok {
		cancel()
		return ctx, func() {}
	}
	if e.streams == nil {
		e.streams = map[*int]context.CancelFunc{}
	}
	e.streams[key] = cancel
	return ctx, func() {
		s.mu.Lock()
		if e, ok := s.byID[id]; ok {
			delete(e.streams, key)
		}
		s.mu.Unlock()
		cancel()
	}
}

func newSessions() *sessions {
	return &sessions{byID: map[string]*sessionEntry{}, now: time.Now}
}

// ResolveSessionIdManager is mcp-go's hook: the manager it gets acts for the
// request's caller. A nil request (mcp-go's idle sweeper, shutdown) acts for
// nobody in particular.
func (s *sessions) ResolveSessionIdManager(r *http.Request) server.SessionIdManager { //nolint:revive // the name mcp-go's interface requires
	owner, anyOwner := "", true
	if r != nil {
		if c, ok := requestCaller(r); ok {
			owner, anyOwner = c.ID, false
		}
	}
	return &sessionsFor{s: s, owner: owner, anyOwner: anyOwner}
}

// sessionsFor is the session manager for one caller.
type sessionsFor struct {
	s        *sessions
	owner    string
	anyOwner bool
}

// Generate issues a new id (128 random bits) owned by the caller.
func (m *sessionsFor) Generate() string {
	id := rand.Text()
	m.s.issue(id, m.owner)
	return id
}

// Validate: an id this process issued to this caller, not deleted, not idle
// too long. Anything else is "not found" (404), whoever's it is.
func (m *sessionsFor) Validate(id string) (isTerminated bool, err error) {
	if !m.s.touch(id, m.owner, m.anyOwner) {
		return false, errUnknownSession
	}
	return false, nil
}

// Terminate forgets the id. The HTTP layer has already answered 404 to a
// DELETE of an id that is not the caller's (see sessionGate).
func (m *sessionsFor) Terminate(id string) (isNotAllowed bool, err error) {
	m.s.forget(id, m.owner, m.anyOwner)
	return false, nil
}

func (s *sessions) issue(id, owner string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.expireLocked(now)
	var oldest string
	count := 0
	for sid, e := range s.byID {
		if e.owner != owner {
			continue
		}
		count++
		if oldest == "" || e.lastSeen.Before(s.byID[oldest].lastSeen) {
			oldest = sid
		}
	}
	if count >= maxSessionsPerCaller {
		s.dropLocked(oldest)
	}
	s.byID[id] = &sessionEntry{owner: owner, lastSeen: now}
}

// touch reports whether id is live and the owner's (anyOwner: whoever's), and
// marks it used.
func (s *sessions) touch(id, owner string, anyOwner bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.byID[id]
	now := s.now()
	if !ok || (!anyOwner && e.owner != owner) {
		return false
	}
	if now.Sub(e.lastSeen) > sessionIdleTTL && len(e.streams) == 0 {
		s.dropLocked(id)
		return false
	}
	e.lastSeen = now
	return true
}

func (s *sessions) forget(id, owner string, anyOwner bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.byID[id]; ok && (anyOwner || e.owner == owner) {
		s.dropLocked(id)
	}
}

// expireLocked drops idle sessions; it runs when a session is issued, so
// the map never holds more than the live ones plus one issue's worth.
func (s *sessions) expireLocked(now time.Time) {
	for id, e := range s.byID {
		if now.Sub(e.lastSeen) > sessionIdleTTL && len(e.streams) == 0 { // a client listening is not idle
			s.dropLocked(id)
		}
	}
}

// sessionGate checks the session of GET (the notification stream) and DELETE
// before mcp-go sees them: mcp-go opens a stream for any id a GET names, and
// answers every DELETE with 200, known id or not. POSTs are checked by mcp-go
// itself through Validate. Requests of protocol 2026-07-28, which has no
// sessions, go through untouched (mcp-go refuses GET and DELETE there).
func (s *sessions) gate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if (r.Method != http.MethodGet && r.Method != http.MethodDelete) ||
			mcp.IsModernProtocol(r.Header.Get(mcp.HeaderProtocolVersion)) {
			next.ServeHTTP(w, r)
			return
		}
		id := r.Header.Get(server.HeaderKeySessionID)
		if id == "" {
			http.Error(w, "bad request: send the Mcp-Session-Id header the server gave you at initialize", http.StatusBadRequest)
			return
		}
		m := s.ResolveSessionIdManager(r)
		if _, err := m.Validate(id); err != nil {
			http.Error(w, "session not found: it was never issued to you, was deleted, idled out or belongs to an earlier "+
				"run of the server; initialize a new session", http.StatusNotFound)
			return
		}
		if r.Method == http.MethodGet {
			ctx, release := s.stream(r.Context(), id)
			defer release()
			r = r.WithContext(ctx)
		}
		next.ServeHTTP(w, r)
	})
}
