package iocloud

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"
	"golang.org/x/sync/semaphore"
)

// Header names io.net reads credentials from.
const (
	headerAPIKey = "x-api-key"
	headerToken  = "token"
)

// Body caps. Error bodies only feed a short message; success bodies are a
// few kilobytes in practice.
const (
	maxErrorBody   = 1 << 20
	maxSuccessBody = 4 << 20
	maxRedirects   = 3
)

// ErrRedirect marks a redirect the client refused to follow: to another
// host, too many of them, or any redirect at all of a request that changes
// something (POST, DELETE). Such a request was sent exactly once and is
// never re-sent. It is never retried.
var ErrRedirect = errors.New("io.net answered with a redirect that was not followed")

// credential says which secret a request carries. It travels in the request
// context so the transport sets the header on every attempt, and only
// towards io.net's own host.
type credential int

const (
	credNone credential = iota
	credAPIKey
	credJWT
)

type credentialKey struct{}

// authTransport adds the credential named in the request context, and only
// when the request goes to the configured scheme and host. A redirect to any
// other origin therefore carries nothing, even if CheckRedirect let it pass.
type authTransport struct {
	next   http.RoundTripper
	scheme string
	host   string
	apiKey Secret
	jwt    Secret
}

func (t *authTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	cred, _ := req.Context().Value(credentialKey{}).(credential)
	out := req.Clone(req.Context()) // a RoundTripper must not change the caller's request
	out.Header.Del(headerAPIKey)
	out.Header.Del(headerToken)
	if sameOrigin(out.URL, t.scheme, t.host) {
		switch {
		case cred == credAPIKey && t.apiKey.IsSet():
			out.Header.Set(headerAPIKey, t.apiKey.Reveal())
		case cred == credJWT && t.jwt.IsSet():
			out.Header.Set(headerToken, t.jwt.Reveal())
		}
	}
	return t.next.RoundTrip(out)
}

// CloseIdleConnections lets retryablehttp and http.Client reach the inner
// transport.
func (t *authTransport) CloseIdleConnections() {
	type closeIdler interface{ CloseIdleConnections() }
	if ci, ok := t.next.(closeIdler); ok {
		ci.CloseIdleConnections()
	}
}

func sameOrigin(u *url.URL, scheme, host string) bool {
	return u != nil && strings.EqualFold(u.Scheme, scheme) && strings.EqualFold(u.Host, host)
}

// checkRedirect follows a few redirects of a read within io.net's origin
// (FastAPI's trailing-slash 307) and refuses any other. A request that
// changes something (creating or revoking a key) follows none, not even a
// same-origin 307/308 that would re-send it: one confirmation, one request.
func (c *Client) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > 0 && via[0].Method != http.MethodGet {
		status := 0
		if req.Response != nil {
			status = req.Response.StatusCode
		}
		return fmt.Errorf("%w: io.net answered %d to %s %s; a request that changes something is sent once and never re-sent elsewhere",
			ErrRedirect, status, via[0].Method, via[0].URL.Path)
	}
	if len(via) > maxRedirects {
		return fmt.Errorf("%w: io.net redirected more than %d times", ErrRedirect, maxRedirects)
	}
	if !sameOrigin(req.URL, c.base.Scheme, c.base.Host) {
		return fmt.Errorf("%w: io.net redirected to another host (%s); not followed, so credentials stay with %s",
			ErrRedirect, req.URL.Host, c.base.Host)
	}
	return nil
}

// newRetryClient wraps the HTTP client in go-retryablehttp. Only requests
// whose context carries a retryState are retried (reads); everything else,
// key creation above all, is tried exactly once.
func (c *Client) newRetryClient() *retryablehttp.Client {
	hc := &http.Client{}
	if c.given != nil {
		copied := *c.given
		hc = &copied
	}
	next := hc.Transport
	if next == nil {
		next = newTransport(c.maxConcurrent)
	}
	// One semaphore per Client, and the wiring builds one Client per
	// process: the cap holds across every caller and every fan-out.
	next = &limitTransport{next: next, sem: semaphore.NewWeighted(int64(c.maxConcurrent))}
	hc.Transport = &authTransport{next: next, scheme: c.base.Scheme, host: c.base.Host, apiKey: c.apiKey, jwt: c.jwt}
	hc.CheckRedirect = c.checkRedirect
	hc.Timeout = c.timeout

	rc := &retryablehttp.Client{
		HTTPClient:   hc,
		RetryWaitMin: c.retry.minWait,
		RetryWaitMax: c.retry.maxWait,
		RetryMax:     c.retry.maxAttempts - 1,
		CheckRetry:   c.checkRetry,
		Backoff:      c.backoff,
		// Keep the last answer so it becomes an *APIError with its status,
		// detail and Retry-After instead of "giving up after N attempts".
		ErrorHandler: retryablehttp.PassthroughErrorHandler,
	}
	// Our logger or none: never retryablehttp's default stderr logger. The
	// library logs method and URL; our URLs carry no secrets (those are
	// headers).
	rc.Logger = retryLogger{c.log}
	return rc
}

// call is one request to io.net.
type call struct {
	method string
	path   string     // below the base URL, e.g. "/v1/api-keys/"
	query  url.Values // nil: none
	body   any        // JSON-encoded when not nil
	cred   credential
	retry  bool // reads only
}

// do runs a call and decodes a 2xx JSON answer into out. Failures are an
// *APIError (io.net answered), or an error wrapping ErrUnavailable
// (no answer, or an unreadable one).
func (c *Client) do(ctx context.Context, cl call, out any) error {
	u := *c.base
	u.Path = c.base.Path + cl.path
	u.RawQuery = cl.query.Encode()
	fullPath := u.Path

	var body []byte
	if cl.body != nil {
		b, err := json.Marshal(cl.body)
		if err != nil {
			return fmt.Errorf("encode %s %s: %w", cl.method, fullPath, err)
		}
		body = b
	}

	callCtx := context.WithValue(ctx, credentialKey{}, cl.cred)
	if cl.retry {
		var cancel context.CancelFunc
		callCtx, cancel = context.WithTimeout(callCtx, c.retry.maxTotal)
		defer cancel()
		callCtx = context.WithValue(callCtx, retryStateKey{}, &retryState{})
	}

	var reqBody any
	if body != nil {
		reqBody = body
	}
	req, err := retryablehttp.NewRequestWithContext(callCtx, cl.method, u.String(), reqBody)
	if err != nil {
		return fmt.Errorf("build %s %s: %w", cl.method, fullPath, err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}

	start := time.Now()
	resp, err := c.rc.Do(req)
	if err != nil {
		if resp != nil {
			_ = resp.Body.Close()
		}
		c.log.DebugContext(ctx, "io.net request failed", "method", cl.method, "path", fullPath, "duration", time.Since(start))
		return c.transportError(ctx, cl, fullPath, err)
	}
	defer func() { _ = resp.Body.Close() }()
	c.log.DebugContext(ctx, "io.net answered", "method", cl.method, "path", fullPath,
		"status", resp.StatusCode, "duration", time.Since(start))

	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return c.apiError(cl.method, fullPath, resp)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxSuccessBody+1))
	if err != nil {
		return c.transportError(ctx, cl, fullPath, err)
	}
	if len(data) > maxSuccessBody {
		return c.malformed(cl, fullPath, fmt.Sprintf("answer is larger than %d MiB", maxSuccessBody>>20))
	}
	if out == nil {
		return nil
	}
	if err := unmarshal(data, out); err != nil {
		return c.malformed(cl, fullPath, jsonProblem(err))
	}
	return nil
}

// unmarshal is json.Unmarshal, except that a body that stops before its
// value is complete (or is empty) fails with io.ErrUnexpectedEOF:
// json.Unmarshal says so only in its error's text, and decisions are not
// made on error text. json.Decoder types the same condition.
func unmarshal(data []byte, out any) error {
	err := json.Unmarshal(data, out)
	var se *json.SyntaxError
	if !errors.As(err, &se) {
		return err
	}
	var whole json.RawMessage
	if derr := json.NewDecoder(bytes.NewReader(data)).Decode(&whole); errors.Is(derr, io.ErrUnexpectedEOF) || errors.Is(derr, io.EOF) {
		return fmt.Errorf("%w (%w)", io.ErrUnexpectedEOF, err)
	}
	return err
}

// apiError turns an unsuccessful answer into an *APIError. The body is read
// through a 1 MiB limit and every known secret is removed from what is kept.
func (c *Client) apiError(method, path string, resp *http.Response) *APIError {
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	detail, fields := decodeErrorBody(raw, c.redact)
	var marker struct {
		KeySet bool `json:"key_set"`
	}
	_ = json.Unmarshal(raw, &marker) // any other body leaves it false
	return &APIError{
		KeySet:     marker.KeySet,
		StatusCode: resp.StatusCode,
		Method:     method,
		Path:       path,
		Detail:     detail,
		Fields:     fields,
		RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()),
	}
}

// ErrMayBeCreated marks every failure of key creation that happened after
// the request may have reached io.net: the key may exist even though we got
// no usable answer, and trying again blindly could make a second one. Its
// text is the advice itself.
var ErrMayBeCreated = errors.New("the key may have been created anyway: look at https://ai.io.net/ai/api-keys before trying again")

// ErrMayBeRevoked is its counterpart for revocation.
var ErrMayBeRevoked = errors.New("the key may have been revoked anyway: list the keys before trying again")

// ambiguity is what a failed request may have done anyway: nothing (nil)
// for a read, a key for a POST, a revocation for a DELETE.
func (cl call) ambiguity() error {
	switch cl.method {
	case http.MethodPost:
		return ErrMayBeCreated
	case http.MethodDelete:
		return ErrMayBeRevoked
	}
	return nil
}

func (c *Client) malformed(cl call, path, problem string) error {
	msg := fmt.Sprintf("io.net sent a malformed answer to %s %s (%s)", cl.method, path, problem)
	if a := cl.ambiguity(); a != nil {
		return fmt.Errorf("%w: %s; %w", ErrUnavailable, msg, a)
	}
	return fmt.Errorf("%w: %s", ErrUnavailable, msg)
}

// transportError describes a request that got no answer. The cause is kept
// for errors.Is/As, without the URL and with every secret removed.
func (c *Client) transportError(ctx context.Context, cl call, path string, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	cause := &redactedError{err: err, redact: c.redact}
	if errors.Is(err, ErrRedirect) {
		return fmt.Errorf("%s %s: %w", cl.method, path, cause)
	}
	if errors.Is(ctx.Err(), context.Canceled) {
		return fmt.Errorf("%s %s to io.net was cancelled: %w", cl.method, path, context.Canceled)
	}
	what := "got no answer"
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		what = "got no answer in time"
	}
	msg := fmt.Sprintf("%s %s %s", cl.method, path, what)
	if a := cl.ambiguity(); a != nil {
		return fmt.Errorf("%w: %s; %w: %w", ErrUnavailable, msg, a, cause)
	}
	return fmt.Errorf("%w: %s: %w", ErrUnavailable, msg, cause)
}

// redact removes the client's own credentials from text that came from the
// network (an error body could echo a header back).
func (c *Client) redact(s string) string {
	for _, secret := range []Secret{c.apiKey, c.jwt} {
		if len(secret) >= 4 {
			s = strings.ReplaceAll(s, secret.Reveal(), redacted)
		}
	}
	return s
}

// redactedError is a cause whose text has been cleaned of secrets.
type redactedError struct {
	err    error
	redact func(string) string
}

func (e *redactedError) Error() string { return clip(e.redact(e.err.Error()), 300) }
func (e *redactedError) Unwrap() error { return e.err }

// jsonProblem says briefly why a body is not the JSON we expect, without
// quoting the body.
func jsonProblem(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "the JSON ends early"
	case errors.As(err, &se):
		return fmt.Sprintf("invalid JSON at byte %d", se.Offset)
	case errors.As(err, &te):
		// te.Value may hold a whole number literal as sent ("number 1000…"):
		// clipped, so an answer cannot make the message arbitrarily long.
		return fmt.Sprintf("field %q should be %s, not %s", clip(te.Field, 60), te.Type, clip(te.Value, 40))
	default:
		var p *problemError
		if errors.As(err, &p) {
			return p.msg
		}
		return "unexpected JSON"
	}
}

// problemError is a decoding failure worded for jsonProblem.
type problemError struct{ msg string }

func (e *problemError) Error() string { return e.msg }

// retryLogger adapts slog to retryablehttp's LeveledLogger. A failed attempt
// that will be retried is a warning, not an error.
type retryLogger struct{ l *slog.Logger }

func (r retryLogger) Error(msg string, kv ...any) { r.l.Warn(msg, kv...) }
func (r retryLogger) Info(msg string, kv ...any)  { r.l.Info(msg, kv...) }
func (r retryLogger) Debug(msg string, kv ...any) { r.l.Debug(msg, kv...) }
func (r retryLogger) Warn(msg string, kv ...any)  { r.l.Warn(msg, kv...) }

var _ retryablehttp.LeveledLogger = retryLogger{}
