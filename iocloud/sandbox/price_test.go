package sandbox_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/iocloud-chatops/iocloud/iocloud/sandbox"
)

type priceBody struct {
	Data sandbox.PriceData `json:"data"`
}

func priceQuery(ids string, hw, hours, gpus, replicas string) string {
	v := url.Values{}
	for name, val := range map[string]string{"location_ids": ids, "hardware_id": hw, "duration_hours": hours, "gpus_per_container": gpus, "replica_count": replicas} {
		if val != "" {
			v.Set(name, val)
		}
	}
	return sandbox.PathPrice + "?" + v.Encode()
}

func TestPriceIsDeterministic(t *testing.T) {
	s := start(t)
	// H100 80GB HBM3 (2.19) × 8 GPUs × 2 replicas × 24 h × Germany (1.10) = 925.056;
	// fee 2.5% = 23.13, conversion 1% = 9.25, no discount under a week.
	a := getWithKey(t, s, priceQuery("[9]", "7", "24", "8", "2"))
	require.Equal(t, http.StatusOK, a.Status, a.Body)
	var got priceBody
	a.decode(t, &got)
	assert.Equal(t, 2, got.Data.ReplicaCount)
	assert.Equal(t, 8, got.Data.GPUsPerContainer)
	assert.Equal(t, []int{1}, got.Data.AvailableReplicaCount, "Germany fits one 8-GPU container")
	assert.InDelta(t, 0, got.Data.Discount, 0)
	assert.InDelta(t, 23.13, got.Data.IONetFee, 1e-9)
	assert.InDelta(t, 2.5, got.Data.IONetFeePercent, 1e-9)
	assert.InDelta(t, 9.25, got.Data.CurrencyConversionFee, 1e-9)
	assert.InDelta(t, 1, got.Data.CurrencyConversionFeePercent, 1e-9)
	assert.InDelta(t, 957.44, got.Data.TotalCostUSDC, 1e-9)

	// Several locations: one availability each, the dearest multiplier.
	a = getWithKey(t, s, priceQuery("[9,12]", "7", "24", "8", "2"))
	a.decode(t, &got)
	assert.Equal(t, []int{1, 2}, got.Data.AvailableReplicaCount)
	assert.InDelta(t, 957.44, got.Data.TotalCostUSDC, 1e-9)

	// RTX 4090 (0.39) × 168 h × Canada (0.95) = 62.244; a week or more: 5% discount 3.11.
	a = getWithKey(t, s, priceQuery("[12]", "41", "168", "1", "1"))
	a.decode(t, &got)
	assert.InDelta(t, 3.11, got.Data.Discount, 1e-9)
	assert.InDelta(t, 1.48, got.Data.IONetFee, 1e-9)
	assert.InDelta(t, 0.59, got.Data.CurrencyConversionFee, 1e-9)
	assert.InDelta(t, 61.2, got.Data.TotalCostUSDC, 1e-9)

	want, _, ok := sandbox.PriceFor(41, []int{12}, 1, 1, 168)
	require.True(t, ok)
	assert.InDelta(t, want.TotalCostUSDC, got.Data.TotalCostUSDC, 0)
}

func TestPriceErrors(t *testing.T) {
	s := start(t)
	a := getWithKey(t, s, sandbox.PathPrice)
	require.Equal(t, http.StatusUnprocessableEntity, a.Status)
	var fe fieldErrors
	a.decode(t, &fe)
	assert.Equal(t, [][]any{
		{"query", "location_ids"}, {"query", "hardware_id"}, {"query", "duration_hours"},
		{"query", "gpus_per_container"}, {"query", "replica_count"},
	}, fe.locs(), "every missing parameter at once, in io.net's order")

	for _, ids := range []string{"9", "[]", "[9,", `["9"]`, "nine"} {
		a = getWithKey(t, s, priceQuery(ids, "7", "1", "1", "1"))
		require.Equal(t, http.StatusUnprocessableEntity, a.Status, ids)
		fe = fieldErrors{}
		a.decode(t, &fe)
		require.Len(t, fe.Detail, 1)
		assert.Equal(t, []any{"query", "location_ids"}, fe.Detail[0].Loc)
		assert.Contains(t, fe.Detail[0].Msg, "JSON array")
	}

	a = getWithKey(t, s, priceQuery("[9]", "7", "0", "x", "0"))
	require.Equal(t, http.StatusUnprocessableEntity, a.Status)
	fe = fieldErrors{}
	a.decode(t, &fe)
	assert.Equal(t, [][]any{{"query", "duration_hours"}, {"query", "gpus_per_container"}, {"query", "replica_count"}}, fe.locs())

	a = getWithKey(t, s, priceQuery("[9]", "999", "1", "1", "1"))
	assert.Equal(t, http.StatusNotFound, a.Status)
	assert.JSONEq(t, `{"detail":"Hardware not found"}`, a.Body)
	a = getWithKey(t, s, priceQuery("[9,77]", "7", "1", "1", "1"))
	assert.Equal(t, http.StatusNotFound, a.Status)
	assert.JSONEq(t, `{"detail":"Location not found"}`, a.Body)

	a = getWithKey(t, s, priceQuery("[9]", "41", "1", "8", "1"))
	require.Equal(t, http.StatusUnprocessableEntity, a.Status)
	fe = fieldErrors{}
	a.decode(t, &fe)
	assert.Equal(t, "less_than_equal", fe.Detail[0].Type)

	a = mustSend(t, http.MethodGet, s.URL()+priceQuery("[9]", "7", "1", "1", "1"), "")
	assert.Equal(t, http.StatusUnauthorized, a.Status, "credentials first")
	assert.Equal(t, 1+5+1+2+1+1, s.Requests(sandbox.RoutePrice), "every request above reached the route")
}
