package slackbot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/iocloud-chatops/iocloud/iocloud"
	"github.com/slack-go/slack"
)

// Reader is what the bot reads from io.net (iocloud.Client).
type Reader interface {
	Hardware(ctx context.Context) (*iocloud.HardwareList, error)
	FindReplicas(ctx context.Context, s iocloud.ReplicaSearch) (*iocloud.ReplicaReport, error)
	QuotePrices(ctx context.Context, s iocloud.PriceSearch) (*iocloud.PriceReport, error)
	ListAPIKeys(ctx context.Context) (*iocloud.KeyList, error)
}

// ViewOpener opens a modal (views.open; *slack.Client built with the bot
// token).
type ViewOpener interface {
	OpenViewContext(ctx context.Context, triggerID string, view slack.ModalViewRequest) (*slack.ViewResponse, error)
}

// KeyGuard runs the two key actions, creation and revocation, each as
// policy, limits, confirmation ticket, act once, audit (guard.Guard).
// PrepareRevoke looks the key up first: an unknown id is an error matching
// iocloud.ErrKeyNotFound, before any ticket exists.
type KeyGuard interface {
	Prepare(ctx context.Context, actor iocloud.Actor, ask iocloud.KeyAsk, binding string) (*iocloud.Pending, error)
	Confirm(ctx context.Context, actor iocloud.Actor, token, binding, via string) (*iocloud.CreatedKey, error)
	Cancel(ctx context.Context, actor iocloud.Actor, token, binding, via string) (iocloud.KeyRequest, error)

	PrepareRevoke(ctx context.Context, actor iocloud.Actor, keyID, binding string) (*iocloud.RevokePending, error)
	ConfirmRevoke(ctx context.Context, actor iocloud.Actor, token, binding, via string) (*iocloud.APIKey, error)
	CancelRevoke(ctx context.Context, actor iocloud.Actor, token, binding, via string) (*iocloud.APIKey, error)
}

// Config wires a Bot.
type Config struct {
	Reader Reader   // required
	Guard  KeyGuard // nil: create-key and revoke answer that key actions are not set up

	// Sandbox marks every answer as sandbox data.
	Sandbox bool

	// KeyCreators are the Slack user IDs allowed to create keys; empty
	// allows nobody. AllowedTeams (team or enterprise IDs) and
	// AllowedChannels, when not empty, limit every command and click.
	KeyCreators     []string
	AllowedTeams    []string
	AllowedChannels []string

	// Notices, when set, receives a notice (never the secret) for every
	// key created or revoked, e.g. ChannelNotifier for
	// IOCLOUD_SLACK_AUDIT_CHANNEL.
	Notices Notifier

	// Views, when set (SLACK_BOT_TOKEN), lets create-key without a
	// description open a form (a modal) instead of asking for one.
	Views ViewOpener

	// HTTPClient posts to response_url; nil means NewHTTPClient().
	HTTPClient *http.Client
	Logger     *slog.Logger // nil: slog.Default()

	// Hints name where each setting the core's advice mentions is
	// configured (config.Hints: the variables); nil keeps the core's terms.
	Hints iocloud.Hints

	// ReadTimeout bounds an io.net read started by a command (default
	// 25 s); CreateTimeout bounds a confirmed key creation or revocation
	// (default 30 s).
	ReadTimeout   time.Duration
	CreateTimeout time.Duration

	// MaxJobs bounds the answers being prepared at once (default 64); a
	// command beyond it is told to try again. A job's place is held while
	// io.net is asked, not while the answer is delivered.
	MaxJobs int
	// MaxDeliveries and DeliveryWorkers bound the answers waiting for
	// delivery to response_url and the posts at once (default
	// DefaultMaxDeliveries and DefaultDeliveryWorkers).
	MaxDeliveries   int
	DeliveryWorkers int

	// Now is the clock for "expires in" texts (default time.Now).
	Now func() time.Time

	// Replays remembers the signatures of requests already served, so a
	// signed request replayed within Slack's 5-minute window is
	// acknowledged and not run again. Shared by replicas when the store is.
	// nil: no replay protection (tests of other things).
	Replays ReplayGuard
}

// ReplayGuard records a key once; the guard's state store implements it.
type ReplayGuard interface {
	Once(ctx context.Context, key string, ttl time.Duration) (first bool, err error)
}

// Bot is the transport-independent core of the Slack frontend. HTTP
// (Handler), Socket Mode (RunSocketMode) and the console (RunConsole) all
// feed it the same commands and clicks. It is safe for concurrent use.
type Bot struct {
	reader        Reader
	guard         KeyGuard
	sandbox       bool
	access        access
	notices       Notifier
	views         ViewOpener
	hc            *http.Client
	log           *slog.Logger
	readTimeout   time.Duration
	createTimeout time.Duration
	now           func() time.Time
	replays       ReplayGuard
	hints         iocloud.Hints

	slots      chan struct{} // one per running job
	jobs       sync.WaitGroup
	deliveries *deliveries // answers after the acknowledgement (deliver.go)
}

// New builds a Bot.
func New(cfg Config) (*Bot, error) {
	if cfg.Reader == nil {
		return nil, errors.New("slackbot: Config.Reader is required")
	}
	b := &Bot{
		reader:        cfg.Reader,
		guard:         cfg.Guard,
		sandbox:       cfg.Sandbox,
		access:        access{teams: cfg.AllowedTeams, channels: cfg.AllowedChannels, creators: cfg.KeyCreators, hints: cfg.Hints},
		notices:       cfg.Notices,
		views:         cfg.Views,
		hc:            cfg.HTTPClient,
		log:           cfg.Logger,
		readTimeout:   cmpOr(cfg.ReadTimeout, 25*time.Second),
		createTimeout: cmpOr(cfg.CreateTimeout, 30*time.Second),
		now:           cfg.Now,
		replays:       cfg.Replays,
		hints:         cfg.Hints,
		slots:         make(chan struct{}, cmpOr(cfg.MaxJobs, 64)),
	}
	if b.hc == nil {
		b.hc = NewHTTPClient()
	}
	if b.log == nil {
		b.log = slog.Default()
	}
	b.deliveries = newDeliveries(cmpOr(cfg.MaxDeliveries, DefaultMaxDeliveries), cmpOr(cfg.DeliveryWorkers, DefaultDeliveryWorkers), b.log)
	if b.now == nil {
		b.now = time.Now
	}
	return b, nil
}

func cmpOr[T comparable](v, fallback T) T {
	var zero T
	if v == zero {
		return fallback
	}
	return v
}

// Wait blocks until every answer being prepared has been sent, or ctx
// ends. Call it on shutdown, after the transport stopped taking requests.
func (b *Bot) Wait(ctx context.Context) error {
	done := make(chan struct{})
	go func() {
		b.jobs.Wait()       // jobs hand their answers over before they end,
		b.deliveries.wait() // so this sees every one of them
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("slackbot: answers still in flight: %w", ctx.Err())
	}
}

// errBusy says too many answers are being prepared.
var errBusy = errors.New("too many requests in progress")

// start runs job off the request path under a deadline, tracked for Wait.
// The job's context keeps ctx's values but not its cancellation: the HTTP
// request that started it ends long before the job does.
func (b *Bot) start(ctx context.Context, timeout time.Duration, job func(ctx context.Context)) error {
	select {
	case b.slots <- struct{}{}:
	default:
		return errBusy
	}
	b.jobs.Go(func() {
		defer func() { <-b.slots }()
		defer func() {
			if p := recover(); p != nil {
				b.log.Error("slack job panicked", "panic", fmt.Sprint(p))
			}
		}()
		jctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
		defer cancel()
		job(jctx)
	})
	return nil
}

// finish adds what every answer carries.
func (b *Bot) finish(m *message) *message {
	if b.sandbox && m != nil {
		m.notes = append(m.notes, sandboxNote)
	}
	return m
}
