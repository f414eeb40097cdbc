// Command benchrig measures iocloud's servers from outside, as real
// processes on loopback, against a fake io.net, and prints one table of
// ratios: ours against a plain Go reference doing the same upstream work,
// A/B interleaved over several rounds (min / median / max of the per-round
// ratios). Absolute figures drift with the machine's load; ratios taken in
// the same round do not. Nothing here asserts a speed: `make test` runs it
// once with -smoke to prove it still works; `make bench` runs it for real.
//
// Every loop is bounded in count and time, and everything listens on
// 127.0.0.1 only.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

type options struct {
	smoke       bool
	rounds      int
	dur, warm   time.Duration
	conc        []int
	latency     time.Duration
	binDir      string
	coldRef     string
	coldRefArgs []string
	coldRefEnv  []string
	coldReps    int
	out         string
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// Internal mode: the reference server, in its own process.
	if len(os.Args) == 4 && os.Args[1] == "-serve-plain" {
		if err := servePlain(ctx, os.Args[2], os.Args[3]); err != nil {
			fmt.Fprintln(os.Stderr, "benchrig reference:", err)
			os.Exit(1)
		}
		return
	}
	o, err := parseFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchrig:", err)
		os.Exit(2)
	}
	if err := run(ctx, o, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "benchrig:", err)
		os.Exit(1)
	}
}

func parseFlags(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("benchrig", flag.ContinueOnError)
	fs.BoolVar(&o.smoke, "smoke", false, "one short round at c=1,8: proves the rig works (seconds), measures nothing worth keeping")
	fs.IntVar(&o.rounds, "rounds", 5, "A/B rounds (1-20)")
	fs.DurationVar(&o.dur, "dur", time.Second, "measured time per cell (at most 30s)")
	fs.DurationVar(&o.warm, "warm", 300*time.Millisecond, "warm-up per cell before measuring")
	concList := fs.String("c", "1,8,64", "concurrencies")
	fs.DurationVar(&o.latency, "latency", 0, "fake io.net's latency per request")
	fs.StringVar(&o.binDir, "bin", "", "directory with iocloud-mcp and iocloud-slackbot (default: build them)")
	fs.StringVar(&o.coldRef, "cold-ref", "", "a second MCP server binary for the cold-start comparison (default: our own)")
	coldArgs := fs.String("cold-ref-args", "", "its arguments, space-separated (e.g. stdio)")
	coldEnv := fs.String("cold-ref-env", "", "its environment, comma-separated K=V (e.g. GITHUB_PERSONAL_ACCESS_TOKEN=x)")
	fs.IntVar(&o.coldReps, "cold-reps", 10, "cold starts per binary per round")
	fs.StringVar(&o.out, "out", "", "also write the table to this file")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	for _, f := range strings.Split(*concList, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > 256 {
			return o, fmt.Errorf("-c: %q is not a concurrency 1-256", f)
		}
		o.conc = append(o.conc, n)
	}
	o.coldRefArgs = strings.Fields(*coldArgs)
	for _, kv := range strings.Split(*coldEnv, ",") {
		if kv = strings.TrimSpace(kv); kv != "" {
			o.coldRefEnv = append(o.coldRefEnv, kv)
		}
	}
	if o.smoke {
		o.rounds, o.dur, o.warm, o.conc, o.coldReps = 1, 150*time.Millisecond, 50*time.Millisecond, []int{1, 8}, 1
	}
	switch {
	case o.rounds < 1 || o.rounds > 20:
		return o, errors.New("-rounds must be 1-20")
	case o.dur <= 0 || o.dur > 30*time.Second:
		return o, errors.New("-dur must be above 0 and at most 30s")
	case o.warm < 0 || o.warm > 10*time.Second:
		return o, errors.New("-warm must be 0-10s")
	case o.coldReps < 1 || o.coldReps > 100:
		return o, errors.New("-cold-reps must be 1-100")
	}
	return o, nil
}

func run(ctx context.Context, o options, stdout io.Writer) error {
	// The whole run is bounded too.
	ctx, cancel := context.WithTimeout(ctx, 30*time.Minute)
	defer cancel()
	r, err := newRig(ctx, o)
	if err != nil {
		return err
	}
	defer r.close()
	started := time.Now()
	for round := range o.rounds {
		if err := r.round(ctx, round); err != nil {
			return fmt.Errorf("round %d: %w", round+1, err)
		}
	}
	r.peaks()
	table := r.results.table(o, time.Since(started))
	if _, err := io.WriteString(stdout, table); err != nil {
		return err
	}
	if o.out != "" {
		if err := os.WriteFile(o.out, []byte(table), 0o600); err != nil {
			return err
		}
	}
	if r.failures > 0 {
		return fmt.Errorf("%d calls failed (last: %w)", r.failures, r.lastFailure)
	}
	return nil
}
