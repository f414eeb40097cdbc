package iocloud

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"
)

// maxQuotedLocations bounds the price reads of one QuotePrices; the
// locations with the most room are priced first.
const maxQuotedLocations = 10

// PriceSearch is what a person asks: a hardware type by id or name, hours,
// GPUs per container (0 means 1), replicas (0 means 1) and an optional
// country (ISO2 or name).
type PriceSearch struct {
	Hardware         string
	Hours            int
	GPUsPerContainer int
	Replicas         int
	Country          string
}

// LocationPrice is one location and io.net's quote for running the
// replicas there.
type LocationPrice struct {
	Location Location `json:"location"`
	Quote    Quote    `json:"quote"`
}

// CostPerHour is the quote's total spread over the hours asked for.
func (p LocationPrice) CostPerHour(hours int) float64 {
	if hours <= 0 {
		return 0
	}
	return p.Quote.TotalCostUSDC / float64(hours)
}

// PriceReport is the answer of Client.QuotePrices.
type PriceReport struct {
	Hardware         Hardware        `json:"hardware"`
	GPUsPerContainer int             `json:"gpus_per_container"`
	Replicas         int             `json:"replicas"`
	Hours            int             `json:"hours"`
	Locations        []LocationPrice `json:"locations"`  // cheapest first
	FetchedAt        time.Time       `json:"fetched_at"` // the oldest read behind it
}

// CapacityError says no location (in the country asked) has room for the
// replicas, so there is nothing to price. Best is the location with the most
// room, if any has some.
type CapacityError struct {
	Hardware         string
	GPUsPerContainer int
	Replicas         int
	Country          string
	Best             *Location
}

// ErrNoCapacity matches every *CapacityError with errors.Is.
var ErrNoCapacity = errors.New("no location has room for the replicas")

func (e *CapacityError) Error() string {
	where := "no location"
	if e.Country != "" {
		where = "no location in " + clip(printable(e.Country), 60)
	}
	msg := fmt.Sprintf("%s has room for %d replica(s) of %s with %d GPU(s) each right now", where, e.Replicas, e.Hardware, e.GPUsPerContainer)
	if e.Best != nil {
		msg += fmt.Sprintf("; the most is %d in %s (%s)", e.Best.AvailableReplicas, e.Best.Name, e.Best.ISO2)
	}
	return msg + "; ask for fewer replicas or GPUs per container, or another country"
}

// Is makes every CapacityError match ErrNoCapacity.
func (e *CapacityError) Is(target error) bool { return target == ErrNoCapacity }

// QuotePrices prices a PriceSearch where it can run: it finds the locations
// (in the country, when one is given) with room for all the replicas, asks
// io.net for a quote for each (bounded concurrency, through the cache) and
// returns them cheapest first. io.net deploys to one location at a time, so
// each location is priced on its own. No location with room is a
// *CapacityError; an unknown hardware name a *HardwareLookupError.
func (c *Client) QuotePrices(ctx context.Context, s PriceSearch) (*PriceReport, error) {
	gpus := cmp.Or(s.GPUsPerContainer, 1)
	replicas := cmp.Or(s.Replicas, 1)
	if strings.TrimSpace(s.Hardware) == "" {
		return nil, &InputError{Field: "hardware", Problem: "is missing; give a hardware id or name (list the hardware to see them)"}
	}
	if _, err := (PriceQuery{LocationIDs: []int{1}, HardwareID: 1, DurationHours: s.Hours, GPUsPerContainer: gpus, ReplicaCount: replicas}).validate(); err != nil {
		return nil, err
	}
	found, err := c.FindReplicas(ctx, ReplicaSearch{Hardware: s.Hardware, GPUsPerContainer: gpus, Country: s.Country})
	if err != nil {
		return nil, err
	}
	if len(found.Hardware) != 1 { // an explicit type is always kept
		return nil, fmt.Errorf("%w: io.net's replica search returned %d hardware types for one", ErrUnavailable, len(found.Hardware))
	}
	hr := found.Hardware[0]
	var fit []Location
	for _, l := range hr.Locations { // most room first
		if l.AvailableReplicas >= replicas {
			fit = append(fit, l)
		}
	}
	if len(fit) == 0 {
		e := &CapacityError{Hardware: hr.Hardware.Name, GPUsPerContainer: gpus, Replicas: replicas, Country: strings.TrimSpace(s.Country)}
		if len(hr.Locations) > 0 {
			best := hr.Locations[0]
			e.Best = &best
		}
		return nil, e
	}
	fit = fit[:min(len(fit), maxQuotedLocations)]

	prices := make([]LocationPrice, len(fit))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(fanOutLimit)
	for i, l := range fit {
		g.Go(func() error {
			q, err := c.Price(gctx, PriceQuery{
				LocationIDs: []int{l.ID}, HardwareID: hr.Hardware.ID, DurationHours: s.Hours,
				GPUsPerContainer: gpus, ReplicaCount: replicas,
			})
			if err != nil {
				return err
			}
			prices[i] = LocationPrice{Location: l, Quote: *q}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	slices.SortStableFunc(prices, func(a, b LocationPrice) int {
		return cmp.Or(cmp.Compare(a.Quote.TotalCostUSDC, b.Quote.TotalCostUSDC),
			cmp.Compare(b.Location.AvailableReplicas, a.Location.AvailableReplicas),
			cmp.Compare(a.Location.Name, b.Location.Name))
	})
	oldest := found.FetchedAt
	for _, p := range prices {
		if p.Quote.FetchedAt.Before(oldest) {
			oldest = p.Quote.FetchedAt
		}
	}
	return &PriceReport{
		Hardware: hr.Hardware, GPUsPerContainer: gpus, Replicas: replicas, Hours: s.Hours,
		Locations: prices, FetchedAt: oldest,
	}, nil
}
