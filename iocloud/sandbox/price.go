package sandbox

import (
	"encoding/json"
	"math"
	"net/http"
	"strconv"
)

// The sandbox's price model. io.net does not document how it prices (nor
// whether "discount" is an amount or a rate); the sandbox picks this, so
// tests can compute every number:
//
//	subtotal = hardware price × GPUs per container × replicas × hours × location multiplier
//	discount = 5% of subtotal for 168 hours (a week) or more, else 0   (an amount, USDC)
//	io.net fee = 2.5% of (subtotal − discount)
//	conversion fee = 1% of (subtotal − discount)
//	total = subtotal − discount + io.net fee + conversion fee
//
// Amounts are rounded to the cent. With several location_ids the highest
// multiplier among them applies (a quote must cover wherever the replicas
// land).
const (
	feePercent        = 2.5
	conversionPercent = 1.0
	discountPercent   = 5.0
	discountFromHours = 168
)

// PriceData is the "data" object of io.net's price answer.
type PriceData struct {
	ReplicaCount                 int     `json:"replica_count"`
	GPUsPerContainer             int     `json:"gpus_per_container"`
	AvailableReplicaCount        []int   `json:"available_replica_count"`
	Discount                     float64 `json:"discount"`
	IONetFee                     float64 `json:"ionet_fee"`
	IONetFeePercent              float64 `json:"ionet_fee_percent"`
	CurrencyConversionFee        float64 `json:"currency_conversion_fee"`
	CurrencyConversionFeePercent float64 `json:"currency_conversion_fee_percent"`
	TotalCostUSDC                float64 `json:"total_cost_usdc"`
}

type priceAnswer struct {
	Data PriceData `json:"data"`
}

// servePrice answers GET …/caas/price. Every query error is reported at
// once, in io.net's declaration order; then an unknown hardware or location
// is a 404, and more GPUs per container than the type takes a 422.
// available_replica_count holds, per location asked (in order), the
// containers of that size that fit there now.
func (s *Server) servePrice(w http.ResponseWriter, r *http.Request) {
	if !s.checkAPIKey(w, r) {
		return
	}
	var errs []fieldError
	ids, ferr := queryLocationIDs(r)
	if ferr != nil {
		errs = append(errs, *ferr)
	}
	hwID, ferr := queryInt(r, "hardware_id", -1)
	if ferr != nil {
		errs = append(errs, *ferr)
	}
	hours, ferr := queryInt(r, "duration_hours", 1)
	if ferr != nil {
		errs = append(errs, *ferr)
	}
	gpus, ferr := queryInt(r, "gpus_per_container", 1)
	if ferr != nil {
		errs = append(errs, *ferr)
	}
	replicas, ferr := queryInt(r, "replica_count", 1)
	if ferr != nil {
		errs = append(errs, *ferr)
	}
	if len(errs) > 0 {
		write422(w, errs)
		return
	}
	if _, ok := findHardware(hwID); !ok {
		writeDetail(w, http.StatusNotFound, "Hardware not found")
		return
	}
	for _, id := range ids {
		if _, ok := findLocation(id); !ok {
			writeDetail(w, http.StatusNotFound, "Location not found")
			return
		}
	}
	data, limit, ok := PriceFor(hwID, ids, gpus, replicas, hours)
	if !ok {
		write422(w, []fieldError{{
			Type: "less_than_equal", Loc: []any{"query", "gpus_per_container"},
			Msg:   "Input should be less than or equal to " + strconv.Itoa(limit),
			Input: strconv.Itoa(gpus), Ctx: map[string]any{"le": limit},
		}})
		return
	}
	writeJSON(w, http.StatusOK, priceAnswer{Data: data})
}

// PriceFor is the sandbox's quote (see the model above), for the price
// route and for tests that check the numbers. ok is false for an unknown
// hardware type or location, or more GPUs per container than the type's
// maximum (returned).
func PriceFor(hardwareID int, locationIDs []int, gpus, replicas, hours int) (data PriceData, maxGPUs int, ok bool) {
	hw, found := findHardware(hardwareID)
	if !found || gpus > hw.MaxGPUs {
		return PriceData{}, hw.MaxGPUs, false
	}
	multiplier := 0.0
	available := make([]int, 0, len(locationIDs))
	for _, id := range locationIDs {
		loc, found := findLocation(id)
		if !found {
			return PriceData{}, hw.MaxGPUs, false
		}
		multiplier = math.Max(multiplier, loc.Price)
		n := 0
		for _, row := range replicaRows(publicDevices, hw, gpus) {
			if row.ID == id {
				n = row.AvailableReplicas
			}
		}
		available = append(available, n)
	}
	return quote(hw.Price, multiplier, gpus, replicas, hours, available), hw.MaxGPUs, true
}

func quote(hwPrice, multiplier float64, gpus, replicas, hours int, available []int) PriceData {
	subtotal := hwPrice * float64(gpus*replicas*hours) * multiplier
	discount := 0.0
	if hours >= discountFromHours {
		discount = cents(subtotal * discountPercent / 100)
	}
	net := subtotal - discount
	fee := cents(net * feePercent / 100)
	conversion := cents(net * conversionPercent / 100)
	return PriceData{
		ReplicaCount: replicas, GPUsPerContainer: gpus, AvailableReplicaCount: available,
		Discount: discount, IONetFee: fee, IONetFeePercent: feePercent,
		CurrencyConversionFee: conversion, CurrencyConversionFeePercent: conversionPercent,
		TotalCostUSDC: cents(net + fee + conversion),
	}
}

func cents(x float64) float64 { return math.Round(x*100) / 100 }

// queryLocationIDs reads location_ids: required, a JSON array of at least
// one integer in one query parameter ("[9,12]"), as io.net documents it.
func queryLocationIDs(r *http.Request) ([]int, *fieldError) {
	raw, ok := queryValue(r, "location_ids")
	if !ok {
		e := missing("query", "location_ids")
		return nil, &e
	}
	var ids []int
	if err := json.Unmarshal([]byte(raw), &ids); err != nil || len(ids) == 0 {
		return nil, &fieldError{
			Type: "value_error", Loc: []any{"query", "location_ids"},
			Msg:   "Value error, location_ids must be a JSON array of location ids, e.g. [9,12]",
			Input: raw, Ctx: map[string]any{"error": map[string]any{}},
		}
	}
	return ids, nil
}
