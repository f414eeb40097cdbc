package iocloud

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewDefaults(t *testing.T) {
	t.Parallel()
	c, err := New()
	require.NoError(t, err)
	assert.Equal(t, DefaultBaseURL, c.base.String())
	assert.Equal(t, 15*time.Second, c.timeout)
	assert.Equal(t, 15*time.Second, c.rc.HTTPClient.Timeout)
	assert.Equal(t, 10*time.Second, c.cacheTTL)
	assert.Equal(t, 4, c.retry.maxAttempts)
	assert.True(t, strings.HasPrefix(c.userAgent, "iocloud/"), c.userAgent)
	assert.False(t, c.Sandbox())
	assert.NotNil(t, c.rc.Logger, "retryablehttp must log through our logger, not its stderr default")
	assert.IsType(t, retryLogger{}, c.rc.Logger)
}

func TestNewAcceptsLoopbackHTTPAndHTTPS(t *testing.T) {
	t.Parallel()
	for _, raw := range []string{
		"https://api.io.solutions",
		"https://api.io.solutions/",
		"https://proxy.example.com/ionet/",
		"http://127.0.0.1:8080",
		"http://127.9.9.9",
		"http://[::1]:9000",
		"http://localhost:3000",
		"HTTP://LOCALHOST:3000",
	} {
		c, err := New(WithBaseURL(raw))
		require.NoError(t, err, raw)
		assert.False(t, strings.HasSuffix(c.base.Path, "/"), raw)
	}
}

func TestNewRefusesBadBaseURLs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		raw, want string
	}{
		{"", "empty"},
		{"   ", "empty"},
		{"http://api.io.solutions", "plain http"},
		{"http://10.0.0.1:8080", "plain http"},
		{"http://127.0.0.1.nip.io", "plain http"},
		{"http://localhost.example.com", "plain http"},
		{"ftp://api.io.solutions", "must use https"},
		{"ws://127.0.0.1", "must use https"},
		{"api.io.solutions", "not an absolute URL"},
		{"/v1", "not an absolute URL"},
		{"https://", "not an absolute URL"},
		{"https://api.io.solutions/?x=1", "query"},
		{"https://api.io.solutions/#frag", "fragment"},
		{"https://alice:hunter2-password@api.io.solutions", "user name or password"},
	}
	for _, tt := range tests {
		_, err := New(WithBaseURL(tt.raw))
		require.Error(t, err, tt.raw)
		assert.Contains(t, err.Error(), tt.want, tt.raw)
		assert.NotContains(t, err.Error(), "hunter2", "an error must not echo a password in the URL")
	}
}

func TestNewRefusesBadOptions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opt  Option
		want string
	}{
		{"zero timeout", WithTimeout(0), "timeout"},
		{"negative cache", WithCacheTTL(-time.Second), "cache TTL"},
		{"no attempts", WithRetry(0, time.Millisecond, time.Second, time.Second), "attempts"},
		{"too many attempts", WithRetry(11, time.Millisecond, time.Second, time.Second), "attempts"},
		{"min above max", WithRetry(3, time.Second, time.Millisecond, time.Second), "waits"},
		{"no total", WithRetry(3, time.Millisecond, time.Second, 0), "total"},
		{"nil clock", WithClock(nil), "clock"},
		{"nil http client", WithHTTPClient(nil), "HTTP client"},
		{"user agent with newline", WithUserAgent("a\r\nX-Evil: 1"), "user agent"},
		{"empty user agent", WithUserAgent(" "), "user agent"},
		{"api key with newline", WithAPIKey("io-v2-abc\ndef-SECRETPART"), "API key"},
		{"jwt with control", WithJWT("eyJ\x00SECRETPART"), "session token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := New(tt.opt)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), "SECRETPART")
		})
	}
}

func TestEmptyCredentialsMeanNone(t *testing.T) {
	t.Parallel()
	c, err := New(WithAPIKey(""), WithJWT("  "))
	require.NoError(t, err)
	assert.False(t, c.JWTStatus().Present)
}

// recorded is what the fake io.net saw of one request.
type recorded struct {
	method, path, query string
	header              http.Header
	body                []byte
}

func TestRequestsCarryTheRightCredentialAndShape(t *testing.T) {
	t.Parallel()
	var got []recorded
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got = append(got, recorded{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Clone(), body})
		ionetHandler(w, r)
	})
	c := newClientFor(t, up.URL, WithUserAgent("iocloud-test/1"))
	ctx := t.Context()

	_, err := c.Hardware(ctx)
	require.NoError(t, err)
	_, err = c.AvailableReplicas(ctx, ReplicaQuery{HardwareID: 7, GPUsPerContainer: 2, NodePoolID: "0C7B4D3E-5F6A-4B8C-9D0E-1F2A3B4C5D6E"})
	require.NoError(t, err)
	_, err = c.CreateAPIKey(ctx, sampleKeyRequest())
	require.NoError(t, err)
	require.Len(t, got, 3)

	hw, rep, create := got[0], got[1], got[2]
	assert.Equal(t, http.MethodGet, hw.method)
	assert.Equal(t, pathHardware, hw.path)
	assert.Equal(t, clientTestKey, hw.header.Get("x-api-key"))
	assert.Empty(t, hw.header.Get("token"), "reads must not carry the session token")
	assert.Empty(t, hw.header.Get("Authorization"))
	assert.Equal(t, "iocloud-test/1", hw.header.Get("User-Agent"))
	assert.Equal(t, "application/json", hw.header.Get("Accept"))

	assert.Equal(t, pathReplicas, rep.path)
	assert.Equal(t, "hardware_id=7&hardware_qty=2&node_pool_id=0c7b4d3e-5f6a-4b8c-9d0e-1f2a3b4c5d6e", rep.query)
	assert.Equal(t, clientTestKey, rep.header.Get("x-api-key"))

	assert.Equal(t, http.MethodPost, create.method)
	assert.Equal(t, "/v1/api-keys/", create.path, "the trailing slash matters")
	assert.Equal(t, clientTestJWT, create.header.Get("token"))
	assert.Empty(t, create.header.Get("x-api-key"), "key creation must not carry the API key")
	assert.Equal(t, "application/json", create.header.Get("Content-Type"))
	var body map[string]any
	require.NoError(t, json.Unmarshal(create.body, &body))
	assert.Equal(t, map[string]any{
		"description": "ci",
		"expires_at":  "2026-08-20T00:00:00Z",
		"project":     "io-cloud",
		"scopes":      []any{"all"},
	}, body)
}

func TestBasePathPrefixIsKept(t *testing.T) {
	t.Parallel()
	var paths []string
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		paths = append(paths, r.URL.Path)
		answerJSON(w, http.StatusOK, hardwareJSON)
	})
	c := newClientFor(t, up.URL+"/proxy/ionet/")
	_, err := c.Hardware(t.Context())
	require.NoError(t, err)
	assert.Equal(t, []string{"/proxy/ionet" + pathHardware}, paths)
}

func TestCrossHostRedirectIsRefusedWithoutCredentials(t *testing.T) {
	t.Parallel()
	other := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		assert.Empty(t, r.Header.Get("x-api-key"), "credential leaked to another host")
		assert.Empty(t, r.Header.Get("token"), "credential leaked to another host")
		ionetHandler(w, r)
	})
	origin := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+r.URL.RequestURI(), http.StatusTemporaryRedirect)
	})
	c := newClientFor(t, origin.URL)

	_, err := c.Hardware(t.Context())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "redirected to another host")
	_, err = c.CreateAPIKey(t.Context(), sampleKeyRequest())
	require.Error(t, err)

	assert.Zero(t, other.total.Load(), "the other host must not be contacted at all")
	assert.Equal(t, 1, origin.count(pathHardware), "a refused redirect is not retried")
	assert.Equal(t, 1, origin.count(pathCreateKey))
	assert.Contains(t, testHints.Advice(err), "IOCLOUD_BASE_URL")
}

func TestSameHostRedirectKeepsCredentials(t *testing.T) {
	t.Parallel()
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/old"+pathHardware {
			http.Redirect(w, r, pathHardware, http.StatusTemporaryRedirect)
			return
		}
		ionetHandler(w, r)
	})
	c := newClientFor(t, up.URL+"/old")
	// The client's base path is /old, but the redirect leads to the real
	// path on the same host: followed, with the key.
	hw, err := c.Hardware(t.Context())
	require.NoError(t, err)
	assert.Len(t, hw.Hardware, 4)
}

// The transport adds credentials only towards the configured origin, even
// when a request to another host reaches it.
func TestAuthTransportOnlyAuthenticatesTheOrigin(t *testing.T) {
	t.Parallel()
	var seen []http.Header
	rt := &authTransport{
		next: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			seen = append(seen, r.Header.Clone())
			return &http.Response{StatusCode: http.StatusNoContent, Body: http.NoBody, Request: r}, nil
		}),
		scheme: "https", host: "api.io.solutions", apiKey: clientTestKey, jwt: Secret(clientTestJWT),
	}
	for _, target := range []string{"https://api.io.solutions/x", "https://evil.example/x", "http://api.io.solutions/x", "https://api.io.solutions:8443/x"} {
		req := httptest.NewRequestWithContext(withCredential(t, credAPIKey), http.MethodGet, target, nil)
		req.Header.Set("x-api-key", "caller-set") // a caller cannot smuggle one either
		resp, err := rt.RoundTrip(req)
		require.NoError(t, err)
		_ = resp.Body.Close()
		assert.Equal(t, "caller-set", req.Header.Get("x-api-key"), "the caller's request must not be modified")
	}
	require.Len(t, seen, 4)
	assert.Equal(t, clientTestKey, seen[0].Get("x-api-key"))
	for _, h := range seen[1:] {
		assert.Empty(t, h.Get("x-api-key"))
		assert.Empty(t, h.Get("token"))
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
