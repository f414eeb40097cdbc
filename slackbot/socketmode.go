package slackbot

import (
	"context"
	"errors"
	"fmt"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/iocloud-chatops/iocloud/iocloud"
)

// RunSocketMode serves Slack over a Socket Mode connection (client built
// with the app-level token) until ctx ends or the connection fails for
// good. Every envelope is acknowledged; a slash command's acknowledgement
// carries its immediate reply, just as the HTTP response body does, and
// everything else goes through the same core as HTTP. There is no signature
// to check: Slack delivers envelopes over a connection opened with the app
// token.
func (b *Bot) RunSocketMode(ctx context.Context, client *socketmode.Client) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	runErr := make(chan error, 1)
	go func() { runErr <- client.RunContext(ctx) }()
	for {
		select {
		case <-ctx.Done():
			// The client closes its connection on ctx; wait for it.
			if err := <-runErr; err != nil && !errors.Is(err, context.Canceled) {
				b.log.DebugContext(ctx, "slack socket mode stopped", "error", err.Error())
			}
			return nil
		case err := <-runErr:
			if ctx.Err() != nil || errors.Is(err, context.Canceled) {
				return nil
			}
			return fmt.Errorf("slack socket mode: %w", err)
		case evt := <-client.Events:
			b.handleEnvelope(ctx, client, evt)
		}
	}
}

func (b *Bot) handleEnvelope(ctx context.Context, client *socketmode.Client, evt socketmode.Event) {
	switch evt.Type {
	case socketmode.EventTypeConnecting:
		b.log.InfoContext(ctx, "slack socket mode connecting")
		return
	case socketmode.EventTypeConnected:
		b.log.InfoContext(ctx, "slack socket mode connected")
		return
	case socketmode.EventTypeConnectionError:
		b.log.WarnContext(ctx, "slack socket mode connection failed; retrying")
		return
	case socketmode.EventTypeInvalidAuth:
		b.log.ErrorContext(ctx, "slack socket mode: the Slack app-level token"+b.hints.Of(iocloud.SettingSlackAppToken)+" was refused")
		return
	}
	if evt.Request == nil || evt.Request.EnvelopeID == "" {
		return // hello, disconnect and the client's own events carry no envelope
	}
	switch evt.Type {
	case socketmode.EventTypeSlashCommand:
		sc, ok := evt.Data.(slack.SlashCommand)
		if !ok {
			b.ack(ctx, client, evt.Request, nil)
			return
		}
		inv, resp := b.fromSlash(sc)
		reply := b.command(ctx, inv, resp)
		if !evt.Request.AcceptsResponsePayload && resp != nil {
			// Slack will not show an ack payload here: acknowledge, then
			// send the reply the response_url way.
			b.ack(ctx, client, evt.Request, nil)
			b.send(ctx, resp, reply)
			return
		}
		b.ack(ctx, client, evt.Request, reply.webhook())
	case socketmode.EventTypeInteractive:
		if ic, ok := evt.Data.(slack.InteractionCallback); ok && ic.Type == slack.InteractionTypeViewSubmission {
			b.ack(ctx, client, evt.Request, b.viewSubmission(ctx, ic))
			return
		}
		b.ack(ctx, client, evt.Request, nil)
		if ic, ok := evt.Data.(slack.InteractionCallback); ok {
			if c, resp, ok := b.fromInteraction(ic); ok {
				b.action(ctx, c, resp)
			}
		}
	default:
		// events_api and whatever Slack adds later: acknowledged, unused.
		b.ack(ctx, client, evt.Request, nil)
	}
}

func (b *Bot) ack(ctx context.Context, client *socketmode.Client, req *socketmode.Request, payload any) {
	if err := client.AckCtx(ctx, req.EnvelopeID, payload); err != nil {
		b.log.WarnContext(ctx, "slack socket mode ack failed", "envelope_id", req.EnvelopeID, "error", err.Error())
	}
}
