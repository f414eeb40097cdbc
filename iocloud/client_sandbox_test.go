package iocloud_test

// Integration tests of the client against the io.net simulator on loopback.

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/iocloud-chatops/iocloud/iocloud"
	"github.com/iocloud-chatops/iocloud/iocloud/sandbox"
)

// startSandbox runs a simulator for one test.
func startSandbox(t *testing.T) *sandbox.Server {
	t.Helper()
	sb, err := sandbox.Start()
	require.NoError(t, err)
	t.Cleanup(sb.Close)
	return sb
}

// sandboxClient is a client for sb with its credentials and fast retries;
// opts come last and win.
func sandboxClient(t *testing.T, sb *sandbox.Server, opts ...iocloud.Option) *iocloud.Client {
	t.Helper()
	all := append([]iocloud.Option{
		iocloud.WithBaseURL(sb.URL()),
		iocloud.WithAPIKey(iocloud.Secret(sb.APIKey())),
		iocloud.WithJWT(iocloud.Secret(sb.JWT())),
		iocloud.WithRetry(4, time.Millisecond, 5*time.Millisecond, 10*time.Second),
		iocloud.WithSandbox(true),
	}, opts...)
	c, err := iocloud.New(all...)
	require.NoError(t, err)
	return c
}

func sampleRequest() iocloud.KeyRequest {
	return iocloud.KeyRequest{
		Description: "CI deploy key",
		ExpiresAt:   time.Now().Add(30 * 24 * time.Hour).UTC().Truncate(time.Second),
		Project:     "io-cloud",
		Scopes:      []string{"read"},
	}
}

func TestSandboxHardwareDecodes(t *testing.T) {
	t.Parallel()
	sb := startSandbox(t)
	c := sandboxClient(t, sb)
	before := time.Now()
	list, err := c.Hardware(t.Context())
	require.NoError(t, err)
	assert.True(t, c.Sandbox())
	assert.Equal(t, []iocloud.Hardware{
		{ID: 7, Name: "H100 80GB HBM3", Brand: "NVIDIA", MaxGPUsPerContainer: 8, AvailableGPUs: 47},
		{ID: 8, Name: "H100 80GB PCIe", Brand: "NVIDIA", MaxGPUsPerContainer: 8, AvailableGPUs: 11},
		{ID: 15, Name: "A100 80GB SXM", Brand: "NVIDIA", MaxGPUsPerContainer: 8, AvailableGPUs: 23},
		{ID: 30, Name: "L40S 48GB", Brand: "NVIDIA", MaxGPUsPerContainer: 8, AvailableGPUs: 0},
		{ID: 41, Name: "RTX 4090 24GB", Brand: "NVIDIA", MaxGPUsPerContainer: 4, AvailableGPUs: 15},
		{ID: 203, Name: "H200 141GB HBM3e", Brand: "NVIDIA", MaxGPUsPerContainer: 8, AvailableGPUs: 17},
	}, list.Hardware)
	assert.Equal(t, 113, list.Total)
	assert.False(t, list.FetchedAt.Before(before))
}

func TestSandboxReplicasDependOnGPUsPerContainer(t *testing.T) {
	t.Parallel()
	sb := startSandbox(t)
	c := sandboxClient(t, sb)
	one, err := c.AvailableReplicas(t.Context(), iocloud.ReplicaQuery{HardwareID: 7, GPUsPerContainer: 1})
	require.NoError(t, err)
	assert.Equal(t, []iocloud.Location{
		{ID: 4, ISO2: "US", Name: "United States", AvailableReplicas: 17},
		{ID: 9, ISO2: "DE", Name: "Germany", AvailableReplicas: 14},
		{ID: 12, ISO2: "CA", Name: "Canada", AvailableReplicas: 16},
		{ID: 20, ISO2: "JP", Name: "Japan", AvailableReplicas: 0},
	}, one.Locations, "AvailableReplicas keeps io.net's rows and order")

	eight, err := c.AvailableReplicas(t.Context(), iocloud.ReplicaQuery{HardwareID: 7, GPUsPerContainer: 8})
	require.NoError(t, err)
	byISO := map[string]int{}
	for _, l := range eight.Locations {
		byISO[l.ISO2] = l.AvailableReplicas
	}
	assert.Equal(t, map[string]int{"US": 0, "DE": 1, "CA": 2, "JP": 0}, byISO)

	pool, err := c.AvailableReplicas(t.Context(), iocloud.ReplicaQuery{HardwareID: 7, GPUsPerContainer: 8, NodePoolID: sb.NodePoolID()})
	require.NoError(t, err)
	assert.Equal(t, []iocloud.Location{{ID: 4, ISO2: "US", Name: "United States", AvailableReplicas: 2}}, pool.Locations)

	unknown, err := c.AvailableReplicas(t.Context(), iocloud.ReplicaQuery{HardwareID: 999, GPUsPerContainer: 1})
	require.NoError(t, err)
	assert.Empty(t, unknown.Locations)
}

func TestSandboxCreateAPIKey(t *testing.T) {
	t.Parallel()
	sb := startSandbox(t)
	c := sandboxClient(t, sb)
	req := sampleRequest()
	key, err := c.CreateAPIKey(t.Context(), req)
	require.NoError(t, err)

	created := sb.CreatedKeys()
	require.Len(t, created, 1)
	assert.Equal(t, created[0].Value, key.Secret.Reveal(), `the secret comes from "value"`)
	assert.Equal(t, created[0].KeyID, key.Key.KeyID)
	assert.Equal(t, req.Description, key.Key.Description)
	assert.Equal(t, "io-cloud", key.Key.Project)
	assert.Equal(t, []string{"read"}, key.Key.Scopes)
	assert.True(t, req.ExpiresAt.Equal(key.Key.ExpiresAt), "zoned expires_at: %v", key.Key.ExpiresAt)
	assert.WithinDuration(t, time.Now(), key.Key.CreatedAt, time.Minute, "zone-less created_at is read as UTC")
	assert.False(t, key.Key.IsExpired)
	assert.NotEmpty(t, key.Key.Display)
	assert.NotContains(t, key.Key.Display, created[0].Value)
	assert.NotContains(t, fmt.Sprintf("%v %+v %#v", key, key, key), created[0].Value, "a created key prints redacted")

	// The new key reads like any io-cloud key.
	reader := sandboxClient(t, sb, iocloud.WithAPIKey(key.Secret))
	_, err = reader.Hardware(t.Context())
	require.NoError(t, err)
}

func TestSandbox422NamesTheFields(t *testing.T) {
	t.Parallel()
	sb := startSandbox(t)
	c := sandboxClient(t, sb)
	req := sampleRequest()
	req.Scopes = []string{"root"}
	req.Project = "somewhere-else"
	_, err := c.CreateAPIKey(t.Context(), req)
	require.ErrorIs(t, err, iocloud.ErrValidation)
	var apiErr *iocloud.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 422, apiErr.StatusCode)
	var locs []string
	for _, f := range apiErr.Fields {
		locs = append(locs, fmt.Sprint(f.Loc))
		assert.NotEmpty(t, f.Msg)
	}
	assert.ElementsMatch(t, []string{"[body project]", "[body scopes 0]"}, locs)
	assert.Contains(t, testHints.Advice(err), "project (")
	assert.Empty(t, sb.CreatedKeys())
}

func TestSandbox401HintsAtTheCredential(t *testing.T) {
	t.Parallel()
	sb := startSandbox(t)
	wrongKey := "io-v2-WRONG-KEY-9f8e7d6c5b4a"
	c := sandboxClient(t, sb, iocloud.WithAPIKey(iocloud.Secret(wrongKey)))
	_, err := c.Hardware(t.Context())
	require.ErrorIs(t, err, iocloud.ErrUnauthorized)
	assert.Equal(t, "io.net rejected the API key (401): check the configured io.net API key (IOCLOUD_API_KEY).", testHints.Advice(err))
	assert.Equal(t, 1, sb.Requests(sandbox.RouteHardware), "a 401 is not retried")
	assert.NotContains(t, err.Error(), wrongKey)

	// A token that looks valid for a year but that io.net does not know.
	c = sandboxClient(t, sb, iocloud.WithJWT(iocloud.Secret(otherJWT(time.Now().Add(365*24*time.Hour)))))
	_, err = c.CreateAPIKey(t.Context(), sampleRequest())
	require.ErrorIs(t, err, iocloud.ErrUnauthorized)
	assert.Contains(t, testHints.Advice(err), "IOCLOUD_JWT")
}

func TestSandboxNonJSON502(t *testing.T) {
	t.Parallel()
	sb := startSandbox(t)
	sb.SetFault(sandbox.RouteHardware, sandbox.Fault{
		Status: 502, ContentType: "text/html",
		Body: "<html><head><title>502 Bad Gateway</title></head><body>cloudflare</body></html>",
	})
	c := sandboxClient(t, sb)
	_, err := c.Hardware(t.Context())
	require.ErrorIs(t, err, iocloud.ErrUnavailable)
	var apiErr *iocloud.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 502, apiErr.StatusCode)
	assert.Equal(t, "502 Bad Gateway", apiErr.Detail)
	assert.Equal(t, 4, sb.Requests(sandbox.RouteHardware), "retried, and bounded at 4 attempts")
}

func TestSandboxReadsRetried(t *testing.T) {
	t.Parallel()
	sb := startSandbox(t)
	c := sandboxClient(t, sb, iocloud.WithCacheTTL(0))
	q := iocloud.ReplicaQuery{HardwareID: 7, GPUsPerContainer: 1}

	sb.SetFault(sandbox.RouteReplicas, sandbox.Fault{Status: 503, Times: 2})
	_, err := c.AvailableReplicas(t.Context(), q)
	require.NoError(t, err)
	assert.Equal(t, 3, sb.Requests(sandbox.RouteReplicas))

	sb.SetFault(sandbox.RouteReplicas, sandbox.Fault{Status: 503})
	_, err = c.AvailableReplicas(t.Context(), q)
	require.ErrorIs(t, err, iocloud.ErrUnavailable)
	assert.Equal(t, 3+4, sb.Requests(sandbox.RouteReplicas), "attempts are bounded")

	sb.SetFault(sandbox.RouteReplicas, sandbox.Fault{Drop: true, Times: 1})
	_, err = c.AvailableReplicas(t.Context(), q)
	require.NoError(t, err, "a dropped connection is retried")

	sb.SetFault(sandbox.RouteReplicas, sandbox.Fault{Status: 429, RetryAfter: "1", Times: 1})
	start := time.Now()
	_, err = c.AvailableReplicas(t.Context(), q)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, time.Since(start), 950*time.Millisecond, "Retry-After: 1 was honoured")
}

func TestSandboxCreateKeyIsTriedOnce(t *testing.T) {
	t.Parallel()
	for name, fault := range map[string]sandbox.Fault{
		"503":                     {Status: 503, RetryAfter: "0"},
		"429":                     {Status: 429, RetryAfter: "0"},
		"dropped connection":      {Drop: true},
		"slow beyond the timeout": {Latency: 2 * time.Second},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			sb := startSandbox(t)
			sb.SetFault(sandbox.RouteCreateKey, fault)
			c := sandboxClient(t, sb, iocloud.WithRetry(10, time.Millisecond, time.Millisecond, 10*time.Second),
				iocloud.WithTimeout(300*time.Millisecond))
			_, err := c.CreateAPIKey(t.Context(), sampleRequest())
			require.Error(t, err)
			assert.Equal(t, 1, sb.Requests(sandbox.RouteCreateKey), "exactly one request")
			assert.Empty(t, sb.CreatedKeys())
			if !errors.Is(err, iocloud.ErrRateLimited) {
				assert.Contains(t, testHints.Advice(err), "may have been created", "say the key may exist after a lost answer")
			}
		})
	}
}

func TestSandboxConcurrentReadsShareOneRequest(t *testing.T) {
	t.Parallel()
	sb := startSandbox(t)
	sb.SetFault(sandbox.RouteReplicas, sandbox.Fault{Latency: 150 * time.Millisecond})
	var mu sync.Mutex
	now := time.Date(2026, 11, 5, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	c := sandboxClient(t, sb, iocloud.WithCacheTTL(10*time.Second), iocloud.WithClock(clock))
	q := iocloud.ReplicaQuery{HardwareID: 203, GPUsPerContainer: 2}

	var wg sync.WaitGroup
	start := make(chan struct{})
	results := make([]*iocloud.ReplicaList, 50)
	errs := make([]error, 50)
	for i := range 50 {
		wg.Go(func() {
			<-start
			results[i], errs[i] = c.AvailableReplicas(t.Context(), q)
		})
	}
	close(start)
	wg.Wait()
	for i := range 50 {
		require.NoError(t, errs[i])
		assert.Equal(t, results[0], results[i])
	}
	assert.Equal(t, 1, sb.Requests(sandbox.RouteReplicas), "50 concurrent reads, 1 upstream request")

	_, err := c.AvailableReplicas(t.Context(), q)
	require.NoError(t, err)
	assert.Equal(t, 1, sb.Requests(sandbox.RouteReplicas), "within the TTL: cached")

	mu.Lock()
	now = now.Add(10 * time.Second)
	mu.Unlock()
	fresh, err := c.AvailableReplicas(t.Context(), q)
	require.NoError(t, err)
	assert.Equal(t, 2, sb.Requests(sandbox.RouteReplicas), "after the TTL: a new request")
	assert.Equal(t, clock(), fresh.FetchedAt)
	assert.True(t, results[0].FetchedAt.Before(fresh.FetchedAt))
}

// Every failure the client can meet, and none of their texts or advice
// carries a credential.
func TestSandboxErrorsNeverContainSecrets(t *testing.T) {
	t.Parallel()
	sb := startSandbox(t)
	wrongKey := "io-v2-NOT-A-REAL-KEY-0a1b2c3d4e5f"
	wrongJWT := otherJWT(time.Now().Add(24 * time.Hour))
	good := sandboxClient(t, sb, iocloud.WithCacheTTL(0), iocloud.WithTimeout(300*time.Millisecond))
	bad := sandboxClient(t, sb, iocloud.WithAPIKey(iocloud.Secret(wrongKey)), iocloud.WithJWT(iocloud.Secret(wrongJWT)))
	ctx := t.Context()

	var errs []error
	collect := func(_ any, err error) { errs = append(errs, err) }
	collect(bad.Hardware(ctx))                      // 401
	collect(bad.CreateAPIKey(ctx, sampleRequest())) // 401 on the token
	invalid := sampleRequest()
	invalid.Scopes = []string{"root"}
	collect(good.CreateAPIKey(ctx, invalid)) // 422
	for _, f := range []sandbox.Fault{
		{Status: 502, ContentType: "text/html", Body: "<html><title>502</title></html>"},
		{Malformed: true},
		{Drop: true},
		{Latency: 2 * time.Second},
		{Status: 429, RetryAfter: "600"},
	} {
		sb.SetFault(sandbox.RouteHardware, f)
		sb.SetFault(sandbox.RouteCreateKey, f)
		collect(good.Hardware(ctx))
		collect(good.CreateAPIKey(ctx, sampleRequest()))
	}
	require.Len(t, errs, 13)
	for i, err := range errs {
		require.Error(t, err, "case %d", i)
		for _, text := range []string{err.Error(), testHints.Advice(err), fmt.Sprintf("%+v", err)} {
			for _, secret := range []string{sb.APIKey(), sb.JWT(), wrongKey, wrongJWT} {
				assert.NotContains(t, text, secret, "case %d", i)
			}
		}
	}
}

func TestSandboxFindHardware(t *testing.T) {
	t.Parallel()
	sb := startSandbox(t)
	c := sandboxClient(t, sb)
	ctx := t.Context()
	for query, id := range map[string]int{"7": 7, "h200": 203, "RTX4090": 41, "a100 80gb sxm": 15, "h100 pcie": 8} {
		h, err := c.FindHardware(ctx, query)
		require.NoError(t, err, query)
		assert.Equal(t, id, h.ID, query)
	}
	_, err := c.FindHardware(ctx, "H100")
	var le *iocloud.HardwareLookupError
	require.ErrorAs(t, err, &le)
	assert.True(t, le.Ambiguous)
	assert.Equal(t, []string{"H100 80GB HBM3", "H100 80GB PCIe"}, le.Matches)

	_, err = c.FindHardware(ctx, "B200")
	require.ErrorIs(t, err, iocloud.ErrUnknownHardware)
	assert.Contains(t, testHints.Advice(err), "Valid names: H100 80GB HBM3, H100 80GB PCIe, A100 80GB SXM, L40S 48GB, RTX 4090 24GB, H200 141GB HBM3e")
	assert.Equal(t, 1, sb.Requests(sandbox.RouteHardware), "lookups share the cached list")
}

// locationsOf renders a report compactly: "name: ISO2=n ISO2=n".
func locationsOf(r *iocloud.ReplicaReport) []string {
	var out []string
	for _, h := range r.Hardware {
		s := h.Hardware.Name + ":"
		for _, l := range h.Locations {
			s += fmt.Sprintf(" %s=%d", l.ISO2, l.AvailableReplicas)
		}
		out = append(out, s)
	}
	return out
}

func TestSandboxFindReplicas(t *testing.T) {
	t.Parallel()
	sb := startSandbox(t)
	c := sandboxClient(t, sb)
	ctx := t.Context()
	find := func(s iocloud.ReplicaSearch) *iocloud.ReplicaReport {
		t.Helper()
		r, err := c.FindReplicas(ctx, s)
		require.NoError(t, err, "%+v", s)
		return r
	}

	all := find(iocloud.ReplicaSearch{})
	assert.Equal(t, 1, all.GPUsPerContainer, "0 means 1")
	assert.Equal(t, []string{
		"H100 80GB HBM3: US=17 CA=16 DE=14",
		"A100 80GB SXM: DE=20 CA=3",
		"H200 141GB HBM3e: US=14 CA=3",
		"RTX 4090 24GB: CA=8 DE=7",
		"H100 80GB PCIe: US=8 DE=3",
	}, locationsOf(all), "L40S has nothing free; Japan has no room; sorted by replicas")
	assert.Equal(t, 113, all.TotalAvailableReplicas)
	assert.Equal(t, 47, all.Hardware[0].TotalAvailableReplicas)
	assert.Equal(t, 5, sb.Requests(sandbox.RouteReplicas), "one read per type with free GPUs")

	eight := find(iocloud.ReplicaSearch{GPUsPerContainer: 8})
	assert.Equal(t, []string{
		"H100 80GB HBM3: CA=2 DE=1",
		"A100 80GB SXM: DE=2",
		"H100 80GB PCIe: US=1",
		"H200 141GB HBM3e: US=1",
	}, locationsOf(eight), "RTX 4090 takes at most 4; ties sorted by name")
	assert.Equal(t, 7, eight.TotalAvailableReplicas)

	two := find(iocloud.ReplicaSearch{Hardware: "h100 80gb hbm3", GPUsPerContainer: 2})
	assert.Equal(t, []string{"H100 80GB HBM3: CA=8 US=7 DE=6"}, locationsOf(two))

	de := find(iocloud.ReplicaSearch{Country: "de"})
	assert.Equal(t, []string{
		"A100 80GB SXM: DE=20",
		"H100 80GB HBM3: DE=14",
		"RTX 4090 24GB: DE=7",
		"H100 80GB PCIe: DE=3",
	}, locationsOf(de))
	assert.Equal(t, 44, de.TotalAvailableReplicas)
	assert.Equal(t, locationsOf(de), locationsOf(find(iocloud.ReplicaSearch{Country: " GERMANY "})), "a name works like the code")

	japan := find(iocloud.ReplicaSearch{Country: "JP"})
	assert.Empty(t, japan.Hardware, "the fan-out drops types with no rows")
	assert.NotNil(t, japan.Hardware)
	japanH200 := find(iocloud.ReplicaSearch{Hardware: "203", Country: "Japan"})
	require.Len(t, japanH200.Hardware, 1, "an explicitly asked type stays")
	assert.Empty(t, japanH200.Hardware[0].Locations)
	assert.NotNil(t, japanH200.Hardware[0].Locations)
	assert.Zero(t, japanH200.TotalAvailableReplicas)
	assert.Empty(t, find(iocloud.ReplicaSearch{Country: "Atlantis"}).Hardware, "an unknown country is no rows, not an error")

	pool := find(iocloud.ReplicaSearch{NodePoolID: sb.NodePoolID(), GPUsPerContainer: 4})
	assert.Equal(t, []string{"H100 80GB HBM3: US=4", "A100 80GB SXM: DE=1"}, locationsOf(pool))

	_, err := c.FindReplicas(ctx, iocloud.ReplicaSearch{Hardware: "rtx 4090", GPUsPerContainer: 8})
	require.ErrorIs(t, err, iocloud.ErrValidation)
	assert.Contains(t, err.Error(), "at most 4")
	_, err = c.FindReplicas(ctx, iocloud.ReplicaSearch{Hardware: "h100"})
	require.ErrorIs(t, err, iocloud.ErrUnknownHardware)
}

func TestSandboxFindReplicasFetchedAtIsTheOldestRead(t *testing.T) {
	t.Parallel()
	sb := startSandbox(t)
	var mu sync.Mutex
	now := time.Date(2026, 11, 5, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); defer mu.Unlock(); now = now.Add(d) }
	c := sandboxClient(t, sb, iocloud.WithCacheTTL(time.Minute), iocloud.WithClock(clock))

	_, err := c.AvailableReplicas(t.Context(), iocloud.ReplicaQuery{HardwareID: 15, GPUsPerContainer: 1})
	require.NoError(t, err)
	oldest := clock()
	advance(20 * time.Second)
	_, err = c.Hardware(t.Context())
	require.NoError(t, err)
	advance(20 * time.Second)
	r, err := c.FindReplicas(t.Context(), iocloud.ReplicaSearch{})
	require.NoError(t, err)
	assert.Equal(t, oldest, r.FetchedAt)
}

func TestSandboxFindReplicasCancelled(t *testing.T) {
	t.Parallel()
	sb := startSandbox(t)
	sb.SetFault(sandbox.RouteReplicas, sandbox.Fault{Latency: 5 * time.Second})
	c := sandboxClient(t, sb)
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.FindReplicas(ctx, iocloud.ReplicaSearch{})
	require.Error(t, err)
	assert.Less(t, time.Since(start), 2*time.Second)
	assert.ErrorIs(t, err, iocloud.ErrUnavailable)
}

// otherJWT is a well-formed token the sandbox did not issue.
func otherJWT(exp time.Time) string {
	return "eyJhbGciOiJIUzI1NiJ9." + b64(fmt.Sprintf(`{"sub":"mallory","exp":%d}`, exp.Unix())) + ".Zm9yZ2Vk"
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
