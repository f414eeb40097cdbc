package guard_test

// A Guard on the real iocloud.Client against the io.net simulator, so that
// every test counts the POSTs io.net really received (sandbox.Requests) and
// the keys it really made (sandbox.CreatedKeys), instead of trusting a fake.

import (
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/iocloud-chatops/iocloud/iocloud"
	"github.com/iocloud-chatops/iocloud/iocloud/guard"
	"github.com/iocloud-chatops/iocloud/iocloud/sandbox"
	"github.com/iocloud-chatops/iocloud/iocloud/state"
)

// startIONet starts the simulator for one test.
func startIONet(t *testing.T) *sandbox.Server {
	t.Helper()
	sb, err := sandbox.Start()
	require.NoError(t, err)
	t.Cleanup(sb.Close)
	return sb
}

// realClient is the production client pointed at sb, with fast read retries
// (a failing key list must not take seconds) and the given per-request
// timeout.
func realClient(t *testing.T, sb *sandbox.Server, timeout time.Duration) *iocloud.Client {
	t.Helper()
	c, err := iocloud.New(
		iocloud.WithBaseURL(sb.URL()),
		iocloud.WithAPIKey(iocloud.Secret(sb.APIKey())),
		iocloud.WithJWT(iocloud.Secret(sb.JWT())),
		iocloud.WithRetry(3, time.Millisecond, 5*time.Millisecond, 5*time.Second),
		iocloud.WithTimeout(timeout),
		iocloud.WithCacheTTL(0),
		iocloud.WithSandbox(true),
	)
	require.NoError(t, err)
	return c
}

// sbGuard is one guard "process": its store, tickets and audit.
type sbGuard struct {
	guard *guard.Guard
	store state.Store
	audit *syncBuffer
	logs  *syncBuffer
}

// sbGuardConfig says how to build an sbGuard; zero values are the defaults
// (a fresh memory store, a per-process ticket key, default limits).
type sbGuardConfig struct {
	store   state.Store
	secret  []byte
	limits  guard.Limits
	audit   io.Writer // nil: a syncBuffer (sbGuard.audit)
	now     func() time.Time
	timeout time.Duration // the client's per-request timeout; 0: 10 s
}

func newSBGuard(t *testing.T, sb *sandbox.Server, cfg sbGuardConfig) *sbGuard {
	t.Helper()
	g := &sbGuard{store: cfg.store, audit: &syncBuffer{}, logs: &syncBuffer{}}
	if g.store == nil {
		g.store = state.NewMemoryWithClock(cfg.now)
	}
	opts := []guard.TicketOption{}
	if cfg.now != nil {
		opts = append(opts, guard.WithTicketClock(cfg.now))
	}
	tickets, err := guard.NewTickets(cfg.secret, g.store, opts...)
	require.NoError(t, err)
	var w io.Writer = g.audit
	if cfg.audit != nil {
		w = cfg.audit
	}
	if cfg.timeout == 0 {
		cfg.timeout = 10 * time.Second
	}
	logger := slog.New(slog.NewJSONHandler(g.logs, nil))
	g.guard = guard.New(guard.Config{
		Client:     realClient(t, sb, cfg.timeout),
		Policy:     iocloud.DefaultPolicy(),
		Store:      g.store,
		Tickets:    tickets,
		Audit:      guard.NewAudit(w, logger),
		Limits:     cfg.limits,
		Logger:     logger,
		Now:        cfg.now,
		Sandbox:    true,
		ActTimeout: 20 * time.Second,
	})
	t.Cleanup(func() {
		// Whatever happened, no created secret reached an audit record or
		// the log.
		for _, k := range sb.CreatedKeys() {
			assert.NotContains(t, g.audit.String(), k.Value)
			assert.NotContains(t, g.logs.String(), k.Value)
		}
	})
	return g
}

var (
	alice = iocloud.Actor{Frontend: "mcp", ID: "alice"}
	bob   = iocloud.Actor{Frontend: "mcp", ID: "bob"}
)

// askFor is a valid key request whose description names the test, so the
// key-list lookup can only ever find this test's key.
func askFor(desc string) iocloud.KeyAsk {
	return iocloud.KeyAsk{Description: desc, ExpiresIn: 30 * 24 * time.Hour, Scopes: []string{"read"}}
}

// creates is how many key-creating POSTs io.net received.
func creates(sb *sandbox.Server) int { return sb.Requests(sandbox.RouteCreateKey) }

// outcomeTrail is the audit's outcomes for one ticket, in order.
func outcomeTrail(t *testing.T, audit, ticketID string) []string {
	t.Helper()
	var out []string
	for _, l := range auditLines(t, audit) {
		if l["ticket_id"] == ticketID {
			out = append(out, l["outcome"].(string))
		}
	}
	return out
}

// auditRecord finds the one record of ticketID with outcome.
func auditRecord(t *testing.T, audit, ticketID, outcome string) map[string]any {
	t.Helper()
	var found []map[string]any
	for _, l := range auditLines(t, audit) {
		if l["ticket_id"] == ticketID && l["outcome"] == outcome {
			found = append(found, l)
		}
	}
	require.Lenf(t, found, 1, "one %q record for ticket %s in:\n%s", outcome, ticketID, audit)
	return found[0]
}

// lineCount is the number of lines in s.
func lineCount(s string) int { return strings.Count(s, "\n") }
