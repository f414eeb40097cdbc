package main

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"time"
)

// results collects, per row, one figure per round for each side.
type results struct {
	order []string
	rows  map[string]*row
}

type row struct {
	scenario, metric string
	c                int
	ours, ref        []float64
	hasRef           bool
}

func newResults() *results { return &results{rows: map[string]*row{}} }

func (rs *results) add(scenario string, c int, metric string, ours, ref float64, hasRef bool) {
	key := fmt.Sprintf("%s|%d|%s", scenario, c, metric)
	r, ok := rs.rows[key]
	if !ok {
		r = &row{scenario: scenario, metric: metric, c: c, hasRef: hasRef}
		rs.rows[key] = r
		rs.order = append(rs.order, key)
	}
	r.ours = append(r.ours, ours)
	r.ref = append(r.ref, ref)
}

// cells records the usual five figures of an ours/reference pair.
func (rs *results) cells(scenario string, c int, a, b cell, hasRef bool) {
	rs.add(scenario, c, "p50 ms", a.p50, b.p50, hasRef)
	rs.add(scenario, c, "p99 ms", a.p99, b.p99, hasRef)
	rs.add(scenario, c, "req/s", a.rps, b.rps, hasRef)
	rs.add(scenario, c, "server CPU µs/call", a.cpuPerCall, b.cpuPerCall, hasRef)
	rs.add(scenario, c, "client + fake io.net CPU µs/call", a.rigCPUPerCall, b.rigCPUPerCall, hasRef)
	rs.add(scenario, c, "new upstream conns/call", a.connsPerCall, b.connsPerCall, hasRef)
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func num(x float64) string {
	switch {
	case x == 0:
		return "0"
	case x >= 100:
		return fmt.Sprintf("%.0f", x)
	case x >= 10:
		return fmt.Sprintf("%.1f", x)
	case x >= 0.1:
		return fmt.Sprintf("%.2f", x)
	default:
		return fmt.Sprintf("%.3f", x)
	}
}

// table is the markdown table README carries. ratio = ours / reference,
// taken per round; min / median / max over the rounds.
func (rs *results) table(o options, took time.Duration) string {
	var b strings.Builder
	mode := ""
	if o.smoke {
		mode = " (smoke: one short round; figures mean nothing)"
	}
	fmt.Fprintf(&b, "benchrig%s: %d round(s), %s per cell after %s warm-up, fake io.net latency %s, GOMAXPROCS %d, %s\n\n",
		mode, o.rounds, o.dur, o.warm, o.latency, runtime.GOMAXPROCS(0), took.Round(time.Second))
	b.WriteString("| scenario | c | metric | ours | reference | ratio min / median / max |\n|---|---|---|---|---|---|\n")
	for _, key := range rs.order {
		r := rs.rows[key]
		ref, ratio := "—", "—"
		if r.hasRef {
			ref = num(median(r.ref))
			var ratios []float64
			for i := range r.ours {
				if r.ref[i] > 0 {
					ratios = append(ratios, r.ours[i]/r.ref[i])
				}
			}
			if len(ratios) > 0 {
				ratio = fmt.Sprintf("%s / **%s** / %s", num(slices.Min(ratios)), num(median(ratios)), num(slices.Max(ratios)))
			}
		}
		ours := num(median(r.ours))
		if len(r.ours) > 1 {
			ours = fmt.Sprintf("%s (%s–%s)", ours, num(slices.Min(r.ours)), num(slices.Max(r.ours)))
		}
		fmt.Fprintf(&b, "| %s | %d | %s | %s | %s | %s |\n", r.scenario, r.c, r.metric, ours, ref, ratio)
	}
	return b.String()
}
