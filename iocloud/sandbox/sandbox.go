// Package sandbox is an in-memory simulator of io.net's IO Cloud API. It
// speaks io.net's real paths, headers, shapes and errors on a loopback port,
// so the iocloud client only swaps its base URL. It is the embedded default
// of both servers (--sandbox) and the upstream of the tests.
//
// It deliberately does not import package iocloud: it simulates the wire,
// not our types.
package sandbox

// SKELETON: signatures are the agreed contract; bodies are being filled in.

import (
	"net/http"
	"time"
)

// Route names one simulated io.net route for faults and counters.
type Route string

const (
	RouteHardware  Route = "hardware"   // GET /enterprise/v1/io-cloud/caas/hardware/max-gpus-per-container
	RouteReplicas  Route = "replicas"   // GET /enterprise/v1/io-cloud/caas/available-replicas
	RouteCreateKey Route = "create-key" // POST /v1/api-keys/
)

// Fault makes a route misbehave. Times > 0 limits it to that many requests.
type Fault struct {
	Status      int           // answer this status (with Body) instead of the real answer
	Body        string        // body for Status; empty means {"detail":"<status text>"}
	ContentType string        // default application/json
	RetryAfter  string        // Retry-After header value
	Latency     time.Duration // delay before answering (honours request cancellation)
	Malformed   bool          // answer 200 with a truncated JSON body
	Drop        bool          // hijack and close the connection without answering
	Times       int
}

// Server is a running (or ready-to-mount) simulator.
type Server struct{ _ struct{} }

// Option configures a Server.
type Option func(*Server)

// WithClock injects time (key expiry, JWT exp).
func WithClock(now func() time.Time) Option { return nil }

// New builds a simulator that is not listening; mount Handler yourself.
func New(opts ...Option) *Server { return &Server{} }

// Start builds a simulator listening on 127.0.0.1 (a free port).
func Start(opts ...Option) (*Server, error) { return &Server{}, nil }

func (s *Server) Handler() http.Handler { return http.NotFoundHandler() }
func (s *Server) URL() string           { return "" } // base URL, e.g. http://127.0.0.1:41234
func (s *Server) Close()                {}

// APIKey is a valid io-cloud API key; JWT a valid session token (exp 21 days
// ahead of the server's clock at New).
func (s *Server) APIKey() string { return "" }
func (s *Server) JWT() string    { return "" }

func (s *Server) SetFault(r Route, f Fault) {}
func (s *Server) ClearFaults()              {}

// Requests counts requests that reached a route (faulted ones included).
func (s *Server) Requests(r Route) int { return 0 }

// CreatedKey is a key the sandbox created, secret included (for tests).
type CreatedKey struct {
	KeyID       string
	Value       string
	Description string
	Project     string
	Scopes      []string
	ExpiresAt   time.Time
}

// CreatedKeys lists every key created so far, oldest first.
func (s *Server) CreatedKeys() []CreatedKey { return nil }
