package iocloud

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"runtime/debug"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// DefaultBaseURL is io.net's production API.
const DefaultBaseURL = "https://api.io.solutions"

// Defaults of New.
const (
	DefaultTimeout      = 15 * time.Second // per attempt
	DefaultCacheTTL     = 10 * time.Second
	DefaultMaxAttempts  = 4 // reads only; key creation is tried once
	DefaultRetryWait    = 500 * time.Millisecond
	DefaultRetryWaitCap = 8 * time.Second  // cap of one backoff wait (Retry-After may ask for more)
	DefaultRetryTotal   = 30 * time.Second // cap of one read, retries and waits included
)

// Client talks to io.net's IO Cloud API. Build it with New; it is safe for
// concurrent use.
type Client struct {
	base      *url.URL
	apiKey    Secret
	jwt       Secret
	userAgent string
	timeout   time.Duration
	log       *slog.Logger
	now       func() time.Time
	sandbox   bool
	cacheTTL  time.Duration
	retry     retrySettings
	given     *http.Client // WithHTTPClient's client, copied and wrapped by New
	// maxConcurrent caps the requests in flight to io.net (WithMaxConcurrent).
	maxConcurrent int

	rc    *retryablehttp.Client
	cache *readCache
}

// Option configures a Client; an invalid value makes New fail.
type Option func(*Client) error

// WithBaseURL sets io.net's API base. It must be https, or plain http to a
// loopback host (127.0.0.0/8, ::1, localhost), which is how the sandbox and
// the tests run.
func WithBaseURL(raw string) Option {
	return func(c *Client) error {
		u, err := parseBaseURL(raw)
		if err != nil {
			return err
		}
		c.base = u
		return nil
	}
}

// WithAPIKey sets the key sent as x-api-key on reads. Empty means none (io.net
// will then answer 401).
func WithAPIKey(key Secret) Option {
	return func(c *Client) error {
		k, err := headerSecret("API key", key)
		c.apiKey = k
		return err
	}
}

// WithJWT sets the session token sent as header "token" when creating keys.
// Empty means none: CreateAPIKey then fails with ErrNoJWT.
func WithJWT(token Secret) Option {
	return func(c *Client) error {
		t, err := headerSecret("session token (JWT)", token)
		c.jwt = t
		return err
	}
}

// WithHTTPClient sets the HTTP client whose transport carries the requests.
// New works on a copy: its Timeout, CheckRedirect and Transport are wrapped
// so that credentials never leave io.net's host.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) error {
		if hc == nil {
			return errors.New("HTTP client is nil")
		}
		c.given = hc
		return nil
	}
}

// WithTimeout bounds each attempt of a request (default 15s).
func WithTimeout(d time.Duration) Option {
	return func(c *Client) error {
		if d <= 0 {
			return fmt.Errorf("timeout must be positive, got %s", d)
		}
		c.timeout = d
		return nil
	}
}

// WithUserAgent sets the User-Agent header (default "iocloud/<version>").
func WithUserAgent(ua string) Option {
	return func(c *Client) error {
		ua = strings.TrimSpace(ua)
		if ua == "" || len(ua) > 256 || strings.ContainsAny(ua, "\r\n") {
			return errors.New("user agent must be 1-256 characters on one line")
		}
		c.userAgent = ua
		return nil
	}
}

// WithLogger sets the logger for request diagnostics (never secrets). nil
// means no logging.
func WithLogger(l *slog.Logger) Option {
	return func(c *Client) error {
		c.log = l
		return nil
	}
}

// WithCacheTTL sets how long hardware and replica answers are reused; 0 turns
// the cache off (concurrent identical reads are still collapsed into one).
func WithCacheTTL(d time.Duration) Option {
	return func(c *Client) error {
		if d < 0 {
			return fmt.Errorf("cache TTL must not be negative, got %s", d)
		}
		c.cacheTTL = d
		return nil
	}
}

// WithClock injects the time used for the cache, FetchedAt and JWT expiry.
func WithClock(now func() time.Time) Option {
	return func(c *Client) error {
		if now == nil {
			return errors.New("clock is nil")
		}
		c.now = now
		return nil
	}
}

// WithSandbox marks the client as talking to the built-in simulator, so the
// frontends can say that answers are sandbox data.
func WithSandbox(on bool) Option {
	return func(c *Client) error {
		c.sandbox = on
		return nil
	}
}

// WithRetry bounds the retries of reads: at most maxAttempts tries (1 = no
// retry), backoff waits between minWait and maxWait (a longer Retry-After is
// honoured), and maxTotal for the whole read, waits included.
func WithRetry(maxAttempts int, minWait, maxWait, maxTotal time.Duration) Option {
	return func(c *Client) error {
		switch {
		case maxAttempts < 1 || maxAttempts > 10:
			return fmt.Errorf("retry attempts must be 1-10, got %d", maxAttempts)
		case minWait < 0 || maxWait < minWait:
			return fmt.Errorf("retry waits must satisfy 0 <= min <= max, got min %s, max %s", minWait, maxWait)
		case maxTotal <= 0:
			return fmt.Errorf("retry total time must be positive, got %s", maxTotal)
		}
		c.retry = retrySettings{maxAttempts: maxAttempts, minWait: minWait, maxWait: maxWait, maxTotal: maxTotal}
		return nil
	}
}

// New builds a Client. Defaults: DefaultBaseURL, 15s timeout, 10s cache,
// 4 attempts per read within 30s.
func New(opts ...Option) (*Client, error) {
	base, err := parseBaseURL(DefaultBaseURL)
	if err != nil {
		return nil, err
	}
	c := &Client{
		base:          base,
		userAgent:     defaultUserAgent(),
		timeout:       DefaultTimeout,
		now:           time.Now,
		cacheTTL:      DefaultCacheTTL,
		maxConcurrent: DefaultMaxConcurrent,
		retry: retrySettings{
			maxAttempts: DefaultMaxAttempts,
			minWait:     DefaultRetryWait,
			maxWait:     DefaultRetryWaitCap,
			maxTotal:    DefaultRetryTotal,
		},
	}
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(c); err != nil {
			return nil, fmt.Errorf("iocloud client: %w", err)
		}
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	c.rc = c.newRetryClient()
	c.cache = newReadCache(c.cacheTTL, c.now)
	return c, nil
}

// Sandbox reports whether the client talks to the built-in simulator.
func (c *Client) Sandbox() bool { return c.sandbox }

// parseBaseURL accepts https anywhere and http only on loopback. Its errors
// never echo a user name or password that may sit in the URL.
func parseBaseURL(raw string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, errors.New("base URL is empty; use " + DefaultBaseURL)
	}
	u, err := url.Parse(raw)
	if err != nil || u.Opaque != "" || u.Host == "" {
		return nil, errors.New("base URL is not an absolute URL such as " + DefaultBaseURL)
	}
	if u.User != nil {
		return nil, errors.New("base URL must not contain a user name or password; credentials are configured as the API key and the session token")
	}
	shown := u.Redacted()
	if u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		return nil, fmt.Errorf("base URL %q must not have a query or fragment", shown)
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
	case "http":
		if !isLoopbackHost(u.Hostname()) {
			return nil, fmt.Errorf("base URL %q uses plain http, which is allowed only for loopback hosts (127.0.0.1, ::1, localhost); use https", shown)
		}
	default:
		return nil, fmt.Errorf("base URL %q must use https (or http on loopback), not %q", shown, u.Scheme)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	u.Host = strings.ToLower(u.Host)
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	addr, err := netip.ParseAddr(host)
	return err == nil && addr.Unmap().IsLoopback()
}

// headerSecret trims a credential and refuses one that cannot travel in a
// header. The error names the credential, never its value.
func headerSecret(what string, s Secret) (Secret, error) {
	v := strings.TrimSpace(s.Reveal())
	for _, r := range v {
		if r < 0x20 || r == 0x7f || r > 0x7e {
			return "", fmt.Errorf("the %s contains characters that cannot be sent in an HTTP header", what)
		}
	}
	return Secret(v), nil
}

// defaultUserAgent names the project and, when the binary was built from a
// tagged module, its version.
func defaultUserAgent() string {
	version := "dev"
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		version = bi.Main.Version
	}
	return "iocloud/" + version + " (+https://github.com/iocloud-chatops/iocloud)"
}
