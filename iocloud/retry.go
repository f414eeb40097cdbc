package iocloud

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// retrySettings bound the retries of one read.
type retrySettings struct {
	maxAttempts int           // tries in all, the first included
	minWait     time.Duration // first backoff wait
	maxWait     time.Duration // cap of one backoff wait (Retry-After may ask for more)
	maxTotal    time.Duration // cap of the whole read, waits included
}

// retryState is put in the context of a read; its presence is what allows a
// retry. Requests without it (key creation) are tried once, whatever
// happens: io.net has no idempotency key, so a retried POST could make a
// second key.
type retryState struct{ attempts int }

type retryStateKey struct{}

// retryableStatus lists the answers worth another try: rate limiting and
// gateways or servers that are briefly down.
func retryableStatus(code int) bool {
	switch code {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// checkRetry is go-retryablehttp's CheckRetry. retryablehttp calls it once per
// attempt, in order, so retryState needs no lock.
func (c *Client) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	st, ok := ctx.Value(retryStateKey{}).(*retryState)
	if !ok {
		return false, nil // not a read: never retried
	}
	if resp != nil && resp.Request != nil && resp.Request.Method != http.MethodGet {
		return false, nil
	}
	st.attempts++

	if err != nil {
		if errors.Is(err, ErrRedirect) {
			return false, nil
		}
		// The library's policy knows the connection errors that cannot heal
		// (bad TLS certificate, bad scheme, bad header).
		retry, _ := retryablehttp.DefaultRetryPolicy(ctx, nil, err)
		if !retry {
			return false, nil
		}
	} else if !retryableStatus(resp.StatusCode) {
		return false, nil
	}
	if st.attempts >= c.retry.maxAttempts {
		return false, nil
	}
	// Give up now, keeping this answer (e.g. a 429 saying "retry after 60 s"),
	// rather than sleep past the read's deadline and lose it.
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < c.longestWait(st.attempts-1, resp) {
		return false, nil
	}
	return true, nil
}

// backoff is go-retryablehttp's Backoff: capped exponential backoff with
// jitter, but never shorter than the server's Retry-After.
func (c *Client) backoff(minWait, maxWait time.Duration, attempt int, resp *http.Response) time.Duration {
	exp := exponentialWait(minWait, maxWait, attempt)
	// Equal jitter: half fixed, half random, so that concurrent clients
	// spread out but each still waits. Jitter needs no cryptographic source.
	wait := exp/2 + time.Duration(rand.Int64N(int64(exp/2)+1)) //nolint:gosec // jitter, not a secret
	if ra := retryAfterOf(resp); ra > wait {
		wait = ra
	}
	return wait
}

// longestWait is the most backoff can return for this attempt.
func (c *Client) longestWait(attempt int, resp *http.Response) time.Duration {
	return max(exponentialWait(c.retry.minWait, c.retry.maxWait, attempt), retryAfterOf(resp))
}

func exponentialWait(minWait, maxWait time.Duration, attempt int) time.Duration {
	wait := minWait
	for range attempt {
		if wait >= maxWait/2 {
			return maxWait
		}
		wait *= 2
	}
	return min(wait, maxWait)
}

func retryAfterOf(resp *http.Response) time.Duration {
	if resp == nil {
		return 0
	}
	return parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
}

// maxRetryAfter caps what a server can make us report or wait.
const maxRetryAfter = 24 * time.Hour

// parseRetryAfter reads Retry-After as seconds or as an HTTP date; 0 when
// absent, unreadable or in the past.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		if secs > int64(maxRetryAfter/time.Second) {
			return maxRetryAfter
		}
		return time.Duration(secs) * time.Second
	}
	if at, err := http.ParseTime(v); err == nil {
		if d := at.Sub(now); d > 0 {
			return min(d, maxRetryAfter)
		}
	}
	return 0
}
