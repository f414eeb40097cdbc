// Command iocloud-slackbot serves /iocloud in Slack: io.net GPU
// availability and API keys behind a requester-only Confirm. It talks to
// Slack over HTTP (signed requests), over Socket Mode when SLACK_APP_TOKEN
// is set, or to a terminal with --console.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/iocloud-chatops/iocloud/cmd/internal/cli"
	"github.com/iocloud-chatops/iocloud/cmd/internal/version"
	"github.com/iocloud-chatops/iocloud/cmd/internal/wire"
	"github.com/iocloud-chatops/iocloud/config"
	"github.com/iocloud-chatops/iocloud/slackbot"
	"github.com/sethvargo/go-envconfig"
	"github.com/slack-go/slack"
)

const binary = "iocloud-slackbot"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], envconfig.OsLookuper(), os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(cli.Exit(os.Stderr, binary, err))
}

const usageText = `iocloud-slackbot serves /iocloud in Slack: io.net GPU availability and API keys.

Usage:
  iocloud-slackbot [--sandbox]             Slack over HTTP (needs SLACK_SIGNING_SECRET), or over
                                           Socket Mode when SLACK_APP_TOKEN is set
  iocloud-slackbot --console [--sandbox]   the same commands typed on stdin, no Slack needed
  iocloud-slackbot --version

Flags:
  --sandbox   answer from the built-in io.net simulator (no IOCLOUD_API_KEY needed)
  --console   read /iocloud commands from stdin and print the replies
  --version   print the version and exit
  --help      print this help and exit

Environment (docs/configuration.md says more of each):
  IOCLOUD_API_KEY, IOCLOUD_JWT           io.net credentials (reads; listing, creating, revoking keys)
  SLACK_SIGNING_SECRET                   verifies Slack's HTTP requests
  SLACK_APP_TOKEN                        app-level token (xapp-...): turns on Socket Mode
  SLACK_BOT_TOKEN                        bot token: the create-key form and audit-channel notices
  IOCLOUD_SLACK_ADDR                     HTTP listen address (default 127.0.0.1:3000)
  IOCLOUD_SLACK_KEY_CREATORS             Slack user IDs allowed to list, create and revoke keys
                                         (default: nobody; in --console: the console user, U-CONSOLE)
  IOCLOUD_SLACK_ALLOWED_TEAMS            team or enterprise IDs allowed to use the bot (default: any)
  IOCLOUD_SLACK_ALLOWED_CHANNELS         channel IDs allowed to use the bot (default: any)
  IOCLOUD_SLACK_AUDIT_CHANNEL            channel ID for key-creation notices (never the secret)
  IOCLOUD_AUDIT_LOG                      JSON-lines audit file (default: the log on stderr)
  IOCLOUD_STATE                          memory (default), file:/path/state.db or redis://host:port/db
  IOCLOUD_CONFIRM_SECRET                 ticket key shared by replicas (needs a durable IOCLOUD_STATE)
  IOCLOUD_KEY_MAX_PENDING, IOCLOUD_KEY_MAX_PER_DAY   per-person limits (5 open, 20 a day)
  IOCLOUD_BASE_URL, IOCLOUD_TIMEOUT, IOCLOUD_CACHE_TTL, IOCLOUD_KEY_DEFAULT_TTL,
  IOCLOUD_KEY_MAX_TTL, IOCLOUD_KEY_SCOPES, IOCLOUD_LOG_LEVEL, IOCLOUD_SLACK_API_URL
`

// run is the whole program: flags, configuration, wiring, then one of the
// three transports until ctx ends.
func run(ctx context.Context, args []string, env envconfig.Lookuper, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet(binary, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	sandbox := fs.Bool("sandbox", false, "")
	console := fs.Bool("console", false, "")
	showVersion := fs.Bool("version", false, "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			_, err := io.WriteString(stdout, usageText)
			return err
		}
		return &cli.UsageError{Err: err}
	}
	if fs.NArg() > 0 {
		return cli.Usage("unexpected argument %q", fs.Arg(0))
	}
	if *showVersion {
		_, err := fmt.Fprintln(stdout, version.String(binary))
		return err
	}

	var cfg config.Slack
	if err := config.Load(ctx, env, &cfg); err != nil {
		return err
	}
	mode := cfg.Mode(*console)
	if err := cfg.Validate(*sandbox, mode); err != nil {
		return err
	}

	logger := wire.NewLogger(stderr, cfg.LogLevel)
	cli.WarnForeign(ctx, logger, env, &cfg, &config.MCP{}, "iocloud-mcp")
	app, err := wire.Build(ctx, cfg.Core, wire.Options{Sandbox: *sandbox, Logger: logger, UserAgent: binary + "/" + version.Short()})
	if err != nil {
		return err
	}
	defer app.Close()
	wire.ReopenAuditOnHUP(ctx, app, logger)

	hc := slackbot.NewHTTPClient() // idle connections for concurrent response_url posts
	bcfg := slackbot.Config{
		Reader:          app.Client,
		Guard:           app.Guard,
		Sandbox:         app.Client.Sandbox(),
		KeyCreators:     cfg.KeyCreators,
		AllowedTeams:    cfg.AllowedTeams,
		AllowedChannels: cfg.AllowedChannels,
		HTTPClient:      hc,
		Logger:          logger,
		Hints:           config.Hints(),
		ReadTimeout:     cfg.Timeout + 10*time.Second,
		CreateTimeout:   app.Guard.ActTimeout() * 2,
		Replays:         app.Store,
	}
	if mode == config.SlackConsole {
		// At the console the person typing may try everything. With
		// IOCLOUD_SLACK_KEY_CREATORS set, only those listed may create
		// keys ("user <ID>" acts as one of them). The console has no
		// workspace or channel, so the team and channel allowlists, which
		// name real Slack IDs, do not apply.
		if len(bcfg.KeyCreators) == 0 {
			bcfg.KeyCreators = []string{slackbot.ConsoleUser}
		}
		if len(cfg.AllowedTeams)+len(cfg.AllowedChannels) > 0 {
			logger.InfoContext(ctx, "console mode: IOCLOUD_SLACK_ALLOWED_TEAMS and IOCLOUD_SLACK_ALLOWED_CHANNELS do not apply")
		}
		bcfg.AllowedTeams, bcfg.AllowedChannels = nil, nil
	}
	if mode != config.SlackConsole && cfg.AuditChannel != "" {
		notices, err := slackbot.NewChannelNotifier(slackAPI(cfg, hc, cfg.BotToken.Reveal()), cfg.AuditChannel)
		if err != nil {
			return err
		}
		bcfg.Notices = notices
	}
	if mode != config.SlackConsole && cfg.BotToken.IsSet() {
		// create-key without a description opens a form (views.open).
		bcfg.Views = slackAPI(cfg, hc, cfg.BotToken.Reveal())
	}
	bot, err := slackbot.New(bcfg)
	if err != nil {
		return err
	}

	switch mode {
	case config.SlackConsole:
		return bot.RunConsole(ctx, stdin, stdout)
	case config.SlackSocket:
		return runSocketMode(ctx, cfg, bot, app, hc, logger)
	default:
		return serveHTTP(ctx, cfg, bot, app, logger)
	}
}

// slackAPI is a Web API client; IOCLOUD_SLACK_API_URL replaces Slack's
// address (tests).
func slackAPI(cfg config.Slack, hc *http.Client, token string, opts ...slack.Option) *slack.Client {
	opts = append(opts, slack.OptionHTTPClient(hc))
	if cfg.APIURL != "" {
		// slack-go appends method names to the base URL.
		opts = append(opts, slack.OptionAPIURL(strings.TrimSuffix(cfg.APIURL, "/")+"/"))
	}
	return slack.New(token, opts...)
}
