package iocloud

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const priceJSON = `{"data":{"replica_count":2,"gpus_per_container":8,"available_replica_count":[3,1],"discount":0,` +
	`"ionet_fee":12.5,"ionet_fee_percent":2.5,"currency_conversion_fee":5,"currency_conversion_fee_percent":1,"total_cost_usdc":517.5}}`

// The price call sends exactly io.net's documented parameters: location_ids
// as one JSON array, every other parameter as a plain integer.
func TestPriceSendsTheDocumentedQuery(t *testing.T) {
	t.Parallel()
	var queries []string
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, http.MethodGet, r.Method)
		assert.Equal(t, pathPrice, r.URL.Path)
		assert.Equal(t, clientTestKey, r.Header.Get("x-api-key"))
		assert.Empty(t, r.Header.Get("token"))
		queries = append(queries, r.URL.RawQuery)
		answerJSON(w, http.StatusOK, priceJSON)
	})
	c := newClientFor(t, up.URL, WithCacheTTL(time.Hour))
	q := PriceQuery{LocationIDs: []int{9, 12, 9}, HardwareID: 203, DurationHours: 24, GPUsPerContainer: 8, ReplicaCount: 2}
	quote, err := c.Price(t.Context(), q)
	require.NoError(t, err)

	require.Len(t, queries, 1)
	assert.Equal(t, "duration_hours=24&gpus_per_container=8&hardware_id=203&location_ids=%5B9%2C12%5D&replica_count=2", queries[0])
	parsed, err := url.ParseQuery(queries[0])
	require.NoError(t, err)
	assert.Equal(t, url.Values{
		"location_ids": {"[9,12]"}, "hardware_id": {"203"}, "duration_hours": {"24"},
		"gpus_per_container": {"8"}, "replica_count": {"2"},
	}, parsed)

	assert.Equal(t, 2, quote.ReplicaCount)
	assert.Equal(t, 8, quote.GPUsPerContainer)
	assert.Equal(t, []int{3, 1}, quote.AvailableReplicaCount)
	assert.InDelta(t, 517.5, quote.TotalCostUSDC, 1e-9)
	assert.InDelta(t, 12.5, quote.IONetFee, 1e-9)
	assert.InDelta(t, 2.5, quote.IONetFeePercent, 1e-9)
	assert.InDelta(t, 5, quote.CurrencyConversionFee, 1e-9)
	assert.InDelta(t, 1, quote.CurrencyConversionFeePercent, 1e-9)
	assert.False(t, quote.FetchedAt.IsZero())

	quote.AvailableReplicaCount[0] = 99 // a caller's change must not reach the cache
	again, err := c.Price(t.Context(), q)
	require.NoError(t, err)
	assert.Len(t, queries, 1, "cached like the other reads")
	assert.Equal(t, []int{3, 1}, again.AvailableReplicaCount)
}

func TestPriceRefusesIncompleteQueries(t *testing.T) {
	t.Parallel()
	up := newUpstream(t, func(w http.ResponseWriter, _ *http.Request) { answerJSON(w, http.StatusOK, priceJSON) })
	c := newClientFor(t, up.URL)
	good := PriceQuery{LocationIDs: []int{9}, HardwareID: 7, DurationHours: 1, GPUsPerContainer: 1, ReplicaCount: 1}
	for name, tc := range map[string]struct {
		mutate func(*PriceQuery)
		field  string
	}{
		"no locations":      {func(q *PriceQuery) { q.LocationIDs = nil }, "location ids"},
		"zero location":     {func(q *PriceQuery) { q.LocationIDs = []int{0} }, "location ids"},
		"no hardware":       {func(q *PriceQuery) { q.HardwareID = 0 }, "hardware id"},
		"zero hours":        {func(q *PriceQuery) { q.DurationHours = 0 }, "hours"},
		"over a year":       {func(q *PriceQuery) { q.DurationHours = MaxDurationHours + 1 }, "hours"},
		"nine GPUs":         {func(q *PriceQuery) { q.GPUsPerContainer = 9 }, "GPUs per container"},
		"zero GPUs":         {func(q *PriceQuery) { q.GPUsPerContainer = 0 }, "GPUs per container"},
		"zero replicas":     {func(q *PriceQuery) { q.ReplicaCount = 0 }, "replicas"},
		"too many replicas": {func(q *PriceQuery) { q.ReplicaCount = 1 << 20 }, "replicas"},
	} {
		q := good
		tc.mutate(&q)
		_, err := c.Price(t.Context(), q)
		require.ErrorIs(t, err, ErrValidation, name)
		var in *InputError
		require.ErrorAs(t, err, &in, name)
		assert.Equal(t, tc.field, in.Field, name)
	}
	assert.Zero(t, up.total.Load(), "nothing invalid reaches io.net")
	_, err := c.Price(t.Context(), good)
	require.NoError(t, err)
}

func TestPriceMalformedAnswers(t *testing.T) {
	t.Parallel()
	for body, want := range map[string]string{
		`{"detail":"x"}`:                        `no "data" object`,
		`{"data":{"replica_count":1}}`:          `no "total_cost_usdc"`,
		`{"data":{"total_cost_usdc":-1}}`:       "negative",
		`{"data":{"total_cost_usdc":"twelve"}}`: "total_cost_usdc",
	} {
		up := newUpstream(t, func(w http.ResponseWriter, _ *http.Request) { answerJSON(w, http.StatusOK, body) })
		_, err := newClientFor(t, up.URL).Price(t.Context(), PriceQuery{LocationIDs: []int{9}, HardwareID: 7, DurationHours: 1, GPUsPerContainer: 1, ReplicaCount: 1})
		require.ErrorIs(t, err, ErrUnavailable, body)
		assert.Contains(t, err.Error(), want, body)
		assert.NotContains(t, err.Error(), "may have been", body)
	}
}
