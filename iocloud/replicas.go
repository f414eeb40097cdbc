package iocloud

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"
)

// fanOutLimit bounds the concurrent replica reads of one FindReplicas.
const fanOutLimit = 4

// FindReplicas answers a ReplicaSearch: one type, or every type with free
// GPUs (bounded concurrency, through the cache); filtered by country;
// locations sorted by available replicas, descending.
//
// Choices made here, beyond io.net's API:
//   - GPUsPerContainer 0 means 1; otherwise it must be 1-8, and, for a type
//     asked by name, at most that type's max_gpus_per_container (an
//     *InputError says the limit, rather than an empty answer).
//   - Locations with 0 available replicas are left out.
//   - Country matches a location's ISO2 code or its name, case-insensitively.
//     A country with no match gives no locations, not an error: io.net lists
//     only places with capacity, so a typo cannot be told from a country
//     with nothing free.
//   - Without Hardware, every type with free GPUs that allows
//     GPUsPerContainer is asked (with a node pool, free public GPUs say
//     nothing, so every type that allows it); types left with no locations
//     are dropped. An explicitly asked type is kept, with no locations.
//   - Hardware is sorted by total available replicas, descending, then name.
//   - Any failed read fails the whole search: a partial list would read as
//     "nothing else is free".
func (c *Client) FindReplicas(ctx context.Context, s ReplicaSearch) (*ReplicaReport, error) {
	qty := s.GPUsPerContainer
	if qty == 0 {
		qty = 1
	}
	if err := checkGPUsPerContainer(qty); err != nil {
		return nil, err
	}
	country := normalizeName(s.Country)
	if len(country) > 60 {
		return nil, &InputError{Field: "country", Problem: "is too long; use a two-letter code such as DE or a country name"}
	}
	if s.NodePoolID != "" && !uuidPattern.MatchString(s.NodePoolID) {
		return nil, &InputError{Field: "node pool id", Problem: "must be a UUID such as 0b8e6c4e-1c0a-4a55-9a4e-1d6f2b0c7e11"}
	}

	hw, err := c.Hardware(ctx)
	if err != nil {
		return nil, err
	}
	oldest := hw.FetchedAt

	var targets []Hardware
	explicit := strings.TrimSpace(s.Hardware) != ""
	if explicit {
		h, err := findHardware(hw.Hardware, s.Hardware)
		if err != nil {
			return nil, err
		}
		if h.MaxGPUsPerContainer > 0 && qty > h.MaxGPUsPerContainer {
			return nil, &InputError{Field: "GPUs per container", Problem: fmt.Sprintf(
				"is %d, but %s takes at most %d per container; ask for 1-%d", qty, h.Name, h.MaxGPUsPerContainer, h.MaxGPUsPerContainer)}
		}
		targets = []Hardware{h}
	} else {
		for _, h := range hw.Hardware {
			if h.MaxGPUsPerContainer >= qty && (h.AvailableGPUs > 0 || s.NodePoolID != "") {
				targets = append(targets, h)
			}
		}
	}

	results := make([]HardwareReplicas, len(targets))
	fetched := make([]time.Time, len(targets))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(fanOutLimit)
	for i, h := range targets {
		g.Go(func() error {
			list, err := c.AvailableReplicas(gctx, ReplicaQuery{HardwareID: h.ID, GPUsPerContainer: qty, NodePoolID: s.NodePoolID})
			if err != nil {
				return err
			}
			results[i] = hardwareReplicas(h, list.Locations, country)
			fetched[i] = list.FetchedAt
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}

	report := &ReplicaReport{GPUsPerContainer: qty, Hardware: []HardwareReplicas{}}
	for i, r := range results {
		if fetched[i].Before(oldest) {
			oldest = fetched[i]
		}
		if len(r.Locations) == 0 && !explicit {
			continue
		}
		report.Hardware = append(report.Hardware, r)
		report.TotalAvailableReplicas += r.TotalAvailableReplicas
	}
	slices.SortStableFunc(report.Hardware, func(a, b HardwareReplicas) int {
		return cmp.Or(
			cmp.Compare(b.TotalAvailableReplicas, a.TotalAvailableReplicas),
			cmp.Compare(a.Hardware.Name, b.Hardware.Name),
		)
	})
	report.FetchedAt = oldest
	return report, nil
}

// hardwareReplicas keeps the locations with room that match country, sorted
// by available replicas (descending), then name and id.
func hardwareReplicas(h Hardware, locs []Location, country string) HardwareReplicas {
	out := HardwareReplicas{Hardware: h, Locations: []Location{}}
	for _, l := range locs {
		if l.AvailableReplicas <= 0 || !matchesCountry(l, country) {
			continue
		}
		out.Locations = append(out.Locations, l)
		out.TotalAvailableReplicas += l.AvailableReplicas
	}
	slices.SortStableFunc(out.Locations, func(a, b Location) int {
		return cmp.Or(
			cmp.Compare(b.AvailableReplicas, a.AvailableReplicas),
			cmp.Compare(a.Name, b.Name),
			cmp.Compare(a.ID, b.ID),
		)
	})
	return out
}

// matchesCountry compares a normalized (lower-case, single-spaced) country
// with a location's ISO2 code and name. Empty matches everything.
func matchesCountry(l Location, country string) bool {
	if country == "" {
		return true
	}
	return strings.EqualFold(l.ISO2, country) || normalizeName(l.Name) == country
}
