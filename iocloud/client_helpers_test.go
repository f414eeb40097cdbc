package iocloud

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/iocloud-chatops/iocloud/internal/testutil"
	"github.com/stretchr/testify/require"
)

// Credentials the internal tests send; every error text is searched for them.
const (
	clientTestKey = "io-v2-TESTKEY-7d2c91f0a4b3e5d6c8b9"
)

// clientTestJWT expires long after any test runs.
var clientTestJWT = mintTestJWT(time.Now().Add(21 * 24 * time.Hour))

// mintTestJWT makes an unsigned-looking JWT with the given exp.
func mintTestJWT(exp time.Time) string {
	enc := base64.RawURLEncoding
	header := enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
	payload := enc.EncodeToString(fmt.Appendf(nil, `{"sub":"user-1","exp":%d}`, exp.Unix()))
	return header + "." + payload + ".c2lnbmF0dXJlLW5vdC1jaGVja2Vk"
}

// fastRetry keeps retry tests quick: 4 attempts, millisecond waits.
func fastRetry() Option { return WithRetry(4, time.Millisecond, 4*time.Millisecond, 5*time.Second) }

// newClientFor builds a client for an httptest server with test
// credentials, fast retries and the cache off; opts come last and win.
func newClientFor(t testing.TB, baseURL string, opts ...Option) *Client {
	t.Helper()
	all := append([]Option{
		WithBaseURL(baseURL),
		WithAPIKey(clientTestKey),
		WithJWT(Secret(clientTestJWT)),
		fastRetry(),
		WithCacheTTL(0),
	}, opts...)
	c, err := New(all...)
	require.NoError(t, err)
	return c
}

// upstream is an httptest server whose handler can be swapped and which
// counts requests per path.
type upstream struct {
	*httptest.Server
	mu      sync.Mutex
	handler http.HandlerFunc
	counts  map[string]int
	total   atomic.Int64
}

func newUpstream(t testing.TB, h http.HandlerFunc) *upstream {
	t.Helper()
	u := &upstream{handler: h, counts: map[string]int{}}
	u.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u.mu.Lock()
		u.counts[r.URL.Path]++
		h := u.handler
		u.mu.Unlock()
		u.total.Add(1)
		h(w, r)
	}))
	t.Cleanup(u.Close)
	return u
}

func (u *upstream) count(path string) int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.counts[path]
}

// manualClock is the tests' hand-moved clock, started on a fixed day.
type manualClock = testutil.Clock

func newManualClock() *manualClock {
	return testutil.NewClock(time.Date(2026, 11, 5, 12, 0, 0, 0, time.UTC))
}

// Answers of a well-behaved io.net.
const (
	hardwareJSON = `{"data":{"hardware":[` +
		`{"hardware_id":7,"hardware_name":"H100 80GB HBM3","brand_name":"NVIDIA","max_gpus_per_container":8,"available":47,"price":2.19},` +
		`{"hardware_id":8,"hardware_name":"H100 80GB PCIe","brand_name":"NVIDIA","max_gpus_per_container":8,"available":11},` +
		`{"hardware_id":41,"hardware_name":"RTX 4090 24GB","brand_name":"NVIDIA","max_gpus_per_container":4,"available":15},` +
		`{"hardware_id":30,"hardware_name":"L40S 48GB","brand_name":"NVIDIA","max_gpus_per_container":8,"available":0}` +
		`],"total":73}}`
	replicasJSON = `{"data":[{"id":9,"iso2":"de","name":"Germany","available_replicas":3},` +
		`{"id":4,"iso2":"US","name":"United States","available_replicas":12},` +
		`{"id":20,"iso2":"JP","name":"Japan","available_replicas":0}]}`
)

func answerJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

// ionetHandler answers the three routes like io.net, checking credentials.
func ionetHandler(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodGet && r.URL.Path == pathHardware:
		if r.Header.Get(headerAPIKey) != clientTestKey {
			answerJSON(w, http.StatusUnauthorized, `{"detail":"Invalid API key"}`)
			return
		}
		answerJSON(w, http.StatusOK, hardwareJSON)
	case r.Method == http.MethodGet && r.URL.Path == pathReplicas:
		if r.Header.Get(headerAPIKey) != clientTestKey {
			answerJSON(w, http.StatusUnauthorized, `{"detail":"Invalid API key"}`)
			return
		}
		answerJSON(w, http.StatusOK, replicasJSON)
	case r.Method == http.MethodPost && r.URL.Path == pathCreateKey:
		if r.Header.Get(headerToken) != clientTestJWT {
			answerJSON(w, http.StatusUnauthorized, `{"detail":"Not authenticated"}`)
			return
		}
		answerJSON(w, http.StatusCreated, `{"value":"io-v2-NEWSECRET-0123456789abcdef","key":{"key_id":"3f0c2a7e-1111-4222-8333-944455556666",`+
			`"user_id":"u","user_email":"a@b.c","description":"ci","display":"io-v2-NEWS...cdef","created_at":"2025-05-06T14:37:48.605Z",`+
			`"expires_at":"2026-08-20T00:00:00","project":"io-cloud","scopes":["all"],"is_expired":false}}`)
	default:
		answerJSON(w, http.StatusNotFound, `{"detail":"Not Found"}`)
	}
}

// sampleKeyRequest is what Policy.Check would produce.
func sampleKeyRequest() KeyRequest {
	return KeyRequest{
		Description: "ci",
		ExpiresAt:   time.Date(2026, 8, 20, 0, 0, 0, 0, time.UTC),
		Project:     "io-cloud",
		Scopes:      []string{"all"},
	}
}

// withCredential is a test context naming the credential a request carries.
func withCredential(t testing.TB, cred credential) context.Context {
	return context.WithValue(t.Context(), credentialKey{}, cred)
}
