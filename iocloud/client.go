package iocloud

// SKELETON: signatures are the agreed contract; bodies are being filled in.

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"
)

// DefaultBaseURL is io.net's production API.
const DefaultBaseURL = "https://api.io.solutions"

var errUnimplemented = errors.New("unimplemented")

// Client talks to io.net's IO Cloud API. Build it with New; it is safe for
// concurrent use.
type Client struct {
	_ struct{}
}

// Option configures a Client; an invalid value makes New fail.
type Option func(*Client) error

func WithBaseURL(raw string) Option                                              { return nil } // plain http only for loopback
func WithAPIKey(key Secret) Option                                               { return nil } // x-api-key for reads
func WithJWT(token Secret) Option                                                { return nil } // header "token" for key creation
func WithHTTPClient(hc *http.Client) Option                                      { return nil }
func WithTimeout(d time.Duration) Option                                         { return nil } // per request; default 15s
func WithUserAgent(ua string) Option                                             { return nil }
func WithLogger(l *slog.Logger) Option                                           { return nil }
func WithCacheTTL(d time.Duration) Option                                        { return nil } // 0 = off; default 10s
func WithClock(now func() time.Time) Option                                      { return nil }
func WithSandbox(on bool) Option                                                 { return nil } // answers are sandbox data
func WithRetry(maxAttempts int, minWait, maxWait, maxTotal time.Duration) Option { return nil }

// New builds a Client. Defaults: DefaultBaseURL, 15s timeout, 10s cache.
func New(opts ...Option) (*Client, error) { return nil, errUnimplemented }

// Sandbox reports whether the client talks to the built-in simulator.
func (c *Client) Sandbox() bool { return false }

// Hardware lists GPU types (cached, retried).
func (c *Client) Hardware(ctx context.Context) (*HardwareList, error) { return nil, errUnimplemented }

// AvailableReplicas lists locations for one hardware type (cached, retried).
func (c *Client) AvailableReplicas(ctx context.Context, q ReplicaQuery) (*ReplicaList, error) {
	return nil, errUnimplemented
}

// CreateAPIKey creates a key. Exactly one request; never retried.
func (c *Client) CreateAPIKey(ctx context.Context, req KeyRequest) (*CreatedKey, error) {
	return nil, errUnimplemented
}

// FindHardware finds a type by numeric id or name (case-insensitive).
// Unknown or ambiguous: *HardwareLookupError.
func (c *Client) FindHardware(ctx context.Context, query string) (Hardware, error) {
	return Hardware{}, errUnimplemented
}

// FindReplicas answers a ReplicaSearch: one type, or every type with free
// GPUs (bounded concurrency, through the cache); filtered by country;
// locations sorted by available replicas, descending.
func (c *Client) FindReplicas(ctx context.Context, s ReplicaSearch) (*ReplicaReport, error) {
	return nil, errUnimplemented
}

// JWTStatus reports on the configured session token without calling io.net.
func (c *Client) JWTStatus() JWTStatus { return JWTStatus{} }
