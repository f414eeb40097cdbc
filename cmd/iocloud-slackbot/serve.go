package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/iocloud-chatops/iocloud/cmd/internal/cli"
	"github.com/iocloud-chatops/iocloud/cmd/internal/wire"
	"github.com/iocloud-chatops/iocloud/config"
	"github.com/iocloud-chatops/iocloud/slackbot"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

// serveHTTP serves Slack's requests on IOCLOUD_SLACK_ADDR until ctx ends,
// then stops taking requests and drains the answers in flight.
func serveHTTP(ctx context.Context, cfg config.Slack, bot *slackbot.Bot, drain drainer, logger *slog.Logger) error {
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", cfg.Addr)
	if err != nil {
		return cli.ListenError("IOCLOUD_SLACK_ADDR", "", cfg.Addr, err)
	}
	srv := &http.Server{
		Handler:           bot.Handler(cfg.SigningSecret),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      15 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	logger.InfoContext(ctx, "slack bot listening", "addr", ln.Addr().String(),
		"commands", slackbot.PathCommands, "interactions", slackbot.PathInteractions, "health", slackbot.PathHealth)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("serving HTTP: %w", err)
	case <-ctx.Done():
	}
	logger.InfoContext(ctx, "shutting down: finishing answers in flight")
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), drain.ShutdownGrace())
	defer cancel()
	err = srv.Shutdown(sctx)
	if werr := bot.Wait(sctx); werr != nil {
		err = errors.Join(err, werr)
	}
	if werr := drain.Guard.Wait(sctx); werr != nil {
		err = errors.Join(err, werr)
	}
	if err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	logger.InfoContext(ctx, "stopped")
	return nil
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
