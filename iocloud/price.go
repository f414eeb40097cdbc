package iocloud

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

const pathPrice = "/enterprise/v1/io-cloud/caas/price"

// Bounds of a price query. io.net documents only minimums (1); a deployment
// lasts at most 8760 hours (a year), so a longer quote prices nothing real.
const (
	MaxDurationHours   = 8760
	maxPriceLocations  = 50
	maxPriceReplicas   = 10000
	priceLocationsHint = "pick them from the available replicas"
)

// PriceQuery asks io.net what a deployment would cost. Every field is
// required, as io.net requires them.
type PriceQuery struct {
	LocationIDs      []int // io.net's location_ids, sent as one JSON array ("[9,12]")
	HardwareID       int
	DurationHours    int // 1-8760
	GPUsPerContainer int // 1-8
	ReplicaCount     int // >= 1
}

// Quote is io.net's price for a PriceQuery. Amounts are USDC; the percent
// fields are percentages as io.net sends them.
type Quote struct {
	ReplicaCount                 int       `json:"replica_count"`
	GPUsPerContainer             int       `json:"gpus_per_container"`
	AvailableReplicaCount        []int     `json:"available_replica_count"`
	Discount                     float64   `json:"discount"`
	IONetFee                     float64   `json:"ionet_fee"`
	IONetFeePercent              float64   `json:"ionet_fee_percent"`
	CurrencyConversionFee        float64   `json:"currency_conversion_fee"`
	CurrencyConversionFeePercent float64   `json:"currency_conversion_fee_percent"`
	TotalCostUSDC                float64   `json:"total_cost_usdc"`
	FetchedAt                    time.Time `json:"fetched_at"`
}

// Price asks io.net for a quote (cached and retried like every read). The
// query is checked first: io.net would reject it anyway.
func (c *Client) Price(ctx context.Context, q PriceQuery) (*Quote, error) {
	ids, err := q.validate()
	if err != nil {
		return nil, err
	}
	query := url.Values{}
	query.Set("location_ids", ids)
	query.Set("hardware_id", strconv.Itoa(q.HardwareID))
	query.Set("duration_hours", strconv.Itoa(q.DurationHours))
	query.Set("gpus_per_container", strconv.Itoa(q.GPUsPerContainer))
	query.Set("replica_count", strconv.Itoa(q.ReplicaCount))
	key := pathPrice + "?" + query.Encode()
	v, err := c.read(ctx, key, func(ctx context.Context) (any, error) {
		cl := call{method: http.MethodGet, path: pathPrice, query: query, cred: credAPIKey, retry: true}
		var w wirePriceAnswer
		if err := c.do(ctx, cl, &w); err != nil {
			return nil, err
		}
		quote, err := w.quote()
		if err != nil {
			return nil, c.malformed(cl, c.base.Path+pathPrice, err.Error())
		}
		quote.FetchedAt = c.now()
		return quote, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*Quote).clone(), nil
}

// validate checks q and renders location_ids as io.net wants it: a JSON
// array without spaces, in the order given, without repeats.
func (q PriceQuery) validate() (string, error) {
	if len(q.LocationIDs) == 0 {
		return "", &InputError{Field: "location ids", Problem: "are missing; give at least one location id (" + priceLocationsHint + ")"}
	}
	if len(q.LocationIDs) > maxPriceLocations {
		return "", &InputError{Field: "location ids", Problem: fmt.Sprintf("are too many (%d); give at most %d", len(q.LocationIDs), maxPriceLocations)}
	}
	seen := map[int]bool{}
	parts := make([]string, 0, len(q.LocationIDs))
	for _, id := range q.LocationIDs {
		if id <= 0 {
			return "", &InputError{Field: "location ids", Problem: fmt.Sprintf("must be positive numbers, got %d (%s)", id, priceLocationsHint)}
		}
		if !seen[id] {
			seen[id] = true
			parts = append(parts, strconv.Itoa(id))
		}
	}
	switch {
	case q.HardwareID <= 0:
		return "", &InputError{Field: "hardware id", Problem: fmt.Sprintf("must be a positive number, got %d", q.HardwareID)}
	case q.DurationHours < 1 || q.DurationHours > MaxDurationHours:
		return "", &InputError{Field: "hours", Problem: fmt.Sprintf("must be between 1 and %d, got %d", MaxDurationHours, q.DurationHours)}
	case q.ReplicaCount < 1 || q.ReplicaCount > maxPriceReplicas:
		return "", &InputError{Field: "replicas", Problem: fmt.Sprintf("must be between 1 and %d, got %d", maxPriceReplicas, q.ReplicaCount)}
	}
	if err := checkGPUsPerContainer(q.GPUsPerContainer); err != nil {
		return "", err
	}
	return "[" + strings.Join(parts, ",") + "]", nil
}

func (q *Quote) clone() *Quote {
	out := *q
	out.AvailableReplicaCount = slices.Clone(q.AvailableReplicaCount)
	return &out
}

// wirePriceAnswer is GetCaasPriceResponse: {"data": {...}}, a Quote whose
// total is a pointer, so that a missing total is told from a zero one (the
// shallower field takes "total_cost_usdc" from Quote's).
type wirePriceAnswer struct {
	Data *struct {
		Quote
		TotalCostUSDC *float64 `json:"total_cost_usdc"`
	} `json:"data"`
}

func (w *wirePriceAnswer) quote() (*Quote, error) {
	d := w.Data
	switch {
	case d == nil:
		return nil, &problemError{msg: `no "data" object`}
	case d.TotalCostUSDC == nil:
		return nil, &problemError{msg: `no "total_cost_usdc"`}
	case *d.TotalCostUSDC < 0:
		return nil, &problemError{msg: "a negative total_cost_usdc"}
	}
	q := d.Quote
	q.AvailableReplicaCount = append([]int{}, d.AvailableReplicaCount...) // [] rather than null
	q.TotalCostUSDC = *d.TotalCostUSDC
	q.FetchedAt = time.Time{} // ours, set when it is read, never io.net's
	return &q, nil
}
