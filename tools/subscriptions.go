package tools

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// DefaultPollInterval is how often subscribed resources are re-read when
// Config.PollInterval is not set: the default IOCLOUD_CACHE_TTL.
const DefaultPollInterval = 10 * time.Second

// errNotReading: a subscriber's notification queue is full, so it no longer
// reads what we send.
var errNotReading = errors.New("the client does not read its notifications")

// watcher keeps the promise of resource subscriptions. mcp-go v1.2.1
// acknowledges resources/subscribe, resources/unsubscribe and (2026-07-28)
// subscriptions/listen and calls hooks, but tracks nothing and never sends
// notifications/resources/updated; that is done here.
//
// While anyone is subscribed, one goroutine re-reads every subscribed
// resource a little over once per interval (the client's cache TTL, so the
// previous read's cache entry has expired and io.net is asked at most once
// per TTL for each read behind them) and notifies the subscribers of a
// resource whose data changed. When the last subscriber leaves, the
// goroutine stops: nobody subscribed means no upstream traffic.
type watcher struct {
	read     func(ctx context.Context, uri string) (string, error) // a resource's fingerprint
	interval time.Duration
	logger   *slog.Logger

	mu   sync.Mutex
	subs map[string]map[any]notifyFunc // uri -> subscriber -> how to reach it
	seen map[string]string             // uri -> fingerprint last read ("" after a failed first read)
	stop context.CancelFunc            // non-nil while the poller runs
}

// notifyFunc tells one subscriber that uri changed.
type notifyFunc func(uri string) error

// A subscriber is either a legacy session (2025 eras: resources/subscribe),
// keyed by its id, or one subscriptions/listen stream (2026-07-28), keyed
// by the stream's own session object, which lives as long as the request.
type legacySession string

func newWatcher(r resourceReader, interval time.Duration, logger *slog.Logger) *watcher {
	return &watcher{
		read: func(ctx context.Context, uri string) (string, error) {
			doc, err := r.read(ctx, uri)
			if err != nil {
				return "", err
			}
			return fingerprint(doc)
		},
		interval: interval,
		logger:   logger,
		subs:     map[string]map[any]notifyFunc{},
		seen:     map[string]string{},
	}
}

// attach wires the watcher to the server's hooks; srv gives the server
// (which exists only after the hooks were handed to it).
func (w *watcher) attach(hooks *server.Hooks, srv func() *server.MCPServer) {
	hooks.AddAfterSubscribe(func(ctx context.Context, _ any, req *mcp.SubscribeRequest, _ *mcp.EmptyResult) {
		s := server.ClientSessionFromContext(ctx)
		if s == nil {
			return
		}
		id := s.SessionID()
		w.subscribe(ctx, legacySession(id), req.Params.URI, func(uri string) error {
			return srv().SendNotificationToSpecificClient(id, mcp.MethodNotificationResourceUpdated, map[string]any{"uri": uri})
		})
	})
	hooks.AddAfterUnsubscribe(func(ctx context.Context, _ any, req *mcp.UnsubscribeRequest, _ *mcp.EmptyResult) {
		if s := server.ClientSessionFromContext(ctx); s != nil {
			w.unsubscribe(legacySession(s.SessionID()), req.Params.URI)
		}
	})
	hooks.AddOnUnregisterSession(func(_ context.Context, s server.ClientSession) {
		w.drop(legacySession(s.SessionID()))
	})
	hooks.AddAfterSubscriptionsListen(letAckOut)
	// 2026-07-28: the stream is the subscription. It ends when the client
	// cancels the request or goes away, and so does the request's context.
	hooks.AddBeforeSubscriptionsListen(func(ctx context.Context, _ any, req *mcp.SubscriptionsListenRequest) {
		s := server.ClientSessionFromContext(ctx)
		if s == nil || len(req.Params.Notifications.ResourceSubscriptions) == 0 {
			return
		}
		notify := func(uri string) error {
			select {
			case s.NotificationChannel() <- updated(uri):
				return nil
			default:
				return errNotReading
			}
		}
		for _, uri := range req.Params.Notifications.ResourceSubscriptions {
			w.subscribe(ctx, s, uri, notify)
		}
		go func() {
			<-ctx.Done()
			w.drop(s)
		}()
	})
}

func updated(uri string) mcp.JSONRPCNotification {
	return mcp.JSONRPCNotification{
		JSONRPC: mcp.JSONRPC_VERSION,
		Notification: mcp.Notification{
			Method: mcp.MethodNotificationResourceUpdated,
			Params: mcp.NotificationParams{AdditionalFields: map[string]any{"uri": uri}},
		},
	}
}

// subscribe records a subscription. A URI this server does not serve is
// acknowledged (as mcp-go does) but never polled: there is nothing to
// watch. The first subscriber of a URI reads it once, inside its subscribe
// request, so that a change right after the answer already counts.
func (w *watcher) subscribe(ctx context.Context, key any, uri string, notify notifyFunc) {
	if !servesURI(uri) {
		w.logger.DebugContext(ctx, "subscription to a resource this server does not serve", "uri", uri)
		return
	}
	w.mu.Lock()
	first := len(w.subs[uri]) == 0
	if w.subs[uri] == nil {
		w.subs[uri] = map[any]notifyFunc{}
	}
	w.subs[uri][key] = notify
	w.mu.Unlock()

	if first {
		fp, err := w.read(ctx, uri)
		if err != nil {
			w.logger.WarnContext(ctx, "subscribed resource could not be read", "uri", uri, "err", err)
		}
		w.mu.Lock()
		if len(w.subs[uri]) > 0 { // nobody left while we read
			w.seen[uri] = fp
		}
		w.mu.Unlock()
	}

	w.mu.Lock()
	defer w.mu.Unlock()
	if w.stop == nil && len(w.subs) > 0 {
		// The poller outlives the subscribe request that starts it: it
		// ends when the last subscriber leaves, not with any request.
		pctx, cancel := context.WithCancel(context.Background())
		w.stop = cancel
		go w.poll(pctx) //nolint:contextcheck // lifetime is the subscriptions', not the request's
	}
}

func (w *watcher) unsubscribe(key any, uri string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.removeLocked(key, uri)
	w.stopIfIdleLocked()
}

// drop forgets every subscription of a subscriber that ended.
func (w *watcher) drop(key any) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for uri := range w.subs {
		w.removeLocked(key, uri)
	}
	w.stopIfIdleLocked()
}

func (w *watcher) removeLocked(key any, uri string) {
	set := w.subs[uri]
	delete(set, key)
	if len(set) == 0 {
		delete(w.subs, uri)
		delete(w.seen, uri)
	}
}

func (w *watcher) stopIfIdleLocked() {
	if len(w.subs) == 0 && w.stop != nil {
		w.stop()
		w.stop = nil
	}
}

// poll waits a little over the interval between reads, counted from the end
// of the previous poll, so the cache entries that poll filled have expired
// and every poll sees io.net's current data.
func (w *watcher) poll(ctx context.Context) {
	wait := w.interval + w.interval/20
	t := time.NewTimer(wait)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			w.pollOnce(ctx)
			t.Reset(wait)
		}
	}
}

// pollOnce re-reads each subscribed URI and notifies its subscribers when
// the data differs from the last read. A failed read notifies nobody and
// keeps the last good fingerprint: an io.net hiccup is not a change.
func (w *watcher) pollOnce(ctx context.Context) {
	w.mu.Lock()
	uris := make([]string, 0, len(w.subs))
	for uri := range w.subs {
		uris = append(uris, uri)
	}
	w.mu.Unlock()

	for _, uri := range uris {
		fp, err := w.read(ctx, uri)
		if ctx.Err() != nil {
			return // the last subscriber left while we read
		}
		if err != nil {
			w.logger.WarnContext(ctx, "subscribed resource could not be re-read", "uri", uri, "err", err)
			continue
		}
		type target struct {
			key    any
			notify notifyFunc
		}
		var targets []target
		w.mu.Lock()
		if last, watched := w.seen[uri]; watched && last != fp {
			w.seen[uri] = fp
			for key, notify := range w.subs[uri] {
				targets = append(targets, target{key, notify})
			}
		}
		w.mu.Unlock()
		for _, t := range targets {
			if err := t.notify(uri); err != nil {
				// The session is gone or no longer reads what we send: its
				// subscriptions are dead, and keeping them would poll
				// io.net for nobody. It can subscribe again.
				w.logger.InfoContext(ctx, "dropping the subscriptions of a client that cannot be notified", "uri", uri, "err", err)
				w.drop(t.key)
			}
		}
	}
}

// ackGrace bounds how long a listen that ended on its own waits for its
// acknowledgement to be written.
const ackGrace = 200 * time.Millisecond

// letAckOut works around a race in mcp-go v1.2.1's streamable HTTP: when a
// subscriptions/listen asks for nothing this server delivers, the handler
// sends notifications/subscriptions/acknowledged and returns at once; the
// request's notification forwarder may already have taken the ack off the
// channel but not yet written it when the response path closes the stream,
// and the ack is lost (the client then sees the result first). Waiting
// here, before the response is written, until the channel is empty and the
// forwarder has had a moment, keeps the ack first. A listen that ended
// because the client left (ctx done) has nobody to wait for. The upstream
// fix: the forwarder should write what it took off the channel even after
// the drain began, or the drain should wait for the forwarder to exit, as
// mcp-go's resumable path already does.
func letAckOut(ctx context.Context, _ any, _ *mcp.SubscriptionsListenRequest, _ *mcp.SubscriptionsListenResult) {
	if ctx.Err() != nil {
		return
	}
	s := server.ClientSessionFromContext(ctx)
	if s == nil {
		return
	}
	deadline := time.Now().Add(ackGrace)
	for len(s.NotificationChannel()) > 0 && time.Now().Before(deadline) {
		time.Sleep(2 * time.Millisecond)
	}
	time.Sleep(25 * time.Millisecond)
}
