package tools_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/iocloud-chatops/iocloud/internal/testutil"
	"github.com/iocloud-chatops/iocloud/iocloud"
	"github.com/iocloud-chatops/iocloud/iocloud/sandbox"
	"github.com/iocloud-chatops/iocloud/tools"
	"github.com/mark3labs/mcp-go/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// readEnv is a read-only tools server on a sandbox whose clock the test
// moves, reached through a proxy that records every query sent to io.net.
type readEnv struct {
	sb      *sandbox.Server
	client  *iocloud.Client
	clock   *testutil.Clock
	mu      sync.Mutex
	queries map[string][]string // path -> raw queries
	mcp     *client.Client
}

func newReadEnv(t *testing.T, jwt bool) *readEnv {
	t.Helper()
	e := &readEnv{clock: testutil.NewClock(time.Now()), queries: map[string][]string{}}
	e.sb = sandbox.New(sandbox.WithClock(e.clock.Now))
	t.Cleanup(e.sb.Close)
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.mu.Lock()
		e.queries[r.URL.Path] = append(e.queries[r.URL.Path], r.URL.RawQuery)
		e.mu.Unlock()
		e.sb.Handler().ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)
	token := iocloud.Secret(e.sb.JWT())
	if !jwt {
		token = ""
	}
	var err error
	e.client, err = iocloud.New(
		iocloud.WithBaseURL(proxy.URL),
		iocloud.WithAPIKey(iocloud.Secret(e.sb.APIKey())),
		iocloud.WithJWT(token),
		iocloud.WithSandbox(true),
		iocloud.WithCacheTTL(0),
		iocloud.WithRetry(1, 0, 0, time.Minute),
	)
	require.NoError(t, err)
	srv, err := tools.NewServer(tools.Config{Catalog: e.client, ReadOnly: true, Sandbox: true, Version: "test", ValidateOutput: true})
	require.NoError(t, err)
	e.mcp = connect(t, srv)
	return e
}

func (e *readEnv) sent(path string) []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.queries[path])
}

func TestReadOnlyServesTheNewReadTools(t *testing.T) {
	t.Parallel()
	e := newReadEnv(t, true)
	names := toolNames(t, e.mcp)
	assert.Contains(t, names, "list_api_keys")
	assert.Contains(t, names, "quote_price")
	assert.NotContains(t, names, "create_api_key")
}

func TestListAPIKeysTool(t *testing.T) {
	t.Parallel()
	e := newReadEnv(t, true)
	ctx := t.Context()
	old, err := e.client.CreateAPIKey(ctx, iocloud.KeyRequest{Description: "old", ExpiresAt: e.clock.Now().Add(24 * time.Hour), Project: "io-cloud", Scopes: []string{"read"}})
	require.NoError(t, err)
	e.clock.Advance(time.Minute)
	fresh, err := e.client.CreateAPIKey(ctx, iocloud.KeyRequest{Description: "ci <@U123> *bold*", ExpiresAt: e.clock.Now().Add(30 * 24 * time.Hour), Project: "io-cloud", Scopes: []string{"all"}})
	require.NoError(t, err)
	e.clock.Advance(48 * time.Hour) // "old" has expired

	res := call(t, e.mcp, "list_api_keys", nil)
	require.False(t, res.IsError, textOf(res))
	out := structuredOf(t, res)
	assert.Equal(t, true, out["sandbox"])
	keys := out["keys"].([]any)
	require.Len(t, keys, 1, "expired keys are left out by default")
	k := keys[0].(map[string]any)
	assert.Equal(t, fresh.Key.KeyID, k["key_id"])
	assert.Equal(t, fresh.Key.Display, k["display"])
	assert.Equal(t, "ci <@U123> *bold*", k["description"])
	assert.Equal(t, "io-cloud", k["project"])
	assert.Equal(t, []any{"all"}, k["scopes"])
	assert.Equal(t, false, k["expired"])
	assert.NotEmpty(t, k["created_at"])
	assert.Equal(t, fresh.Key.ExpiresAt.UTC().Format(time.RFC3339), k["expires_at"])
	assert.Contains(t, textOf(res), "1 expired key left out")
	assert.Contains(t, textOf(res), "sandbox data")

	res = call(t, e.mcp, "list_api_keys", map[string]any{"include_expired": true})
	require.False(t, res.IsError, textOf(res))
	keys = structuredOf(t, res)["keys"].([]any)
	require.Len(t, keys, 2)
	assert.Equal(t, fresh.Key.KeyID, keys[0].(map[string]any)["key_id"], "newest first")
	assert.Equal(t, old.Key.KeyID, keys[1].(map[string]any)["key_id"])
	assert.Equal(t, true, keys[1].(map[string]any)["expired"])

	raw, err := json.Marshal(res)
	require.NoError(t, err)
	for _, secret := range []string{old.Secret.Reveal(), fresh.Secret.Reveal(), e.sb.JWT(), e.sb.APIKey()} {
		assert.NotContains(t, string(raw), secret, "no secret in the list")
	}

	res = call(t, e.mcp, "list_api_keys", map[string]any{"include_expired": "yes"})
	require.True(t, res.IsError)
	assert.Contains(t, textOf(res), `Argument include_expired: got the text "yes", send true or false`)
}

func TestListAPIKeysWithoutJWTSaysHowToGetOne(t *testing.T) {
	t.Parallel()
	e := newReadEnv(t, false)
	res := call(t, e.mcp, "list_api_keys", nil)
	require.True(t, res.IsError)
	assert.Contains(t, textOf(res), "Listing API keys needs an io.net session token")
	assert.Contains(t, textOf(res), iocloud.JWTHowTo)
	assert.Empty(t, e.sent(sandbox.PathListKeys), "io.net is not asked without a token")
}

func TestQuotePriceTool(t *testing.T) {
	t.Parallel()
	e := newReadEnv(t, true)

	res := call(t, e.mcp, "quote_price", map[string]any{"hardware": "h100 80gb hbm3", "hours": 24, "gpus_per_container": 8})
	require.False(t, res.IsError, textOf(res))

	// Exactly io.net's documented parameters, one quote per location with room.
	got := e.sent(sandbox.PathPrice)
	slices.Sort(got)
	assert.Equal(t, []string{
		"duration_hours=24&gpus_per_container=8&hardware_id=7&location_ids=%5B12%5D&replica_count=1",
		"duration_hours=24&gpus_per_container=8&hardware_id=7&location_ids=%5B9%5D&replica_count=1",
	}, got)

	out := structuredOf(t, res)
	assert.Equal(t, map[string]any{"id": float64(7), "name": "H100 80GB HBM3", "brand": "NVIDIA"}, out["hardware"])
	assert.InDelta(t, 8, out["gpus_per_container"], 0)
	assert.InDelta(t, 1, out["replicas"], 0)
	assert.InDelta(t, 24, out["hours"], 0)
	locs := out["locations"].([]any)
	require.Len(t, locs, 2)
	ca, de := locs[0].(map[string]any), locs[1].(map[string]any)
	assert.Equal(t, "CA", ca["iso2"], "cheapest first")
	assert.Equal(t, "DE", de["iso2"])
	wantCA, _, _ := sandbox.PriceFor(7, []int{12}, 8, 1, 24)
	wantDE, _, _ := sandbox.PriceFor(7, []int{9}, 8, 1, 24)
	assert.InDelta(t, wantCA.TotalCostUSDC, ca["total_cost_usdc"], 1e-9)
	assert.InDelta(t, wantDE.TotalCostUSDC, de["total_cost_usdc"], 1e-9)
	assert.InDelta(t, wantCA.TotalCostUSDC, out["total_cost_usdc"], 1e-9, "the top level is the cheapest location")
	assert.InDelta(t, float64(int(wantCA.TotalCostUSDC/24*100+0.5))/100, out["cost_per_hour_usdc"], 1e-9)
	assert.Equal(t, map[string]any{
		"discount": wantCA.Discount, "ionet_fee": wantCA.IONetFee, "ionet_fee_percent": wantCA.IONetFeePercent,
		"currency_conversion_fee": wantCA.CurrencyConversionFee, "currency_conversion_fee_percent": wantCA.CurrencyConversionFeePercent,
	}, out["fees"])
	assert.InDelta(t, 2, ca["available_replicas"], 0)
	text := textOf(res)
	assert.Contains(t, text, "cheapest")
	assert.Contains(t, text, "io.net fee")
	assert.Contains(t, text, "sandbox data")

	// A country narrows the locations priced.
	res = call(t, e.mcp, "quote_price", map[string]any{"hardware": "7", "hours": 24, "country": "de"})
	require.False(t, res.IsError, textOf(res))
	locs = structuredOf(t, res)["locations"].([]any)
	require.Len(t, locs, 1)
	assert.Equal(t, "DE", locs[0].(map[string]any)["iso2"])
}

func TestQuotePriceFailures(t *testing.T) {
	t.Parallel()
	e := newReadEnv(t, true)
	for _, tc := range []struct {
		args map[string]any
		want []string
	}{
		{map[string]any{"hardware": "TPU v5", "hours": 1}, []string{"Unknown hardware", "RTX 4090 24GB", "H200 141GB HBM3e"}},
		{map[string]any{"hardware": "7", "hours": 1, "gpus_per_container": 8, "replicas": 3}, []string{"has room for 3", "the most is 2 in Canada"}},
		{map[string]any{"hardware": "41", "hours": 1, "gpus_per_container": 8}, []string{"RTX 4090 24GB takes at most 4"}},
		{map[string]any{"hardware": "7"}, []string{"Argument hours is missing: send a whole number of hours from 1 to 8760"}},
		{map[string]any{"hardware": "7", "hours": "24"}, []string{`Argument hours: got the text "24"`}},
		{map[string]any{"hardware": 7, "hours": 24}, []string{"Argument hardware: got the number 7, send a hardware id or name as a string"}},
		{map[string]any{"hardware": "7", "hours": 24, "location": "DE"}, []string{"Argument location is not accepted"}},
	} {
		res := call(t, e.mcp, "quote_price", tc.args)
		require.True(t, res.IsError, "%v: %s", tc.args, textOf(res))
		for _, w := range tc.want {
			assert.Contains(t, textOf(res), w, "%v", tc.args)
		}
	}
	assert.Empty(t, e.sent(sandbox.PathPrice), "nothing was priced")
}
