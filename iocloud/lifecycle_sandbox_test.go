package iocloud_test

// The key lifecycle and prices against the io.net simulator.

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/iocloud-chatops/iocloud/iocloud"
	"github.com/iocloud-chatops/iocloud/iocloud/sandbox"
)

func TestSandboxCreateListRevoke(t *testing.T) {
	t.Parallel()
	sb := startSandbox(t)
	c := sandboxClient(t, sb, iocloud.WithCacheTTL(time.Hour))
	ctx := t.Context()

	list, err := c.ListAPIKeys(ctx)
	require.NoError(t, err)
	assert.Empty(t, list.Keys)

	began := time.Now().Add(-time.Second)
	req := sampleRequest()
	created, err := c.CreateAPIKey(ctx, req)
	require.NoError(t, err)

	list, err = c.ListAPIKeys(ctx)
	require.NoError(t, err)
	require.Len(t, list.Keys, 1, "listed right after creation: the list is never cached")
	k := list.Keys[0]
	assert.Equal(t, created.Key.KeyID, k.KeyID)
	assert.Equal(t, created.Key.Display, k.Display)
	assert.Equal(t, req.Description, k.Description)
	assert.Equal(t, []string{"read"}, k.Scopes)
	assert.True(t, req.ExpiresAt.Equal(k.ExpiresAt))
	assert.False(t, k.IsExpired)
	assert.Len(t, list.Matching(req, began), 1)
	raw, err := json.Marshal(list)
	require.NoError(t, err)
	assert.NotContains(t, string(raw), created.Secret.Reveal())

	require.NoError(t, c.RevokeAPIKey(ctx, created.Key.KeyID))
	list, err = c.ListAPIKeys(ctx)
	require.NoError(t, err)
	assert.Empty(t, list.Keys, "revoked keys leave the list")

	err = c.RevokeAPIKey(ctx, created.Key.KeyID)
	require.ErrorIs(t, err, iocloud.ErrKeyNotFound)
	assert.Contains(t, testHints.Advice(err), "no API key with that id")
	assert.Equal(t, 2, sb.Requests(sandbox.RouteRevokeKey))
}

func TestSandboxRevokeIsSentOnce(t *testing.T) {
	t.Parallel()
	for name, fault := range map[string]sandbox.Fault{
		"503":                   {Status: 503, RetryAfter: "0"},
		"connection lost":       {Drop: true},
		"answer lost after act": {DropAfterEffect: true},
		"answer too late":       {DelayAfterEffect: 5 * time.Second},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			sb := startSandbox(t)
			c := sandboxClient(t, sb, iocloud.WithRetry(10, time.Millisecond, time.Millisecond, 10*time.Second),
				iocloud.WithTimeout(300*time.Millisecond))
			key, err := c.CreateAPIKey(t.Context(), sampleRequest())
			require.NoError(t, err)
			sb.SetFault(sandbox.RouteRevokeKey, fault)
			err = c.RevokeAPIKey(t.Context(), key.Key.KeyID)
			require.ErrorIs(t, err, iocloud.ErrUnavailable)
			assert.Equal(t, 1, sb.Requests(sandbox.RouteRevokeKey), "exactly one DELETE")
			assert.Contains(t, testHints.Advice(err), "may have been revoked anyway")
		})
	}
}

// The list is how a lost answer is cleared up: after a create whose answer
// was lost, the key is found there by what was asked and when.
func TestSandboxLostCreateIsFoundInTheList(t *testing.T) {
	t.Parallel()
	sb := startSandbox(t)
	c := sandboxClient(t, sb, iocloud.WithTimeout(300*time.Millisecond))
	sb.SetFault(sandbox.RouteCreateKey, sandbox.Fault{DropAfterEffect: true, Times: 1})
	began := time.Now().Add(-time.Second)
	req := sampleRequest()
	_, err := c.CreateAPIKey(t.Context(), req)
	require.ErrorIs(t, err, iocloud.ErrUnavailable)
	assert.Equal(t, 1, sb.Requests(sandbox.RouteCreateKey))

	list, err := c.ListAPIKeys(t.Context())
	require.NoError(t, err)
	found := list.Matching(req, began)
	require.Len(t, found, 1)
	assert.Equal(t, sb.CreatedKeys()[0].KeyID, found[0].KeyID)
	other := req
	other.Description = "something else"
	assert.Empty(t, list.Matching(other, began))
	assert.Empty(t, list.Matching(req, time.Now().Add(time.Hour)), "created before the attempt: not ours")
}

func TestSandboxPrice(t *testing.T) {
	t.Parallel()
	sb := startSandbox(t)
	c := sandboxClient(t, sb)
	q, err := c.Price(t.Context(), iocloud.PriceQuery{LocationIDs: []int{9, 12}, HardwareID: 7, DurationHours: 24, GPUsPerContainer: 8, ReplicaCount: 2})
	require.NoError(t, err)
	want, _, ok := sandbox.PriceFor(7, []int{9, 12}, 8, 2, 24)
	require.True(t, ok)
	assert.InDelta(t, want.TotalCostUSDC, q.TotalCostUSDC, 1e-9)
	assert.InDelta(t, want.IONetFee, q.IONetFee, 1e-9)
	assert.Equal(t, []int{1, 2}, q.AvailableReplicaCount)

	_, err = c.Price(t.Context(), iocloud.PriceQuery{LocationIDs: []int{77}, HardwareID: 7, DurationHours: 1, GPUsPerContainer: 1, ReplicaCount: 1})
	require.ErrorIs(t, err, iocloud.ErrNotFound)
	_, err = c.Price(t.Context(), iocloud.PriceQuery{LocationIDs: []int{9}, HardwareID: 41, DurationHours: 1, GPUsPerContainer: 8, ReplicaCount: 1})
	require.ErrorIs(t, err, iocloud.ErrValidation)
	assert.Contains(t, testHints.Advice(err), "gpus_per_container")
}

func TestSandboxQuotePrices(t *testing.T) {
	t.Parallel()
	sb := startSandbox(t)
	c := sandboxClient(t, sb, iocloud.WithCacheTTL(time.Hour))
	ctx := t.Context()

	// 8-GPU H100 HBM3 containers fit in Germany (1) and Canada (2), not in
	// the United States; Canada is cheaper.
	rep, err := c.QuotePrices(ctx, iocloud.PriceSearch{Hardware: "h100 80gb hbm3", Hours: 24, GPUsPerContainer: 8})
	require.NoError(t, err)
	assert.Equal(t, 7, rep.Hardware.ID)
	assert.Equal(t, 1, rep.Replicas)
	assert.Equal(t, 24, rep.Hours)
	require.Len(t, rep.Locations, 2)
	assert.Equal(t, "CA", rep.Locations[0].Location.ISO2, "cheapest first")
	assert.Equal(t, "DE", rep.Locations[1].Location.ISO2)
	for _, lp := range rep.Locations {
		want, _, _ := sandbox.PriceFor(7, []int{lp.Location.ID}, 8, 1, 24)
		assert.InDelta(t, want.TotalCostUSDC, lp.Quote.TotalCostUSDC, 1e-9, lp.Location.Name)
		assert.InDelta(t, want.TotalCostUSDC/24, lp.CostPerHour(24), 1e-9)
	}
	assert.Less(t, rep.Locations[0].Quote.TotalCostUSDC, rep.Locations[1].Quote.TotalCostUSDC)
	assert.False(t, rep.FetchedAt.IsZero())
	assert.Equal(t, 2, sb.Requests(sandbox.RoutePrice), "one quote per location")

	// Two replicas fit only in Canada.
	rep, err = c.QuotePrices(ctx, iocloud.PriceSearch{Hardware: "7", Hours: 24, GPUsPerContainer: 8, Replicas: 2})
	require.NoError(t, err)
	require.Len(t, rep.Locations, 1)
	assert.Equal(t, "CA", rep.Locations[0].Location.ISO2)

	// Country filter.
	rep, err = c.QuotePrices(ctx, iocloud.PriceSearch{Hardware: "7", Hours: 24, Country: "germany"})
	require.NoError(t, err)
	require.Len(t, rep.Locations, 1)
	assert.Equal(t, "DE", rep.Locations[0].Location.ISO2)

	// Nowhere has room: the answer says where the most room is.
	_, err = c.QuotePrices(ctx, iocloud.PriceSearch{Hardware: "7", Hours: 24, GPUsPerContainer: 8, Replicas: 3})
	var capErr *iocloud.CapacityError
	require.ErrorAs(t, err, &capErr)
	require.ErrorIs(t, err, iocloud.ErrNoCapacity)
	require.NotNil(t, capErr.Best)
	assert.Equal(t, "CA", capErr.Best.ISO2)
	assert.Contains(t, testHints.Advice(err), "the most is 2 in Canada (CA)")
	_, err = c.QuotePrices(ctx, iocloud.PriceSearch{Hardware: "7", Hours: 24, GPUsPerContainer: 8, Replicas: 2, Country: "DE"})
	require.ErrorAs(t, err, &capErr)
	assert.Contains(t, err.Error(), "no location in DE")

	// Unknown hardware lists the valid names; bad numbers are refused.
	_, err = c.QuotePrices(ctx, iocloud.PriceSearch{Hardware: "b200", Hours: 24})
	var lookup *iocloud.HardwareLookupError
	require.ErrorAs(t, err, &lookup)
	assert.Contains(t, testHints.Advice(err), "H200 141GB HBM3e")
	for _, s := range []iocloud.PriceSearch{
		{Hardware: "41", Hours: 24, GPUsPerContainer: 8},
		{Hardware: "7", Hours: 0},
		{Hardware: "", Hours: 1},
		{Hardware: "7", Hours: 1, Replicas: -1},
	} {
		_, err = c.QuotePrices(ctx, s)
		require.ErrorIs(t, err, iocloud.ErrValidation, "%+v", s)
		assert.NotErrorIs(t, err, iocloud.ErrUnavailable)
	}
}
