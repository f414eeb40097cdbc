package main

import (
	"context"
	"encoding/json"
	"sync/atomic"
)

// bareRound makes the same calls as the go-sdk scenarios from bare
// JSON-RPC clients (HTTP in both eras, stdio) whose cost per call is the
// plain reference client's, so their latency ratio compares the servers.
func (r *rig) bareRound(ctx context.Context, c int, oursFirst bool, warm, p phase, plain func() cell) {
	overRaw := func(era string) cell {
		args, _ := json.Marshal(replicasArgs(hardwareAsked, false))
		clients := make([]*rawClient, 0, c)
		defer func() {
			for _, rc := range clients {
				rc.close(ctx)
			}
		}()
		for range c {
			rc, err := openRaw(ctx, r.hc, r.ours.url+"/mcp", era, args)
			if err != nil {
				return cell{errs: 1, lastErr: err}
			}
			clients = append(clients, rc)
		}
		var ids atomic.Int64
		return measure(ctx, warm, p, r.ours.pid(), r.upOurs, func(ctx context.Context, w int) error {
			return clients[w%len(clients)].call(ctx, ids.Add(1))
		})
	}
	overStdio := func() cell {
		return measure(ctx, warm, p, r.stdioBare.pid(), r.upStdioBare, func(ctx context.Context, _ int) error {
			return r.stdioBare.call(ctx)
		})
	}
	for _, sc := range []struct {
		name string
		ours func() cell
	}{
		{"HTTP " + eraSessions, func() cell { return overRaw(eraSessions) }},
		{"HTTP " + eraStateless, func() cell { return overRaw(eraStateless) }},
		{"stdio", overStdio},
	} {
		a, b := pair(oursFirst, sc.ours, plain)
		name := "list_available_replicas, cache off, " + sc.name + ", bare JSON-RPC client"
		r.note(name, c, a, b)
		r.results.cells(name, c, a, b, true)
	}
}
