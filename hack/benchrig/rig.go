package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// rig holds the processes under test and their fakes for the whole run.
type rig struct {
	o       options
	results *results
	tmp     string
	mcpBin  string
	slack   string
	hc      *http.Client

	// Each server gets its own fake io.net, so connections are attributed.
	ours, oursWarm, oursFan, plain, plainFan, bot, botHang *serverProc
	upOurs, upWarm, upFan, upPlain, upPlainFan, upStdio    *upstream
	upStdioBare                                            *upstream
	stdioBare                                              *rawStdio
	upBot, upBotHang                                       *upstream
	stdio                                                  *mcp.ClientSession
	stdioPID                                               int
	sink                                                   *sink

	failures    int64
	lastFailure error
	closers     []func()
}

// Fan-out width of the all-types scenario, and of the main fake.
const (
	mainTypes = 8
	fanTypes  = 100
)

func newRig(ctx context.Context, o options) (_ *rig, err error) {
	r := &rig{o: o, results: newResults(), hc: loopClient()}
	defer func() {
		if err != nil {
			r.close()
		}
	}()
	r.tmp, err = os.MkdirTemp("", "benchrig-")
	if err != nil {
		return nil, err
	}
	r.closers = append(r.closers, func() { _ = os.RemoveAll(r.tmp) })
	if o.binDir != "" {
		r.mcpBin, r.slack = filepath.Join(o.binDir, "iocloud-mcp"), filepath.Join(o.binDir, "iocloud-slackbot")
	} else if r.mcpBin, r.slack, err = buildBinaries(ctx, r.tmp); err != nil {
		return nil, err
	}

	for _, u := range []struct {
		up    **upstream
		types int
	}{{&r.upOurs, mainTypes}, {&r.upWarm, mainTypes}, {&r.upFan, fanTypes}, {&r.upPlain, mainTypes},
		{&r.upPlainFan, fanTypes}, {&r.upStdio, mainTypes}, {&r.upStdioBare, mainTypes}, {&r.upBot, mainTypes}, {&r.upBotHang, mainTypes}} {
		if *u.up, err = startUpstream(ctx, u.types, o.latency); err != nil {
			return nil, err
		}
		up := *u.up
		r.closers = append(r.closers, up.close)
	}
	r.upBotHang.hang.Store(true)

	if r.ours, err = r.startMCP(ctx, r.upOurs, "0"); err != nil {
		return nil, err
	}
	if r.oursWarm, err = r.startMCP(ctx, r.upWarm, "10m"); err != nil {
		return nil, err
	}
	if r.oursFan, err = r.startMCP(ctx, r.upFan, "0"); err != nil {
		return nil, err
	}
	if r.plain, err = r.startPlain(ctx, r.upPlain); err != nil {
		return nil, err
	}
	if r.plainFan, err = r.startPlain(ctx, r.upPlainFan); err != nil {
		return nil, err
	}
	if r.stdio, r.stdioPID, err = stdioSession(ctx, r.mcpBin, nil, r.mcpEnv(r.upStdio, "0"), eraStateless); err != nil {
		return nil, fmt.Errorf("iocloud-mcp over stdio: %w", err)
	}
	r.closers = append(r.closers, func() { _ = r.stdio.Close() })
	args, _ := json.Marshal(replicasArgs(hardwareAsked, false))
	if r.stdioBare, err = startRawStdio(ctx, r.mcpBin, r.mcpEnv(r.upStdioBare, "0"), args); err != nil {
		return nil, fmt.Errorf("iocloud-mcp over stdio, bare client: %w", err)
	}
	r.closers = append(r.closers, r.stdioBare.close)

	if r.sink, err = startSink(ctx); err != nil {
		return nil, err
	}
	r.closers = append(r.closers, r.sink.close)
	if r.bot, err = startSlackbot(ctx, r.slack, r.upBot); err != nil {
		return nil, err
	}
	r.closers = append(r.closers, r.bot.stop)
	if r.botHang, err = startSlackbot(ctx, r.slack, r.upBotHang); err != nil {
		return nil, err
	}
	r.closers = append(r.closers, r.botHang.kill)
	return r, nil
}

func (r *rig) mcpEnv(up *upstream, cacheTTL string, extra ...string) []string {
	return baseEnv(append([]string{"IOCLOUD_API_KEY=bench", "IOCLOUD_BASE_URL=" + up.url, "IOCLOUD_CACHE_TTL=" + cacheTTL}, extra...)...)
}

func (r *rig) startMCP(ctx context.Context, up *upstream, cacheTTL string) (*serverProc, error) {
	addr, err := freeAddr(ctx)
	if err != nil {
		return nil, err
	}
	p, err := startHTTPServer(ctx, r.mcpBin, nil, r.mcpEnv(up, cacheTTL, "IOCLOUD_MCP_TRANSPORT=http", "IOCLOUD_MCP_ADDR="+addr), addr)
	if err != nil {
		return nil, err
	}
	r.closers = append(r.closers, p.stop)
	return p, nil
}

func (r *rig) startPlain(ctx context.Context, up *upstream) (*serverProc, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	addr, err := freeAddr(ctx)
	if err != nil {
		return nil, err
	}
	p, err := startHTTPServer(ctx, self, []string{"-serve-plain", addr, up.url}, baseEnv(), addr)
	if err != nil {
		return nil, err
	}
	r.closers = append(r.closers, p.stop)
	return p, nil
}

func (r *rig) close() {
	for i := len(r.closers) - 1; i >= 0; i-- {
		r.closers[i]()
	}
	r.closers = nil
}

// note counts the failed calls of a scenario's cells and keeps the last,
// named, so a failed run says where it failed.
func (r *rig) note(scenario string, c int, cells ...cell) {
	for i, cl := range cells {
		if cl.errs > 0 {
			r.failures += cl.errs
			side := "ours"
			if i > 0 {
				side = "reference"
			}
			r.lastFailure = fmt.Errorf("%s, c=%d, %s: %w", scenario, c, side, cl.lastErr)
		}
	}
}

// phases are the warm-up and the measured phase at concurrency c.
func (r *rig) phases(c int) (warm, p phase) {
	warm = phase{c: c, dur: r.o.warm, maxCalls: 20000, callTime: 20 * time.Second}
	p = phase{c: c, dur: r.o.dur, maxCalls: 200000, callTime: 20 * time.Second}
	return warm, p
}

// peaks records each process's peak resident set (VmHWM) at the end.
func (r *rig) peaks() {
	mib := func(pid int) float64 { return float64(peakRSS(pid)) / 1024 }
	const name = "peak RSS (VmHWM), MiB"
	r.results.add(name, 0, "iocloud-mcp HTTP vs plain reference", mib(r.ours.pid()), mib(r.plain.pid()), true)
	r.results.add(name, 0, "iocloud-mcp stdio", mib(r.stdioPID), 0, false)
	r.results.add(name, 0, "iocloud-mcp, 100-type fan-out", mib(r.oursFan.pid()), mib(r.plainFan.pid()), true)
	r.results.add(name, 0, "iocloud-slackbot", mib(r.bot.pid()), 0, false)
}
