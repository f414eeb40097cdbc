package iocloud

import (
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"golang.org/x/sync/semaphore"
)

// DefaultMaxConcurrent is how many requests one Client has in flight to
// io.net at most, across every caller: the MCP tools, the Slack bot, the
// guard and the fan-outs of FindReplicas and QuotePrices. Callers beyond it
// wait (honouring their context) rather than open more connections.
const DefaultMaxConcurrent = 32

// WithMaxConcurrent sets the global cap on concurrent requests to io.net
// (default DefaultMaxConcurrent). The client keeps as many idle connections
// as the cap, so in steady state every request reuses one.
func WithMaxConcurrent(n int) Option {
	return func(c *Client) error {
		if n < 1 || n > 1024 {
			return fmt.Errorf("max concurrent requests must be 1-1024, got %d", n)
		}
		c.maxConcurrent = n
		return nil
	}
}

// newTransport is the client's own transport when WithHTTPClient gave none:
// Go's defaults, except that it keeps an idle connection for every request
// the cap lets run at once. http.DefaultTransport keeps 2 per host, fewer
// than a single FindReplicas fans out to, so each call used to close
// connections it had just opened and dial new ones.
func newTransport(maxConcurrent int) http.RoundTripper {
	dt, ok := http.DefaultTransport.(*http.Transport)
	if !ok {
		return http.DefaultTransport
	}
	t := dt.Clone()
	t.MaxIdleConnsPerHost = maxConcurrent
	t.MaxIdleConns = max(t.MaxIdleConns, maxConcurrent)
	t.IdleConnTimeout = 90 * time.Second
	return t
}

// limitTransport holds one place of the shared semaphore from the moment a
// request is sent until its answer's body is closed, so no more than the cap
// are in flight however many callers there are. A retry's backoff wait
// holds no place: go-retryablehttp closes each failed attempt's body first.
type limitTransport struct {
	next http.RoundTripper
	sem  *semaphore.Weighted
}

func (t *limitTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := t.sem.Acquire(req.Context(), 1); err != nil {
		if req.Body != nil {
			_ = req.Body.Close() // a RoundTripper must close the body, even on error
		}
		return nil, err
	}
	resp, err := t.next.RoundTrip(req)
	if err != nil || resp == nil || resp.Body == nil {
		t.sem.Release(1)
		return resp, err
	}
	resp.Body = &releasingBody{ReadCloser: resp.Body, release: func() { t.sem.Release(1) }}
	return resp, nil
}

// CloseIdleConnections reaches the inner transport.
func (t *limitTransport) CloseIdleConnections() {
	type closeIdler interface{ CloseIdleConnections() }
	if ci, ok := t.next.(closeIdler); ok {
		ci.CloseIdleConnections()
	}
}

// releasingBody gives the place back once, when the body is closed.
type releasingBody struct {
	io.ReadCloser
	once    sync.Once
	release func()
}

func (b *releasingBody) Close() error {
	err := b.ReadCloser.Close()
	b.once.Do(b.release)
	return err
}
