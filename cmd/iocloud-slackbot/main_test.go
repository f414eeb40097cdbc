package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/iocloud-chatops/iocloud/internal/testutil"

	"github.com/sethvargo/go-envconfig"
	"github.com/slack-go/slack/slacktest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	testSigningSecret = "test-signing-secret-0123456789abcdef"
	testBotToken      = "xoxb-test-bot-token-0123456789"
	testAppToken      = "xapp-1-test-app-token-0123456789"
)

func TestVersionAndHelpNeedNoConfiguration(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	require.NoError(t, run(t.Context(), []string{"--version"}, envconfig.MapLookuper(nil), nil, &out, io.Discard))
	assert.Regexp(t, `^iocloud-slackbot \S+ \(commit \S+, go\S+\)\n$`, out.String())

	out.Reset()
	env := envconfig.MapLookuper(map[string]string{"SLACK_SIGNING_SECRET": testSigningSecret, "SLACK_BOT_TOKEN": testBotToken})
	require.NoError(t, run(t.Context(), []string{"--help"}, env, nil, &out, io.Discard))
	for _, want := range []string{"--console", "--sandbox", "SLACK_APP_TOKEN", "IOCLOUD_SLACK_KEY_CREATORS"} {
		assert.Contains(t, out.String(), want)
	}
	assert.NotContains(t, out.String(), testSigningSecret)
	assert.NotContains(t, out.String(), testBotToken)
}

func TestCommandLineAndConfigErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"--bogus"}, nil, "-bogus"},
		{[]string{"serve"}, nil, `unexpected argument "serve"`},
		{nil, nil, "IOCLOUD_API_KEY"},
		{[]string{"--sandbox"}, nil, "SLACK_SIGNING_SECRET"},
		{[]string{"--sandbox"}, map[string]string{"SLACK_APP_TOKEN": "xoxb-wrong-kind"}, "SLACK_APP_TOKEN"},
		{[]string{"--sandbox"}, map[string]string{"SLACK_SIGNING_SECRET": testSigningSecret, "IOCLOUD_SLACK_KEY_CREATORS": "alice"}, "IOCLOUD_SLACK_KEY_CREATORS"},
		{[]string{"--sandbox"}, map[string]string{"SLACK_SIGNING_SECRET": testSigningSecret, "IOCLOUD_SLACK_AUDIT_CHANNEL": "C0AUDIT"}, "SLACK_BOT_TOKEN"},
		{[]string{"--sandbox"}, map[string]string{"SLACK_SIGNING_SECRET": testSigningSecret, "IOCLOUD_SLACK_ADDR": "nonsense"}, "IOCLOUD_SLACK_ADDR"},
		{[]string{"--console", "--sandbox"}, map[string]string{"IOCLOUD_TIMEOUT": "soon"}, "IOCLOUD_TIMEOUT"},
	}
	for _, c := range cases {
		var stderr bytes.Buffer
		err := run(t.Context(), c.args, envconfig.MapLookuper(c.env), strings.NewReader(""), io.Discard, &stderr)
		require.Error(t, err, "%v %v", c.args, c.env)
		assert.Contains(t, err.Error(), c.want)
		assert.NotContains(t, err.Error(), "\n", "one line")
		assert.NotContains(t, err.Error(), testSigningSecret)
	}
}

// The console: the same commands on stdin, replies on stdout.
func TestRunConsole(t *testing.T) {
	t.Parallel()
	in := strings.NewReader("/iocloud help\nhardware\n/iocloud create-key console-key --expires 7d\nconfirm\n")
	var out, logs testutil.SyncBuffer
	require.NoError(t, run(t.Context(), []string{"--console", "--sandbox"}, envconfig.MapLookuper(nil), in, &out, &logs))
	assert.Contains(t, out.String(), "H100 80GB HBM3")
	assert.Equal(t, 1, strings.Count(out.String(), "io.net API key created"))
	secret := secretIn(t, out.String())
	assert.NotContains(t, logs.String(), secret)
	assert.Equal(t, 1, strings.Count(logs.String(), "outcome=created"), "one audit record of the creation")
}

// With IOCLOUD_SLACK_KEY_CREATORS set, the console user is not a creator
// unless listed.
func TestRunConsoleHonoursKeyCreators(t *testing.T) {
	t.Parallel()
	env := envconfig.MapLookuper(map[string]string{
		"IOCLOUD_SLACK_KEY_CREATORS":     "U0ADMIN",
		"IOCLOUD_SLACK_ALLOWED_CHANNELS": "C0OPS", // no channel at the console: not applied
	})
	var out testutil.SyncBuffer
	in := strings.NewReader("create-key x\nconfirm\nuser U0ADMIN\ncreate-key y\nconfirm\n")
	require.NoError(t, run(t.Context(), []string{"--console", "--sandbox"}, env, in, &out, io.Discard))
	assert.Contains(t, out.String(), "You may not create io.net API keys")
	assert.Equal(t, 1, strings.Count(out.String(), "io.net API key created"), "only the listed creator's key")
}

// Socket Mode is chosen by SLACK_APP_TOKEN; IOCLOUD_SLACK_API_URL points
// the bot at slack-go's fake Slack.
func TestRunSocketMode(t *testing.T) {
	t.Parallel()
	fake := slacktest.NewTestServer()
	fake.Start()
	t.Cleanup(fake.Stop)
	acks := make(chan string, 10)
	go func() {
		for m := range fake.SeenFeed {
			acks <- m
		}
	}()
	env := envconfig.MapLookuper(map[string]string{
		"SLACK_APP_TOKEN":       testAppToken,
		"SLACK_BOT_TOKEN":       testBotToken,
		"IOCLOUD_SLACK_API_URL": strings.TrimSuffix(fake.GetAPIURL(), "/"),
	})
	ctx, cancel := context.WithCancel(t.Context())
	var logs testutil.SyncBuffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"--sandbox"}, env, nil, io.Discard, &logs) }()

	envelope := `{"envelope_id":"e-1","type":"slash_commands","accepts_response_payload":true,"payload":` +
		`{"team_id":"T1","channel_id":"C1","user_id":"U1","command":"/iocloud","text":"help","response_url":"https://hooks.slack.com/commands/1/2"}}`
	fake.SendToWebsocket(envelope)
	select {
	case m := <-acks:
		assert.Contains(t, m, `"envelope_id":"e-1"`)
		assert.Contains(t, m, "/iocloud create-key")
	case <-time.After(10 * time.Second):
		require.FailNow(t, "the envelope was not acknowledged")
	}
	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		require.FailNow(t, "run did not return after cancel")
	}
	assert.Contains(t, logs.String(), "Socket Mode")
	assert.NotContains(t, logs.String(), testAppToken)
	assert.NotContains(t, logs.String(), testBotToken)
}

// secretIn finds the new key the console printed.
func secretIn(t *testing.T, out string) string {
	t.Helper()
	const marker = "(shown only once; copy it now): "
	i := strings.Index(out, marker)
	require.GreaterOrEqual(t, i, 0, "the console printed the new key")
	secret, _, _ := strings.Cut(out[i+len(marker):], "\n")
	require.NotEmpty(t, secret)
	return secret
}

// sign signs a request body exactly as Slack does.
func sign(secret string, at time.Time, body string) (ts, sig string) {
	ts = strconv.FormatInt(at.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	_, _ = io.WriteString(mac, "v0:"+ts+":"+body)
	return ts, "v0=" + hex.EncodeToString(mac.Sum(nil))
}

func slackPost(t *testing.T, base, path, body, secret string) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, base+path, strings.NewReader(body))
	require.NoError(t, err)
	ts, sig := sign(secret, time.Now(), body)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", sig)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	return resp
}

// responseURL records what the bot posts to response_url.
func responseURL(t *testing.T) (*httptest.Server, chan map[string]any) {
	t.Helper()
	posts := make(chan map[string]any, 10)
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		var m map[string]any
		_ = json.NewDecoder(r.Body).Decode(&m)
		m["_raw_path"] = r.URL.Path
		posts <- m
	}))
	t.Cleanup(srv.Close)
	return srv, posts
}

func commandBody(text, respURL string) string {
	return url.Values{
		"team_id": {"T0001"}, "channel_id": {"C0001"}, "user_id": {"U0001"}, "command": {"/iocloud"},
		"text": {text}, "response_url": {respURL}, "trigger_id": {"1.2.3"}, "api_app_id": {"A1"},
	}.Encode()
}
