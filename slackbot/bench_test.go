package slackbot_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/iocloud-chatops/iocloud/iocloud"
	"github.com/iocloud-chatops/iocloud/slackbot"
)

func BenchmarkParseCommand(b *testing.B) {
	const text = `replicas “H100 80GB HBM3”  --gpus 2 --country DE --public`
	for b.Loop() {
		if _, err := slackbot.ParseCommand(text); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyAndParse is one signed slash command through the HTTP
// handler: signature check over the raw body, form parsing, command
// parsing, the reply rendered (help needs no io.net).
func BenchmarkVerifyAndParse(b *testing.B) {
	client, err := iocloud.New(iocloud.WithBaseURL("http://127.0.0.1:1"))
	if err != nil {
		b.Fatal(err)
	}
	bot, err := slackbot.New(slackbot.Config{Reader: client, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	h := bot.Handler(iocloud.Secret(signingSecret))
	body := slashBody(b, alice, "help", "https://hooks.slack.com/commands/1234/5678")
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	sig := sign(signingSecret, ts, body)
	for b.Loop() {
		req := httptest.NewRequestWithContext(b.Context(), http.MethodPost, slackbot.PathCommands, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Slack-Request-Timestamp", ts)
		req.Header.Set("X-Slack-Signature", sig)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
	}
}
