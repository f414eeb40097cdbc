package main

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// hardwareAsked is the type every single-type call asks for (by id).
const hardwareAsked = "3"

// round runs every scenario once, ours and the reference back to back,
// alternating which goes first.
func (r *rig) round(ctx context.Context, n int) error {
	oursFirst := n%2 == 0
	for _, c := range r.o.conc {
		warm, p := r.phases(c)
		plain := func(up *upstream, proc *serverProc, distinct bool, hardware string) cell {
			return measure(ctx, warm, p, proc.pid(), up, func(ctx context.Context, _ int) error {
				ask := plainAsk{Hardware: hardware}
				if distinct {
					ask.NodePoolID = replicasArgs("", true)["node_pool_id"].(string)
				}
				return plainCall(ctx, r.hc, proc.url, ask)
			})
		}
		overSessions := func(ss []*mcp.ClientSession, pid int, up *upstream, distinct bool, hardware string) cell {
			return measure(ctx, warm, p, pid, up, func(ctx context.Context, w int) error {
				return callReplicas(ctx, ss[w%len(ss)], replicasArgs(hardware, distinct))
			})
		}
		// HTTP sessions are connected afresh for each cell (outside the
		// measurement): a session left idle between cells may have had its
		// stream closed, and a client's first call would pay for it.
		overHTTP := func(url, era string, n int, pid int, up *upstream, distinct bool, hardware string) cell {
			ss, err := httpSessions(ctx, url, era, n, r.hc)
			if err != nil {
				return cell{errs: 1, lastErr: err}
			}
			defer closeAll(ss)
			return overSessions(ss, pid, up, distinct, hardware)
		}
		oursURL := r.ours.url + "/mcp"
		stdioSessions := []*mcp.ClientSession{r.stdio}

		for _, sc := range []struct {
			name string
			ours func() cell
		}{
			{"HTTP " + eraSessions, func() cell {
				return overHTTP(oursURL, eraSessions, c, r.ours.pid(), r.upOurs, false, hardwareAsked)
			}},
			{"HTTP " + eraStateless, func() cell {
				return overHTTP(oursURL, eraStateless, c, r.ours.pid(), r.upOurs, false, hardwareAsked)
			}},
			{"stdio", func() cell { return overSessions(stdioSessions, r.stdioPID, r.upStdio, false, hardwareAsked) }},
		} {
			a, b := pair(oursFirst, sc.ours, func() cell { return plain(r.upPlain, r.plain, false, hardwareAsked) })
			name := "list_available_replicas, cache off, " + sc.name
			r.note(name, c, a, b)
			r.results.cells(name, c, a, b, true)
		}

		r.bareRound(ctx, c, oursFirst, warm, p, func() cell { return plain(r.upPlain, r.plain, false, hardwareAsked) })

		for _, era := range []string{eraSessions, eraStateless} {
			warmCell := overHTTP(r.oursWarm.url+"/mcp", era, c, r.oursWarm.pid(), r.upWarm, false, hardwareAsked)
			name := "warm cache (HTTP " + era + ")"
			r.note(name, c, warmCell)
			r.results.add(name, c, "server CPU µs/call", warmCell.cpuPerCall, 0, false)
		}

		a, b := pair(oursFirst,
			func() cell {
				return overHTTP(oursURL, eraStateless, c, r.ours.pid(), r.upOurs, true, hardwareAsked)
			},
			func() cell { return plain(r.upPlain, r.plain, true, hardwareAsked) })
		r.note("distinct node_pool_id", c, a, b)
		r.results.add("distinct node_pool_id (nothing coalesces)", c, "new upstream conns/call", a.connsPerCall, b.connsPerCall, true)

		if c <= 8 {
			a, b := pair(oursFirst,
				func() cell {
					return overHTTP(r.oursFan.url+"/mcp", eraStateless, c, r.oursFan.pid(), r.upFan, false, "")
				},
				func() cell { return plain(r.upPlainFan, r.plainFan, false, "") })
			name := fmt.Sprintf("all-types fan-out over %d types", fanTypes)
			r.note(name, c, a, b)
			r.results.add(name, c, "p50 ms", a.p50, b.p50, true)
			r.results.add(name, c, "server CPU µs/call", a.cpuPerCall, b.cpuPerCall, true)
			r.results.add(name, c, "new upstream conns/call", a.connsPerCall, b.connsPerCall, true)
		}
	}
	if err := r.coldStarts(ctx, oursFirst); err != nil {
		return err
	}
	r.slackRound(ctx)
	return nil
}

// pair runs both sides in the round's order.
func pair(oursFirst bool, ours, ref func() cell) (a, b cell) {
	if oursFirst {
		a = ours()
		b = ref()
	} else {
		b = ref()
		a = ours()
	}
	return a, b
}

// coldStarts times exec → first tools/list over stdio, ours and the
// reference binary alternately; the round's figure is each one's median.
func (r *rig) coldStarts(ctx context.Context, oursFirst bool) error {
	refBin, refArgs, refEnv := r.o.coldRef, r.o.coldRefArgs, baseEnv(r.o.coldRefEnv...)
	if refBin == "" {
		refBin, refArgs, refEnv = r.mcpBin, nil, r.mcpEnv(r.upStdio, "0")
	}
	ourEnv := r.mcpEnv(r.upStdio, "0")
	// One unmeasured start of each, so neither pays for a cold page cache.
	if _, err := coldStart(ctx, r.mcpBin, nil, ourEnv); err != nil {
		return fmt.Errorf("cold start: %w", err)
	}
	if _, err := coldStart(ctx, refBin, refArgs, refEnv); err != nil {
		return fmt.Errorf("cold start of %s: %w", refBin, err)
	}
	var ours, ref []float64
	for i := range r.o.coldReps {
		first := (i%2 == 0) == oursFirst
		for _, side := range []bool{first, !first} {
			var d time.Duration
			var err error
			if side {
				d, err = coldStart(ctx, r.mcpBin, nil, ourEnv)
			} else {
				d, err = coldStart(ctx, refBin, refArgs, refEnv)
			}
			if err != nil {
				return fmt.Errorf("cold start: %w", err)
			}
			if side {
				ours = append(ours, ms(d))
			} else {
				ref = append(ref, ms(d))
			}
		}
	}
	r.results.add("cold start: exec → first tools/list (stdio)", 1, "ms", median(ours), median(ref), true)
	return nil
}

// slackRound: ack latency with io.net hanging (against Slack's 3 s), and
// busy answers, CPU and connection reuse with io.net fast and a slow
// response_url.
func (r *rig) slackRound(ctx context.Context) {
	c := slices.Max(r.o.conc)
	p := phase{c: c, dur: r.o.dur, maxCalls: 100000, callTime: 15 * time.Second}

	hang := slackPhase(ctx, p, r.hc, r.botHang, r.sink, false)
	r.results.add("Slack, io.net hanging", c, "ack p99 ms (vs Slack's 3000 ms)", ms(hang.ack.quantile(0.99)), 3000, true)
	r.results.add("Slack, io.net hanging", c, "busy answers %", 100*float64(hang.busy)/float64(max(1, hang.commands)), 0, false)

	r.sink.delay.Store(int64(200 * time.Millisecond))
	defer r.sink.delay.Store(0)
	// Warm-up: the bot's connections to response_url are opened here.
	slackPhase(ctx, phase{c: c, dur: max(r.o.warm, 500*time.Millisecond), maxCalls: 10000, callTime: 15 * time.Second}, r.hc, r.bot, r.sink, true)
	fast := slackPhase(ctx, p, r.hc, r.bot, r.sink, true)
	const name = "Slack, io.net fast, response_url 200 ms"
	r.results.add(name, c, "ack p99 ms", ms(fast.ack.quantile(0.99)), 0, false)
	r.results.add(name, c, "busy answers", float64(fast.busy), 0, false)
	r.results.add(name, c, "new conns per response_url post", fast.connsPerPost, 0, false)
	r.results.add(name, c, "bot CPU µs/command", fast.cpuPerCmd, 0, false)
	if n := hang.ack.errs + fast.ack.errs; n > 0 {
		r.failures += n
		r.lastFailure = fmt.Errorf("slack commands at c=%d: %w", c, firstErr(fast.ack.lastErr, hang.ack.lastErr))
	}
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}
