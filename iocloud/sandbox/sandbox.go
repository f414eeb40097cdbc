// Package sandbox is an in-memory simulator of io.net's IO Cloud API. It
// speaks io.net's real paths, headers, shapes and errors on a loopback port,
// so the iocloud client only swaps its base URL. It is the embedded default
// of both servers (--sandbox) and the upstream of the tests.
//
// It deliberately does not import package iocloud: it simulates the wire,
// not our types.
//
// Where io.net's behaviour is undocumented the sandbox picks one answer and
// says so next to the code (see data.go, auth.go, keys.go and faults.go).
package sandbox

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"
)

// Route names one simulated io.net route for faults and counters.
type Route string

const (
	RouteHardware  Route = "hardware"   // GET /enterprise/v1/io-cloud/caas/hardware/max-gpus-per-container
	RouteReplicas  Route = "replicas"   // GET /enterprise/v1/io-cloud/caas/available-replicas
	RouteCreateKey Route = "create-key" // POST /v1/api-keys/
	RouteListKeys  Route = "list-keys"  // GET /v1/api-keys/
	RouteRevokeKey Route = "revoke-key" // DELETE /v1/api-keys/{key_id}
	RoutePrice     Route = "price"      // GET /enterprise/v1/io-cloud/caas/price
)

// Paths of the simulated routes, exactly as io.net spells them.
const (
	PathHardware  = "/enterprise/v1/io-cloud/caas/hardware/max-gpus-per-container"
	PathReplicas  = "/enterprise/v1/io-cloud/caas/available-replicas"
	PathCreateKey = "/v1/api-keys/"
	PathListKeys  = "/v1/api-keys/" // GET; DELETE PathListKeys + key_id revokes one
	PathPrice     = "/enterprise/v1/io-cloud/caas/price"
)

// KeyPath is the path of one key (DELETE revokes it).
func KeyPath(keyID string) string { return PathListKeys + keyID }

// Fault makes a route misbehave. Times > 0 limits it to that many requests.
//
// Order of effects: Latency first (cut short when the request is cancelled
// or the server closes), then Drop, else Malformed, else Status. A fault
// with only Latency (and/or RetryAfter) delays the real answer. Those faults
// apply before any credential or input check, and such a faulted request
// never has a side effect: Drop is "the connection was lost before io.net
// acted" (no key is created).
//
// DropAfterEffect and DelayAfterEffect are the other half of an ambiguous
// outcome: the route really does its work (checks, then creates or revokes
// the key) and only then is the answer lost (the connection closes without
// one) or held back for DelayAfterEffect (longer than the client waits). A
// held-back answer whose request is cancelled, or whose server closes, is
// dropped; the effect stays either way. They are used only when none of the
// faults above answered first.
type Fault struct {
	Status      int           // answer this status (with Body) instead of the real answer
	Body        string        // body for Status; empty means {"detail":"<status text>"}
	ContentType string        // default application/json
	RetryAfter  string        // Retry-After header value
	Latency     time.Duration // delay before answering (honours request cancellation)
	Malformed   bool          // answer the route's success status (200; 201 for create-key) with a truncated JSON body
	Drop        bool          // hijack and close the connection without answering, before acting

	DropAfterEffect  bool          // act, then close the connection without answering
	DelayAfterEffect time.Duration // act, then hold the answer this long

	Times int
}

// Server is a running (or ready-to-mount) simulator.
type Server struct {
	now       func() time.Time
	apiKey    string
	extraKeys map[string]bool // WithAPIKeys
	jwt       string
	jwtExp    time.Time
	handler   http.Handler

	mu     sync.Mutex
	faults map[Route]*Fault // remaining Times are counted down in place
	counts map[Route]int
	keys   []storedKey
	public []nodeGroup // the public capacity; SetFreeGPUs replaces it (copy on write)

	done      chan struct{} // closed by Close: cuts injected latency short
	closeOnce sync.Once
	httpSrv   *http.Server // nil unless Start
	url       string
}

// Option configures a Server.
type Option func(*Server)

// WithClock injects time (key expiry, JWT exp).
func WithClock(now func() time.Time) Option {
	return func(s *Server) {
		if now != nil {
			s.now = now
		}
	}
}

// WithAPIKeys makes further x-api-key values valid for the read routes
// (besides APIKey and the io-cloud keys created through the sandbox).
func WithAPIKeys(keys ...string) Option {
	return func(s *Server) {
		for _, k := range keys {
			if k != "" {
				s.extraKeys[k] = true
			}
		}
	}
}

// New builds a simulator that is not listening; mount Handler yourself.
func New(opts ...Option) *Server {
	s := &Server{
		now:       time.Now,
		apiKey:    sandboxAPIKey,
		extraKeys: map[string]bool{},
		faults:    map[Route]*Fault{},
		counts:    map[Route]int{},
		public:    publicDevices,
		done:      make(chan struct{}),
	}
	for _, opt := range opts {
		if opt != nil {
			opt(s)
		}
	}
	s.jwt, s.jwtExp = mintJWT(s.now())
	s.handler = http.HandlerFunc(s.route)
	return s
}

// Start builds a simulator listening on 127.0.0.1 (a free port).
func Start(opts ...Option) (*Server, error) {
	s := New(opts...)
	ln, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("sandbox: listen on loopback: %w", err)
	}
	s.httpSrv = &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
	}
	s.url = "http://" + ln.Addr().String()
	go func() {
		// ErrServerClosed after Close is the normal end; anything else
		// leaves the listener dead and callers see connection errors.
		if err := s.httpSrv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			_ = ln.Close()
		}
	}()
	return s, nil
}

// Handler serves the simulated API (mount it anywhere; paths are absolute).
func (s *Server) Handler() http.Handler { return s.handler }

// URL is the base URL, e.g. http://127.0.0.1:41234 (empty unless Start).
func (s *Server) URL() string { return s.url }

// Close stops listening, closes every connection and cuts any injected
// latency short. It is safe to call more than once and on a Server built by
// New.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.done)
		if s.httpSrv != nil {
			// Close, not Shutdown: a simulator has no answer worth waiting
			// for, and Shutdown waits seconds for connections a client
			// dialled but never used.
			_ = s.httpSrv.Close()
		}
	})
}

// APIKey is a valid io-cloud API key for the read routes (header x-api-key).
func (s *Server) APIKey() string { return s.apiKey }

// JWT is a valid session token for key creation (header token); its exp
// claim is 21 days ahead of the server's clock at New.
func (s *Server) JWT() string { return s.jwt }

// JWTExpiresAt is the exp claim of JWT.
func (s *Server) JWTExpiresAt() time.Time { return s.jwtExp }

// NodePoolID is the id of the sandbox's one private node pool.
func (s *Server) NodePoolID() string { return NodePoolID }
