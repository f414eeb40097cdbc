package slackbot_test

import (
	"context"
	"encoding/json"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slacktest"
	"github.com/slack-go/slack/socketmode"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// socketFake is slack-go's slacktest server speaking Socket Mode to a bot.
type socketFake struct {
	srv  *slacktest.Server
	acks chan string
	n    atomic.Int64
}

func startSocketMode(t *testing.T, e *env) *socketFake {
	t.Helper()
	f := &socketFake{srv: slacktest.NewTestServer(), acks: make(chan string, 100)}
	f.srv.Start()
	t.Cleanup(f.srv.Stop) // runs after the client below has stopped
	// SeenFeed is unbuffered: without a reader the fake's socket loop stops.
	go func() {
		for m := range f.srv.SeenFeed {
			f.acks <- m
		}
	}()
	api := slack.New("xoxb-socket-test", slack.OptionAppLevelToken("xapp-socket-test"), slack.OptionAPIURL(f.srv.GetAPIURL()))
	// slacktest sends no WebSocket pings; a long interval keeps the client
	// from reconnecting during the test.
	client := socketmode.New(api, socketmode.OptionPingInterval(time.Hour))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.bot.RunSocketMode(ctx, client) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			assert.NoError(t, err)
		case <-time.After(5 * time.Second):
			t.Error("RunSocketMode did not stop with its context")
		}
	})
	return f
}

// send delivers one envelope and returns its id.
func (f *socketFake) send(t *testing.T, kind string, payload any, acceptsPayload bool) string {
	t.Helper()
	id := "env-" + strconv.FormatInt(f.n.Add(1), 10)
	env := map[string]any{"envelope_id": id, "type": kind, "payload": payload, "accepts_response_payload": acceptsPayload}
	b, err := json.Marshal(env)
	require.NoError(t, err)
	f.srv.SendToWebsocket(string(b))
	return id
}

type socketAck struct {
	EnvelopeID string                `json:"envelope_id"`
	Payload    *slack.WebhookMessage `json:"payload"`
	raw        string
}

// ack waits for the acknowledgement of envelope id.
func (f *socketFake) ack(t *testing.T, id string) socketAck {
	t.Helper()
	deadline := time.After(wait)
	for {
		select {
		case m := <-f.acks:
			var a socketAck
			if json.Unmarshal([]byte(m), &a) != nil || a.EnvelopeID != id {
				continue
			}
			a.raw = m
			return a
		case <-deadline:
			require.FailNow(t, "envelope not acknowledged", id)
		}
	}
}

// slashEnvelope is Slack's documented Socket Mode slash command envelope
// payload with our command.
func slashEnvelope(t *testing.T, w who, text, responseURL string) map[string]any {
	t.Helper()
	var env struct {
		Payload map[string]any `json:"payload"`
	}
	require.NoError(t, json.Unmarshal([]byte(fixture(t, "socket_slash_envelope.json")), &env))
	p := env.Payload
	p["command"], p["text"], p["response_url"] = "/iocloud", text, responseURL
	p["team_id"], p["channel_id"], p["user_id"] = w.team, w.channel, w.user
	return p
}

// Over Socket Mode a slash command and a button click reach the same core
// as over HTTP, and every envelope is acknowledged: a command's ack carries
// its immediate reply, a click's ack is empty and its answer goes to
// response_url.
func TestSocketModeCommandAndClick(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	f := startSocketMode(t, e)

	a := f.ack(t, f.send(t, "slash_commands", slashEnvelope(t, alice, "help", e.hook.url("/help")), true))
	require.NotNil(t, a.Payload)
	assert.Contains(t, a.raw, "/iocloud create-key")

	// A read: the ack says "working on it", the answer follows on response_url.
	a = f.ack(t, f.send(t, "slash_commands", slashEnvelope(t, alice, "hardware", e.hook.url("/hw")), true))
	assert.Contains(t, a.raw, "Working on it")
	p := e.hook.next(t, wait)
	assert.Equal(t, "/hw", p.path)
	assert.Contains(t, p.raw, "H200 141GB HBM3e")

	// create-key: the preview is the ack's payload.
	a = f.ack(t, f.send(t, "slash_commands", slashEnvelope(t, alice, "create-key socket-key --scopes read", e.hook.url("/cmd")), true))
	require.NotNil(t, a.Payload)
	confirm, _ := buttons(t, *a.Payload)
	assert.Empty(t, e.sb.CreatedKeys())

	// Another user's click: acked, refused, nothing created.
	var other map[string]any
	require.NoError(t, json.Unmarshal([]byte(clickPayload(t, alice.as(colleague), confirm.ActionID, confirm.Value, e.hook.url("/other"))), &other))
	a = f.ack(t, f.send(t, "interactive", other, false))
	assert.Nil(t, a.Payload, "a click's ack is empty")
	p = e.hook.next(t, wait)
	assert.Contains(t, p.raw, "Only the person who asked")
	assert.Empty(t, e.sb.CreatedKeys())

	// The requester's click creates the key.
	var mine map[string]any
	require.NoError(t, json.Unmarshal([]byte(clickPayload(t, alice, confirm.ActionID, confirm.Value, e.hook.url("/mine"))), &mine))
	f.ack(t, f.send(t, "interactive", mine, false))
	p = e.hook.next(t, wait)
	assert.Equal(t, "/mine", p.path)
	assert.True(t, p.msg.ReplaceOriginal)
	require.Len(t, e.sb.CreatedKeys(), 1)
	assert.Contains(t, p.raw, e.sb.CreatedKeys()[0].Value)

	// Envelopes the bot has no use for are acknowledged too.
	f.ack(t, f.send(t, "events_api", map[string]any{"type": "event_callback", "event": map[string]any{"type": "app_mention"}}, false))
	e.requireNoSecrets(t)
}

// revoke over Socket Mode: the same core as over HTTP. The command's ack
// says it is looking the key up, the preview follows on response_url, and
// only the requester's click revokes.
func TestSocketModeRevoke(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	f := startSocketMode(t, e)
	key := e.makeKey(t, "socket-key")

	a := f.ack(t, f.send(t, "slash_commands", slashEnvelope(t, alice, "revoke "+key.Key.KeyID, e.hook.url("/cmd")), true))
	assert.Contains(t, a.raw, "Working on it")
	p := e.hook.next(t, wait)
	assert.Equal(t, "/cmd", p.path)
	confirm, _ := revokeButtons(t, p.msg)

	var other map[string]any
	require.NoError(t, json.Unmarshal([]byte(clickPayload(t, alice.as(colleague), confirm.ActionID, confirm.Value, e.hook.url("/other"))), &other))
	a = f.ack(t, f.send(t, "interactive", other, false))
	assert.Nil(t, a.Payload, "a click's ack is empty")
	p = e.hook.next(t, wait)
	assert.Contains(t, p.raw, "Only the person who asked to revoke this key")
	assert.Zero(t, e.deletes())

	var mine map[string]any
	require.NoError(t, json.Unmarshal([]byte(clickPayload(t, alice, confirm.ActionID, confirm.Value, e.hook.url("/mine"))), &mine))
	f.ack(t, f.send(t, "interactive", mine, false))
	p = e.hook.next(t, wait)
	assert.Equal(t, "/mine", p.path)
	assert.True(t, p.msg.ReplaceOriginal)
	assert.Contains(t, p.raw, "io.net API key revoked")
	assert.Equal(t, 1, e.deletes())
	assert.True(t, e.revoked(t, key.Key.KeyID))
	e.requireNoSecrets(t)
}
