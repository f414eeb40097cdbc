package tools_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/iocloud-chatops/iocloud/config"
	"github.com/iocloud-chatops/iocloud/internal/testutil"

	"github.com/iocloud-chatops/iocloud/iocloud"
	"github.com/iocloud-chatops/iocloud/iocloud/guard"
	"github.com/iocloud-chatops/iocloud/iocloud/sandbox"
	"github.com/iocloud-chatops/iocloud/iocloud/state"
	"github.com/iocloud-chatops/iocloud/tools"
	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	"github.com/stretchr/testify/require"
)

// env is the real core (client, tickets, guard, audit) on a sandbox, with
// the tools server on top: what cmd/iocloud-mcp wires, minus the transport.
type env struct {
	sb      *sandbox.Server
	client  *iocloud.Client
	srv     *server.MCPServer
	logs    *testutil.SyncBuffer // operator log: core, guard audit records, mcp-go
	audit   *testutil.SyncBuffer // audit JSON lines
	clock   *testutil.Clock      // the tickets' clock
	page    *tools.ApprovalPage
	pageURL string // the approval page's loopback server
}

type envOptions struct {
	cfg       tools.Config
	noJWT     bool
	apiKey    string
	timeout   time.Duration
	clientOps []iocloud.Option
	secret    string // the ticket key; default 32 × "s"
}

type envOption func(*envOptions)

func withMode(m tools.ConfirmMode) envOption { return func(o *envOptions) { o.cfg.Confirm = m } }
func readOnly() envOption                    { return func(o *envOptions) { o.cfg.ReadOnly = true } }
func withoutJWT() envOption                  { return func(o *envOptions) { o.noJWT = true } }
func withAPIKey(k string) envOption          { return func(o *envOptions) { o.apiKey = k } }
func withKeyDir(dir string) envOption        { return func(o *envOptions) { o.cfg.KeyOutputDir = dir } }
func withTimeout(d time.Duration) envOption  { return func(o *envOptions) { o.timeout = d } }

// withTicketSecret gives the env another ticket key: a second env with its
// own key is this server after a restart (or another replica).
func withTicketSecret(s string) envOption { return func(o *envOptions) { o.secret = s } }

func newEnv(t testing.TB, opts ...envOption) *env {
	t.Helper()
	var o envOptions
	for _, opt := range opts {
		opt(&o)
	}
	sb, err := sandbox.Start()
	require.NoError(t, err)
	t.Cleanup(sb.Close)

	e := &env{sb: sb, logs: &testutil.SyncBuffer{}, audit: &testutil.SyncBuffer{}, clock: testutil.NewClock(time.Now())}
	logger := newTestLogger(e.logs)

	apiKey := sb.APIKey()
	if o.apiKey != "" {
		apiKey = o.apiKey
	}
	jwt := iocloud.Secret(sb.JWT())
	if o.noJWT {
		jwt = ""
	}
	timeout := 5 * time.Second
	if o.timeout > 0 {
		timeout = o.timeout
	}
	clientOpts := append([]iocloud.Option{
		iocloud.WithBaseURL(sb.URL()),
		iocloud.WithAPIKey(iocloud.Secret(apiKey)),
		iocloud.WithJWT(jwt),
		iocloud.WithSandbox(true),
		iocloud.WithTimeout(timeout),
		iocloud.WithCacheTTL(0), // every call reaches the sandbox, so faults show
		iocloud.WithRetry(1, 0, 0, time.Minute),
		iocloud.WithLogger(logger),
	}, o.clientOps...)
	e.client, err = iocloud.New(clientOpts...)
	require.NoError(t, err)

	store := state.NewMemoryWithClock(e.clock.Now)
	secret := strings.Repeat("s", 32)
	if o.secret != "" {
		secret = o.secret
	}
	tickets, err := guard.NewTickets([]byte(secret), store, guard.WithTicketClock(e.clock.Now))
	require.NoError(t, err)
	keyGuard := guard.New(guard.Config{
		Client:  e.client,
		Policy:  iocloud.DefaultPolicy(),
		Store:   store,
		Tickets: tickets,
		Audit:   guard.NewAudit(e.audit, logger),
		Logger:  logger,
		Now:     e.clock.Now,
		Sandbox: true,
	})

	// The approval page, as cmd/iocloud-mcp serves it, on a loopback server.
	e.page = &tools.ApprovalPage{Approvals: keyGuard, Logger: logger, Hints: config.Hints()}
	pageSrv := httptest.NewServer(e.page)
	t.Cleanup(pageSrv.Close)
	e.page.Origin = pageSrv.URL
	e.pageURL = pageSrv.URL

	cfg := o.cfg
	cfg.Catalog = e.client
	cfg.Guard = keyGuard
	cfg.Approvals = keyGuard
	cfg.Revoker = keyGuard
	cfg.ApprovalBase = func() string { return pageSrv.URL }
	cfg.Sandbox = e.client.Sandbox()
	cfg.Logger = logger
	cfg.Hints = config.Hints() // as cmd/iocloud-mcp passes them
	cfg.Version = "test"
	cfg.ValidateOutput = true // every answer in these tests is held to its outputSchema
	e.srv, err = tools.NewServer(cfg)
	require.NoError(t, err)
	return e
}

// createdKeys is what the whole test is about for the guard: how many keys
// io.net (the sandbox) was actually asked to create.
func (e *env) createdKeys() int { return len(e.sb.CreatedKeys()) }

// elicitor answers elicitation requests like a person at a client would, and
// remembers what it was shown.
type elicitor struct {
	mu      sync.Mutex
	answer  func(mcp.ElicitationRequest) *mcp.ElicitationResult
	prompts []string
}

func (h *elicitor) Elicit(_ context.Context, req mcp.ElicitationRequest) (*mcp.ElicitationResult, error) {
	h.mu.Lock()
	h.prompts = append(h.prompts, req.Params.Message)
	h.mu.Unlock()
	return h.answer(req), nil
}

func (h *elicitor) shown() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.prompts...)
}

func answering(action mcp.ElicitationResponseAction, content any) *elicitor {
	return &elicitor{answer: func(mcp.ElicitationRequest) *mcp.ElicitationResult {
		return &mcp.ElicitationResult{ElicitationResponse: mcp.ElicitationResponse{Action: action, Content: content}}
	}}
}

// connect starts an in-process mcp-go client (the 2026-07-28 era unless
// pinned with client.WithProtocolVersion).
func connect(t testing.TB, srv *server.MCPServer, opts ...client.ClientOption) *client.Client {
	t.Helper()
	c, err := client.NewInProcessClientWithOptions(srv, opts...)
	require.NoError(t, err)
	ctx := context.Background()
	require.NoError(t, c.Start(ctx))
	t.Cleanup(func() { _ = c.Close() })
	_, err = c.Initialize(ctx, mcp.InitializeRequest{})
	require.NoError(t, err)
	return c
}

func call(t testing.TB, c *client.Client, name string, args map[string]any) *mcp.CallToolResult {
	t.Helper()
	res, err := callErr(c, name, args)
	require.NoError(t, err)
	require.NotNil(t, res)
	return res
}

func callErr(c *client.Client, name string, args map[string]any) (*mcp.CallToolResult, error) {
	var req mcp.CallToolRequest
	req.Params.Name = name
	req.Params.Arguments = args
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return c.CallTool(ctx, req)
}

// textOf joins a result's text blocks.
func textOf(res *mcp.CallToolResult) string {
	var parts []string
	for _, c := range res.Content {
		if tc, ok := c.(mcp.TextContent); ok {
			parts = append(parts, tc.Text)
		}
	}
	return strings.Join(parts, "\n")
}

// structuredOf returns structuredContent as a JSON object.
func structuredOf(t testing.TB, res *mcp.CallToolResult) map[string]any {
	t.Helper()
	m, ok := res.StructuredContent.(map[string]any)
	require.Truef(t, ok, "structuredContent is %T: %s", res.StructuredContent, textOf(res))
	return m
}

func toolNames(t testing.TB, c *client.Client) []string {
	t.Helper()
	list, err := c.ListTools(context.Background(), mcp.ListToolsRequest{})
	require.NoError(t, err)
	names := make([]string, 0, len(list.Tools))
	for _, tl := range list.Tools {
		names = append(names, tl.Name)
	}
	return names
}

func newTestLogger(w *testutil.SyncBuffer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
