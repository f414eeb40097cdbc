package main

import (
	"context"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// phase bounds one measured run: it stops at dur or at maxCalls, whichever
// comes first, and each call has its own deadline.
type phase struct {
	c        int
	dur      time.Duration
	maxCalls int64
	callTime time.Duration
}

// sample is what one phase measured at the client.
type sample struct {
	lat     []time.Duration
	errs    int64
	elapsed time.Duration
	lastErr error
}

// run calls call from p.c workers until the phase is over.
func (p phase) run(ctx context.Context, call func(ctx context.Context, worker int) error) sample {
	var started atomic.Int64
	var errs atomic.Int64
	var mu sync.Mutex
	var all []time.Duration
	var lastErr error
	end := time.Now().Add(p.dur)
	begin := time.Now()
	var wg sync.WaitGroup
	for w := range p.c {
		wg.Go(func() {
			lat := make([]time.Duration, 0, 1024)
			for time.Now().Before(end) && started.Add(1) <= p.maxCalls && ctx.Err() == nil {
				cctx, cancel := context.WithTimeout(ctx, p.callTime)
				t0 := time.Now()
				err := call(cctx, w)
				d := time.Since(t0)
				cancel()
				if err != nil {
					// A failed call ends this worker: a broken session
					// would otherwise fail in a tight loop.
					errs.Add(1)
					mu.Lock()
					lastErr = err
					mu.Unlock()
					break
				}
				lat = append(lat, d)
			}
			mu.Lock()
			all = append(all, lat...)
			mu.Unlock()
		})
	}
	wg.Wait()
	slices.Sort(all)
	return sample{lat: all, errs: errs.Load(), elapsed: time.Since(begin), lastErr: lastErr}
}

func (s sample) quantile(q float64) time.Duration {
	if len(s.lat) == 0 {
		return 0
	}
	i := int(q * float64(len(s.lat)-1))
	return s.lat[i]
}

// cell is one measured run of one side (ours or the reference).
type cell struct {
	p50, p99   float64 // ms
	rps        float64
	cpuPerCall float64 // µs of the server process
	// rigCPUPerCall is µs of this process: the client (go-sdk or plain)
	// and the fake io.net, which does the same work for both sides. On a
	// saturated machine it shares the cores with the server, so it is
	// part of every latency figure.
	rigCPUPerCall float64
	connsPerCall  float64 // new upstream connections per call
	calls         int
	errs          int64
	lastErr       error
}

// measure runs a warm-up phase (connections opened, caches filled), then
// the measured phase, reading the server's CPU and the upstream's accepted
// connections around it.
func measure(ctx context.Context, warm, p phase, pid int, up *upstream, call func(ctx context.Context, worker int) error) cell {
	warm.run(ctx, call)
	self := os.Getpid()
	cpu0, _ := cpuTime(pid)
	gen0, _ := cpuTime(self)
	conns0 := up.conns.Load()
	s := p.run(ctx, call)
	cpu1, _ := cpuTime(pid)
	gen1, _ := cpuTime(self)
	conns1 := up.conns.Load()
	n := len(s.lat)
	c := cell{calls: n, errs: s.errs, lastErr: s.lastErr, p50: ms(s.quantile(0.50)), p99: ms(s.quantile(0.99))}
	if n > 0 {
		c.rps = float64(n) / s.elapsed.Seconds()
		c.cpuPerCall = float64((cpu1 - cpu0).Microseconds()) / float64(n)
		c.rigCPUPerCall = float64((gen1 - gen0).Microseconds()) / float64(n)
		c.connsPerCall = float64(conns1-conns0) / float64(n)
	}
	return c
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
