package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"github.com/iocloud-chatops/iocloud/cmd/internal/cli"
	"github.com/iocloud-chatops/iocloud/cmd/internal/version"
	"github.com/iocloud-chatops/iocloud/cmd/internal/wire"
	"github.com/iocloud-chatops/iocloud/config"
	"github.com/iocloud-chatops/iocloud/tools"
	"github.com/mark3labs/mcp-go/server"
	"github.com/sethvargo/go-envconfig"
)

const binaryName = "iocloud-mcp"

const usage = `Usage: iocloud-mcp [flags]

Serves io.net's IO Cloud to AI assistants over MCP. Reads: list_hardware,
list_available_replicas, quote_price, list_api_keys. Key actions, each
approved by the person who asked before anything reaches io.net:
create_api_key and revoke_api_key.

Flags (each overrides its environment variable):
  --sandbox            serve the built-in io.net simulator; answers say "sandbox data"
  --transport MODE     stdio (default) or http            IOCLOUD_MCP_TRANSPORT
  --addr HOST:PORT     HTTP listen address (127.0.0.1:8080) IOCLOUD_MCP_ADDR
  --read-only          register no tool that changes anything  IOCLOUD_MCP_READ_ONLY
  --version            print the version and exit
  --help               print this help and exit

Environment:
  IOCLOUD_API_KEY          io.net API key for reads (required unless --sandbox)
  IOCLOUD_JWT              io.net session token; needed to list, create and revoke keys
  IOCLOUD_MCP_AUTH_TOKEN   shared bearer token for HTTP (off loopback: this, or one of the next two)
  IOCLOUD_MCP_TOKENS_FILE  named bearer tokens, one "name sha256:<hex of the token>" per line
  IOCLOUD_MCP_OAUTH_ISSUER accept OAuth access tokens (JWT) from this OpenID issuer
  IOCLOUD_MCP_KEY_CREATORS over HTTP, who may create and revoke keys (oauth:<sub>, email, token:<name>)
  IOCLOUD_MCP_CONFIRM      auto (default), elicit, url or token
  IOCLOUD_MCP_APPROVAL_ADDR approval page listener under stdio (127.0.0.1:0, a free port)
  IOCLOUD_KEY_OUTPUT_DIR   write new key secrets there (0600) instead of showing them
  IOCLOUD_AUDIT_LOG        JSON-lines audit file (default: the log on stderr)
  IOCLOUD_STATE            memory (default), file:/path/state.db or redis://host:port/db
  IOCLOUD_CONFIRM_SECRET   ticket key shared by replicas (needs a durable IOCLOUD_STATE)
  IOCLOUD_KEY_MAX_PENDING, IOCLOUD_KEY_MAX_PER_DAY   per-person limits (5 open, 20 a day)
  IOCLOUD_BASE_URL, IOCLOUD_TIMEOUT, IOCLOUD_CACHE_TTL, IOCLOUD_KEY_DEFAULT_TTL,
  IOCLOUD_KEY_MAX_TTL, IOCLOUD_KEY_SCOPES, IOCLOUD_LOG_LEVEL, IOCLOUD_MCP_PUBLIC_URL,
  IOCLOUD_MCP_OAUTH_AUDIENCE, IOCLOUD_MCP_ALLOWED_ORIGINS, IOCLOUD_MCP_VALIDATE_OUTPUT:
  see docs/configuration.md

stdout carries only the MCP protocol in stdio mode; logs go to stderr.
`

// options are the command-line flags; the *Set fields record which flags
// were given, since only those override the environment.
type options struct {
	sandbox, version, readOnly bool
	transport, addr            string
	readOnlySet                bool
	transportSet, addrSet      bool
}

// errHelp means --help was answered and the program should exit cleanly.
var errHelp = errors.New("help shown")

func parseFlags(args []string, stdout io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet(binaryName, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are returned as one line; --help prints usage below
	fs.BoolVar(&o.sandbox, "sandbox", false, "")
	fs.BoolVar(&o.version, "version", false, "")
	fs.BoolVar(&o.readOnly, "read-only", false, "")
	fs.StringVar(&o.transport, "transport", "", "")
	fs.StringVar(&o.addr, "addr", "", "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			_, _ = io.WriteString(stdout, usage)
			return o, errHelp
		}
		return o, &cli.UsageError{Err: err}
	}
	if fs.NArg() > 0 {
		return o, cli.Usage("unexpected argument %q", fs.Arg(0))
	}
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "transport":
			o.transportSet = true
		case "addr":
			o.addrSet = true
		case "read-only":
			o.readOnlySet = true
		}
	})
	return o, nil
}

func (o options) apply(cfg *config.MCP) {
	if o.transportSet {
		cfg.Transport = o.transport
	}
	if o.addrSet {
		cfg.Addr = o.addr
	}
	if o.readOnlySet {
		cfg.ReadOnly = o.readOnly
	}
}

// run is the whole program, with the process's fundamentals passed in so
// tests can drive it: arguments, environment, standard streams. It returns
// when ctx ends (SIGINT/SIGTERM in main), stdin closes (stdio) or serving
// fails.
func run(ctx context.Context, args []string, env envconfig.Lookuper, stdin io.Reader, stdout, stderr io.Writer) error {
	opts, err := parseFlags(args, stdout)
	if errors.Is(err, errHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	if opts.version {
		_, err := fmt.Fprintln(stdout, version.String(binaryName))
		return err
	}

	var cfg config.MCP
	if err := config.Load(ctx, env, &cfg); err != nil {
		return err
	}
	opts.apply(&cfg)
	if err := cfg.Validate(opts.sandbox); err != nil {
		return err
	}
	tokens, err := cfg.Tokens()
	if err != nil {
		return err
	}

	logger := wire.NewLogger(stderr, cfg.LogLevel)
	cli.WarnForeign(ctx, logger, env, &cfg, &config.Slack{}, "iocloud-slackbot")
	app, err := wire.Build(ctx, cfg.Core, wire.Options{
		Sandbox:   opts.sandbox,
		Logger:    logger,
		UserAgent: binaryName + "/" + version.Short(),
	})
	if err != nil {
		return err
	}
	defer app.Close()
	wire.ReopenAuditOnHUP(ctx, app, logger)

	mode, err := tools.ParseConfirmMode(cfg.Confirm)
	if err != nil {
		return err
	}
	base := &approvalBase{}
	page := &tools.ApprovalPage{Approvals: app.Guard, Logger: logger, Hints: config.Hints()}
	if cfg.Transport != "http" && !cfg.ReadOnly && (mode == tools.ConfirmAuto || mode == tools.ConfirmURL) {
		stopPage, err := serveApprovalPage(ctx, cfg.ApprovalAddr, page, base, logger)
		if err != nil {
			return err
		}
		defer stopPage()
	}
	var keyCreators []string
	if cfg.Transport == "http" {
		keyCreators = cfg.KeyCreators // over stdio the one caller is the local user
	}
	srv, err := tools.NewServer(tools.Config{
		Catalog:      app.Client,
		Guard:        app.Guard,
		Approvals:    app.Guard,
		Revoker:      app.Guard,
		ApprovalBase: base.get,
		Sandbox:      app.Client.Sandbox(),
		ReadOnly:     cfg.ReadOnly,
		Confirm:      mode,
		KeyOutputDir: cfg.KeyOutputDir,
		Logger:       logger,
		Hints:        config.Hints(),
		Version:      version.Short(),
		KeyCreators:  keyCreators,
		PollInterval: cfg.CacheTTL, // subscriptions re-read at most once per cache TTL
		// A debug switch: the tests check every answer against its schema.
		ValidateOutput: cfg.ValidateOutput,
	})
	if err != nil {
		return err
	}

	if cfg.Transport == "http" {
		return serveHTTP(ctx, srv, httpSettings{
			addr:           cfg.Addr,
			token:          cfg.AuthToken,
			sandbox:        app.Client.Sandbox(),
			tokens:         tokens,
			publicURL:      cfg.PublicURL,
			oauthIssuer:    cfg.OAuthIssuer,
			oauthAudience:  cfg.OAuthAudience,
			allowedOrigins: cfg.AllowedOrigins,
			oauthTimeout:   cfg.Timeout,
			drain:          app.Guard.Wait,
			approvals:      page,
			base:           base,
			grace:          app.ShutdownGrace(),
		}, logger, stderr)
	}
	logger.InfoContext(ctx, "serving MCP on stdio", "sandbox", app.Client.Sandbox(), "read_only", cfg.ReadOnly, "confirm", string(mode))
	err = serveStdio(ctx, srv, stdin, stdout, logger)
	// A key action approved just before stdin closed or SIGTERM arrived
	// still runs; wait for it so its outcome reaches the audit.
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), app.ShutdownGrace())
	defer cancel()
	return errors.Join(err, app.Guard.Wait(wctx))
}

// serveStdio speaks MCP on stdin/stdout until stdin closes or ctx ends.
func serveStdio(ctx context.Context, srv *server.MCPServer, stdin io.Reader, stdout io.Writer, logger *slog.Logger) error {
	stdio := server.NewStdioServer(srv)
	stdio.SetErrorLogger(slog.NewLogLogger(logger.Handler(), slog.LevelError))
	err := stdio.Listen(ctx, stdin, stdout)
	if err == nil || errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}
