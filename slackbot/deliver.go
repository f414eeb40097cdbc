package slackbot

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"
)

// Answers that come after the acknowledgement are delivered apart from the
// jobs that prepare them. A job holds one of MaxJobs places only while it
// waits for io.net; it then hands its answer to this queue and frees its
// place. Before, a slow response_url held the place for up to 10 s, and
// under steady load half the commands were told "busy" although io.net
// answered in milliseconds.
const (
	// DefaultMaxDeliveries bounds the answers accepted for delivery and not
	// yet posted (waiting or being posted).
	DefaultMaxDeliveries = 1024
	// DefaultDeliveryWorkers bounds the posts to response_url at once; the
	// HTTP client keeps as many idle connections, so posts reuse them.
	DefaultDeliveryWorkers = 32
	// deliveryTimeout bounds one post, and how long a job waits for a place
	// in a full queue before its answer is given up (and logged).
	deliveryTimeout = 10 * time.Second
)

// NewHTTPClient is the client for response_url (and Slack's Web API): Go's
// default transport keeps 2 idle connections per host, so 64 answers in a
// burst opened ~48 new TLS connections to hooks.slack.com; this one keeps
// one per delivery worker.
func NewHTTPClient() *http.Client {
	rt := http.DefaultTransport
	if dt, ok := http.DefaultTransport.(*http.Transport); ok {
		t := dt.Clone()
		t.MaxIdleConnsPerHost = DefaultDeliveryWorkers
		t.MaxIdleConns = max(t.MaxIdleConns, 2*DefaultDeliveryWorkers)
		rt = t
	}
	return &http.Client{Timeout: deliveryTimeout, Transport: rt}
}

// deliveries is a bounded queue of answers with its own bounded workers.
// It starts no goroutine of its own: each accepted answer gets one, which
// waits for a worker place, so an idle bot has nothing running.
type deliveries struct {
	queued  chan struct{} // one per accepted answer, until it is posted
	workers chan struct{} // one per post in progress
	// outcomes are the posts of key-action answers in progress: a lane of
	// their own, so a flood of read answers to a slow response_url neither
	// delays a new key's secret nor drops it. Key actions are few (tickets
	// are single use and limited per person), so this lane is not bounded
	// by a queue, only its posts at once.
	outcomes chan struct{}
	wg       sync.WaitGroup
	log      *slog.Logger
}

// outcomeWorkers bounds the key-action answers posted at once.
const outcomeWorkers = 8

func newDeliveries(maxQueued, workers int, log *slog.Logger) *deliveries {
	return &deliveries{
		queued:   make(chan struct{}, maxQueued),
		workers:  make(chan struct{}, workers),
		outcomes: make(chan struct{}, outcomeWorkers),
		log:      log,
	}
}

// enqueueOutcome delivers a key action's answer in its own lane: it never
// waits behind the read answers' queue and is never dropped for it.
func (d *deliveries) enqueueOutcome(ctx context.Context, r responder, m *message) {
	ctx = context.WithoutCancel(ctx)
	d.wg.Go(func() {
		d.outcomes <- struct{}{}
		defer func() { <-d.outcomes }()
		d.post(ctx, r, m)
	})
}

// post sends m to r with its own deadline and logs a failure.
func (d *deliveries) post(ctx context.Context, r responder, m *message) {
	sctx, cancel := context.WithTimeout(ctx, deliveryTimeout)
	defer cancel()
	if err := r.respond(sctx, m); err != nil {
		d.log.WarnContext(ctx, "slack answer not delivered", "error", err.Error())
	}
}

// enqueue accepts m for delivery to r. Only when the queue is full does it
// wait, up to deliveryTimeout; an answer that finds no place by then is
// dropped and logged. Values of ctx are kept, its cancellation is not.
func (d *deliveries) enqueue(ctx context.Context, r responder, m *message) {
	ctx = context.WithoutCancel(ctx)
	select {
	case d.queued <- struct{}{}:
	default:
		wait := time.NewTimer(deliveryTimeout)
		defer wait.Stop()
		select {
		case d.queued <- struct{}{}:
		case <-wait.C:
			d.log.WarnContext(ctx, "slack answer not delivered: the delivery queue stayed full", "queued", cap(d.queued))
			return
		}
	}
	d.wg.Go(func() {
		defer func() { <-d.queued }()
		d.workers <- struct{}{}
		defer func() { <-d.workers }()
		d.post(ctx, r, m)
	})
}

// wait blocks until every accepted answer has been posted (or given up).
func (d *deliveries) wait() { d.wg.Wait() }
