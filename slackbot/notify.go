package slackbot

import (
	"context"
	"errors"
	"fmt"

	"github.com/slack-go/slack"
)

// Notifier posts a notice about a created or revoked key somewhere people
// can see it. The message it gets never holds the secret.
type Notifier interface {
	Notify(ctx context.Context, m *message) error
}

// ChannelNotifier posts notices to one channel with the Web API
// (chat.postMessage, needs the bot token and chat:write).
type ChannelNotifier struct {
	api     *slack.Client
	channel string
}

// NewChannelNotifier posts to channel (an ID such as C0123) through api,
// a client built with the bot token (and slack.OptionAPIURL in tests).
func NewChannelNotifier(api *slack.Client, channel string) (*ChannelNotifier, error) {
	if api == nil || channel == "" {
		return nil, errors.New("slackbot: a channel notifier needs a Slack client and a channel ID")
	}
	return &ChannelNotifier{api: api, channel: channel}, nil
}

// Notify implements Notifier.
func (n *ChannelNotifier) Notify(ctx context.Context, m *message) error {
	if m.secret != "" {
		// A notice must never carry a key; refuse rather than leak.
		return errors.New("slackbot: refusing to post a secret to a channel")
	}
	w := m.webhook()
	opts := []slack.MsgOption{slack.MsgOptionText(w.Text, false)}
	if w.Blocks != nil {
		opts = append(opts, slack.MsgOptionBlocks(w.Blocks.BlockSet...))
	}
	if _, _, err := n.api.PostMessageContext(ctx, n.channel, opts...); err != nil {
		// slack-go's errors are Slack's error codes ("channel_not_found",
		// "not_in_channel"); they hold no token.
		return fmt.Errorf("chat.postMessage to %s: %w", n.channel, err)
	}
	return nil
}
