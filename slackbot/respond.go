package slackbot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/slack-go/slack"
)

// responder delivers the answers that come after the acknowledgement: to
// Slack's response_url, or to the console.
type responder interface {
	respond(ctx context.Context, m *message) error
}

// webhookResponder posts to the response_url of one request. That URL came
// in the signed request (or the Socket Mode envelope), so whatever its host
// it is Slack's answer channel for this request; it is never logged, since
// it lets anyone who holds it post as the app.
type webhookResponder struct {
	url string
	hc  *http.Client
}

// errNoResponseURL: Slack sent no usable response_url, so a later answer
// cannot be delivered.
var errNoResponseURL = errors.New("the request carried no usable response_url")

func newWebhookResponder(raw string, hc *http.Client) (*webhookResponder, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, errNoResponseURL
	}
	return &webhookResponder{url: raw, hc: hc}, nil
}

func (w *webhookResponder) respond(ctx context.Context, m *message) error {
	err := slack.PostWebhookCustomHTTPContext(ctx, w.url, w.hc, m.webhook())
	if err == nil {
		return nil
	}
	// Only the kind of failure is reported: slack-go's error texts carry
	// the URL, and the URL is a credential for this conversation.
	var rl *slack.RateLimitedError
	var sc slack.StatusCodeError
	switch {
	case errors.As(err, &rl):
		return fmt.Errorf("response_url rate limited, retry after %s", rl.RetryAfter)
	case errors.As(err, &sc):
		return fmt.Errorf("response_url answered %d", sc.Code)
	case ctx.Err() != nil:
		return fmt.Errorf("posting to response_url: %w", ctx.Err())
	}
	return errors.New("posting to response_url failed")
}
