package tools

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/iocloud-chatops/iocloud/iocloud"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// ServerName is the name the server reports to MCP clients.
const ServerName = "iocloud-mcp"

// Catalog is the part of iocloud.Client the read-only tools call.
type Catalog interface {
	Hardware(ctx context.Context) (*iocloud.HardwareList, error)
	FindReplicas(ctx context.Context, s iocloud.ReplicaSearch) (*iocloud.ReplicaReport, error)
	ListAPIKeys(ctx context.Context) (*iocloud.KeyList, error)
	QuotePrices(ctx context.Context, s iocloud.PriceSearch) (*iocloud.PriceReport, error)
}

// KeyGuard is the part of guard.Guard create_api_key drives. The guard owns
// policy, tickets, creation and audit; the tool only decides how the person
// confirms (elicitation or the two-step token).
type KeyGuard interface {
	Prepare(ctx context.Context, actor iocloud.Actor, ask iocloud.KeyAsk, binding string) (*iocloud.Pending, error)
	Confirm(ctx context.Context, actor iocloud.Actor, token, binding, via string) (*iocloud.CreatedKey, error)
	Cancel(ctx context.Context, actor iocloud.Actor, token, binding, via string) (iocloud.KeyRequest, error)
}

// Config says what NewServer serves.
type Config struct {
	Catalog Catalog
	// Guard is required unless ReadOnly.
	Guard KeyGuard
	// Sandbox marks every answer as sandbox data.
	Sandbox bool
	// ReadOnly registers no tool that changes anything.
	ReadOnly bool
	// Confirm is how create_api_key confirms; empty means ConfirmAuto.
	Confirm ConfirmMode
	// Revoker revokes keys through the guard; nil registers no
	// revoke_api_key.
	Revoker KeyRevoker
	// Approvals serves the approval page's side of key actions; required
	// unless ReadOnly or Confirm is elicit or token.
	Approvals Approvals
	// ApprovalBase is the server's public base URL (scheme://host[:port]),
	// asked each time because a listener on port 0 learns its port late.
	ApprovalBase func() string
	// KeyOutputDir, when set, receives new key secrets (one 0600 file per
	// key); the assistant then sees only the file's path.
	KeyOutputDir string
	// Logger is the operator log (stderr); nil discards.
	Logger *slog.Logger
	// Hints name where each setting the core's advice mentions is
	// configured (config.Hints: the variables); nil keeps the core's terms.
	Hints iocloud.Hints
	// Version is reported to clients; empty means "dev".
	Version string
	// Now is the clock for fetched_at fallbacks; nil means time.Now.
	Now func() time.Time
	// PollInterval is how often subscribed resources are re-read: the
	// client's cache TTL, so io.net is asked at most once per TTL. Zero
	// means DefaultPollInterval.
	PollInterval time.Duration
	// ValidateOutput checks every result's structuredContent against the
	// tool's outputSchema before it is sent (a failure becomes an isError
	// result). It is a debug switch (IOCLOUD_MCP_VALIDATE_OUTPUT) and on in
	// the tests: in production it cost 10-48 % of a call's CPU to check
	// answers the tests already hold to their schemas.
	ValidateOutput bool
	// KeyCreators, when not empty, are the only callers (by Caller.ID, or an
	// email matched against Caller.Email) who see and may call the tools that
	// create or revoke keys (IOCLOUD_MCP_KEY_CREATORS; the transport sets it
	// over HTTP only). Empty: every caller.
	KeyCreators []string
}

// ErrConfig marks a Config NewServer cannot serve.
var ErrConfig = errors.New("invalid tools configuration")

func (c *Config) normalize() error {
	if c.Catalog == nil {
		return fmt.Errorf("%w: no catalog", ErrConfig)
	}
	if c.Confirm == "" {
		c.Confirm = ConfirmAuto
	}
	if _, err := ParseConfirmMode(string(c.Confirm)); err != nil {
		return fmt.Errorf("%w: %w", ErrConfig, err)
	}
	if !c.ReadOnly && c.Guard == nil {
		return fmt.Errorf("%w: create_api_key needs a guard (or ReadOnly)", ErrConfig)
	}
	if !c.ReadOnly && (c.Confirm == ConfirmAuto || c.Confirm == ConfirmURL) && (c.Approvals == nil || c.ApprovalBase == nil) {
		return fmt.Errorf("%w: confirm mode %s needs the approval page (Approvals and ApprovalBase)", ErrConfig, c.Confirm)
	}
	if c.KeyOutputDir != "" && !c.ReadOnly {
		if err := checkKeyOutputDir(c.KeyOutputDir); err != nil {
			return fmt.Errorf("%w: %w", ErrConfig, err)
		}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Version == "" {
		c.Version = "dev"
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.PollInterval <= 0 {
		c.PollInterval = DefaultPollInterval
	}
	return nil
}

// toolSpec is one tool as registered: its definition, its handler and, per
// argument, what to send (used to explain rejected arguments).
type toolSpec struct {
	tool    mcp.Tool
	handler server.ToolHandlerFunc
	hints   map[string]string
}

// NewServer builds the MCP server with the tools cfg allows. The server
// validates arguments (strictly: unknown ones are rejected) against their
// schemas (and results against theirs with ValidateOutput), turns handler errors and panics into isError results,
// hides create_api_key where it cannot be confirmed, and hides and refuses the
// key-changing tools to callers not in KeyCreators.
func NewServer(cfg Config) (*server.MCPServer, error) {
	if err := cfg.normalize(); err != nil {
		return nil, err
	}
	specs := []toolSpec{
		listHardware(cfg),
		listAvailableReplicas(cfg),
		quotePrice(cfg),
		listAPIKeys(cfg),
	}
	if !cfg.ReadOnly {
		specs = append(specs, createAPIKey(cfg))
		if cfg.Revoker != nil {
			specs = append(specs, revokeAPIKey(cfg))
		}
	}

	explain, err := newArgumentExplainer(specs)
	if err != nil {
		return nil, err
	}
	hooks := &server.Hooks{}
	hooks.AddAfterCallTool(explain.rewrite)
	hooks.AddAfterListTools(hideKeyToolsFromOthers(cfg.KeyCreators))
	filter := visibleTools(cfg)
	extra := newSurface(cfg, filter, hooks)

	opts := append(extra.options(),
		server.WithTitle("IO Cloud (io.net)"),
		server.WithInstructions(instructions(cfg)),
		server.WithToolCapabilities(false),
		server.WithInputSchemaValidation(),
		server.WithStrictInputSchemaDefault(),
		// Order matters: the first middleware is the outermost, so a panic
		// caught by WithRecovery is still turned into an isError result.
		server.WithToolHandlerMiddleware(errorsAsResults(cfg.Logger)),
		server.WithToolHandlerMiddleware(refuseKeyToolsToOthers(cfg.KeyCreators, cfg.Hints)),
		server.WithRecovery(),
		server.WithToolFilter(filter),
		server.WithHooks(hooks),
		server.WithLogger(callLogger(cfg.Logger, cfg.Now)),
	)
	if cfg.ValidateOutput {
		opts = append(opts, server.WithOutputSchemaValidation())
	}
	s := server.NewMCPServer(ServerName, cfg.Version, opts...)
	for _, sp := range specs {
		tool, err := withRawInputSchema(sp.tool)
		if err != nil {
			return nil, err
		}
		s.AddTool(tool, sp.handler)
	}
	extra.register(s)
	return s, nil
}

// visibleTools hides what this client must not see: under ReadOnly every tool
// that is not read-only (a second line behind not registering them), and in
// elicit mode create_api_key from clients that cannot elicit. mcp-go applies
// the filter to tools/list and again to tools/call, so hidden also means
// refused.
func visibleTools(cfg Config) server.ToolFilterFunc {
	return func(ctx context.Context, tools []mcp.Tool) []mcp.Tool {
		out := make([]mcp.Tool, 0, len(tools))
		for _, t := range tools {
			if cfg.ReadOnly && (t.Annotations.ReadOnlyHint == nil || !*t.Annotations.ReadOnlyHint) {
				continue
			}
			if (t.Name == createKeyTool || t.Name == revokeKeyTool) && cfg.Confirm == ConfirmElicit && !clientCanElicit(ctx) {
				continue
			}
			out = append(out, t)
		}
		return out
	}
}

func instructions(cfg Config) string {
	text := "Tools for io.net's IO Cloud: list_hardware shows GPU types and free GPUs; " +
		"list_available_replicas shows where containers of a GPU type fit; quote_price says what they would cost; " +
		"list_api_keys lists the account's API keys (never their secrets)."
	if !cfg.ReadOnly {
		text += " create_api_key creates an io.net API key and revoke_api_key revokes one, only after the user approves " +
			"(a prompt from your client, or an approval page whose link you give the user)."
	}
	if cfg.Sandbox {
		text += " This server runs against a sandbox: every answer is sandbox data, not real io.net."
	}
	return text
}

// checkKeyOutputDir refuses a key directory that is missing or not a
// directory, before any key is created: finding out after creation would
// strand a secret.
func checkKeyOutputDir(dir string) error {
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("key output directory: %w", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("key output directory: %s is not a directory", dir)
	}
	return nil
}
