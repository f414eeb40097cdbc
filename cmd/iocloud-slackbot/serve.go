package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/iocloud-chatops/iocloud/cmd/internal/serve"
	"github.com/iocloud-chatops/iocloud/cmd/internal/wire"
	"github.com/iocloud-chatops/iocloud/config"
	"github.com/iocloud-chatops/iocloud/slackbot"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

// serveHTTP serves Slack's requests on IOCLOUD_SLACK_ADDR until ctx ends,
// then stops taking requests and drains the answers in flight and the key
// actions they started.
func serveHTTP(ctx context.Context, cfg config.Slack, bot *slackbot.Bot, drain drainer, logger *slog.Logger) error {
	ln, err := serve.Listen(ctx, "IOCLOUD_SLACK_ADDR", "", cfg.Addr)
	if err != nil {
		return err
	}
	// Slack waits 3 s for an answer, so the bot's own bounds are tighter
	// than the shared defaults.
	srv := serve.NewServer(bot.Handler(cfg.SigningSecret), logger)
	srv.ReadHeaderTimeout = 5 * time.Second
	srv.ReadTimeout = 15 * time.Second
	srv.WriteTimeout = 15 * time.Second
	srv.IdleTimeout = 60 * time.Second
	srv.MaxHeaderBytes = 64 << 10
	logger.InfoContext(ctx, "slack bot listening", "addr", ln.Addr().String(),
		"commands", slackbot.PathCommands, "interactions", slackbot.PathInteractions, "health", slackbot.PathHealth)
	return serve.Serve(ctx, ln, srv, serve.Options{
		Logger: logger,
		Grace:  drain.ShutdownGrace(),
		Drain: func(ctx context.Context) error {
			return errors.Join(bot.Wait(ctx), drain.Guard.Wait(ctx))
		},
	})
}

// runSocketMode dials Slack with the app-level token until ctx ends.
func runSocketMode(ctx context.Context, cfg config.Slack, bot *slackbot.Bot, drain drainer, hc *http.Client, logger *slog.Logger) error {
	api := slackAPI(cfg, hc, cfg.BotToken.Reveal(), slack.OptionAppLevelToken(cfg.AppToken.Reveal()))
	client := socketmode.New(api, socketmode.OptionLog(slog.NewLogLogger(logger.Handler(), slog.LevelDebug)))
	logger.InfoContext(ctx, "slack bot using Socket Mode")
	err := bot.RunSocketMode(ctx, client)
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), drain.ShutdownGrace())
	defer cancel()
	if werr := bot.Wait(sctx); werr != nil {
		err = errors.Join(err, werr)
	}
	if werr := drain.Guard.Wait(sctx); werr != nil {
		err = errors.Join(err, werr)
	}
	return err
}

// drainer is the wired core, whose key actions in flight shutdown waits for.
type drainer = *wire.App
