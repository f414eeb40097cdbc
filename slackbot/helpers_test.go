package slackbot_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/iocloud-chatops/iocloud/config"
	"github.com/iocloud-chatops/iocloud/internal/testutil"

	"github.com/iocloud-chatops/iocloud/iocloud"
	"github.com/iocloud-chatops/iocloud/iocloud/guard"
	"github.com/iocloud-chatops/iocloud/iocloud/sandbox"
	"github.com/iocloud-chatops/iocloud/iocloud/state"
	"github.com/iocloud-chatops/iocloud/slackbot"
	"github.com/slack-go/slack"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	signingSecret = "8f742231b10e8888abcd99yyyzzz85a5-test-signing-secret"
	confirmSecret = "0123456789abcdef0123456789abcdef-confirm"

	teamID    = "T0001"
	channelID = "C2147483705"
	requestor = "U2147483697" // a key creator
	colleague = "U0COLLEAGUE" // also a key creator, but not the requester
	outsider  = "U0OUTSIDER"  // not a key creator
)

// env is a bot on the real core and the sandbox, served over HTTP, with a
// recorder standing in for Slack's response_url.
type env struct {
	sb     *sandbox.Server
	client *iocloud.Client
	bot    *slackbot.Bot
	srv    *httptest.Server
	hook   *hook
	logs   *testutil.SyncBuffer
	audit  *testutil.SyncBuffer
	clock  *testutil.Clock
}

type envOption func(*slackbot.Config)

func withCreators(ids ...string) envOption {
	return func(c *slackbot.Config) { c.KeyCreators = ids }
}

func withReadTimeout(d time.Duration) envOption {
	return func(c *slackbot.Config) { c.ReadTimeout = d }
}

func withAllowed(teams, channels []string) envOption {
	return func(c *slackbot.Config) { c.AllowedTeams, c.AllowedChannels = teams, channels }
}

// withReplays turns on the replay guard (a store of its own).
func withNotices(n slackbot.Notifier) envOption {
	return func(c *slackbot.Config) { c.Notices = n }
}

func newEnv(t *testing.T, opts ...envOption) *env {
	t.Helper()
	e := &env{logs: &testutil.SyncBuffer{}, audit: &testutil.SyncBuffer{}, clock: testutil.NewClock(time.Now())}
	logger := slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))

	sb, err := sandbox.Start()
	require.NoError(t, err)
	t.Cleanup(sb.Close)
	e.sb = sb

	e.client, err = iocloud.New(
		iocloud.WithBaseURL(sb.URL()),
		iocloud.WithAPIKey(iocloud.Secret(sb.APIKey())),
		iocloud.WithJWT(iocloud.Secret(sb.JWT())),
		iocloud.WithSandbox(true),
		iocloud.WithCacheTTL(0),
		iocloud.WithTimeout(20*time.Second),
		iocloud.WithLogger(logger),
	)
	require.NoError(t, err)
	store := state.NewMemoryWithClock(e.clock.Now)
	tickets, err := guard.NewTickets([]byte(confirmSecret), store, guard.WithTicketClock(e.clock.Now))
	require.NoError(t, err)
	keyGuard := guard.New(guard.Config{
		Client:  e.client,
		Policy:  iocloud.DefaultPolicy(),
		Store:   store,
		Tickets: tickets,
		Audit:   guard.NewAudit(e.audit, logger),
		Logger:  logger,
		Now:     e.clock.Now,
		Sandbox: true,
	})

	cfg := slackbot.Config{
		Reader:      e.client,
		Guard:       keyGuard,
		Sandbox:     true,
		KeyCreators: []string{requestor, colleague},
		Logger:      logger,
		Hints:       config.Hints(), // as cmd/iocloud-slackbot passes them
	}
	for _, o := range opts {
		o(&cfg)
	}
	e.bot, err = slackbot.New(cfg)
	require.NoError(t, err)

	e.hook = newHook(t)
	e.srv = httptest.NewServer(e.bot.Handler(iocloud.Secret(signingSecret)))
	t.Cleanup(func() {
		e.srv.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		assert.NoError(t, e.bot.Wait(ctx), "every answer is delivered before shutdown")
	})
	return e
}

// secrets lists every credential the test knows, for leak checks.
func (e *env) secrets() []string {
	s := []string{signingSecret, confirmSecret, e.sb.APIKey(), e.sb.JWT()}
	for _, k := range e.sb.CreatedKeys() {
		s = append(s, k.Value)
	}
	return s
}

// requireNoSecrets checks the operator log and the audit records.
func (e *env) requireNoSecrets(t *testing.T) {
	t.Helper()
	for _, s := range e.secrets() {
		require.NotContains(t, e.logs.String(), s, "a secret reached the log")
		require.NotContains(t, e.audit.String(), s, "a secret reached the audit records")
	}
}

// hook stands in for Slack's response_url: it records every post.
type hook struct {
	srv   *httptest.Server
	posts chan post
}

type post struct {
	path string
	raw  string
	msg  slack.WebhookMessage
}

func newHook(t *testing.T) *hook {
	t.Helper()
	h := &hook{posts: make(chan post, 100)}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		p := post{path: r.URL.Path, raw: string(body)}
		if err := json.Unmarshal(body, &p.msg); err != nil || r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
			w.WriteHeader(http.StatusBadRequest)
		}
		h.posts <- p
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hook) url(path string) string { return h.srv.URL + path }

// next waits for the next post, at most within.
func (h *hook) next(t *testing.T, within time.Duration) post {
	t.Helper()
	select {
	case p := <-h.posts:
		return p
	case <-time.After(within):
		require.FailNow(t, "no post on response_url", "waited %s", within)
		return post{}
	}
}

// quiet checks that nothing more is posted for a while.
func (h *hook) quiet(t *testing.T, d time.Duration) {
	t.Helper()
	select {
	case p := <-h.posts:
		require.FailNow(t, "unexpected post on response_url", "%s", p.raw)
	case <-time.After(d):
	}
}

func fixture(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return string(b)
}

// who is the team, channel and user of a request.
type who struct {
	enterprise, team, channel, user string
}

var alice = who{team: teamID, channel: channelID, user: requestor}

func (w who) as(user string) who { w.user = user; return w }

// slashBody is Slack's documented slash command payload with our command,
// text, IDs and response_url.
func slashBody(t testing.TB, w who, text, responseURL string) string {
	t.Helper()
	v, err := url.ParseQuery(fixture(t, "slash_command.form"))
	require.NoError(t, err)
	v.Set("command", "/iocloud")
	v.Set("text", text)
	v.Set("team_id", w.team)
	v.Set("channel_id", w.channel)
	v.Set("user_id", w.user)
	v.Set("response_url", responseURL)
	if w.enterprise == "" {
		v.Del("enterprise_id")
		v.Del("enterprise_name")
	} else {
		v.Set("enterprise_id", w.enterprise)
	}
	return v.Encode()
}

// clickPayload is Slack's documented block_actions payload for a click on
// one of our preview's buttons.
func clickPayload(t testing.TB, w who, actionID, value, responseURL string) string {
	t.Helper()
	var p map[string]any
	require.NoError(t, json.Unmarshal([]byte(fixture(t, "block_actions.json")), &p))
	if w.team == "" {
		p["team"] = nil
	} else {
		p["team"] = map[string]any{"id": w.team, "domain": "example"}
	}
	if w.enterprise != "" {
		p["enterprise"] = map[string]any{"id": w.enterprise, "name": "Globular Construct Inc"}
		p["is_enterprise_install"] = w.team == ""
	}
	p["user"] = map[string]any{"id": w.user, "username": "someone", "team_id": orDefault(w.team, "T0HOME")}
	p["channel"] = map[string]any{"id": w.channel, "name": "test"}
	p["container"] = map[string]any{"type": "message", "message_ts": "1548261231.000200", "channel_id": w.channel, "is_ephemeral": true}
	p["response_url"] = responseURL
	actions := p["actions"].([]any)
	a := actions[0].(map[string]any)
	a["action_id"] = actionID
	// Each preview's buttons sit in their own block, named like the
	// action ids without the _confirm or _cancel.
	a["block_id"] = strings.TrimSuffix(strings.TrimSuffix(actionID, "_confirm"), "_cancel")
	a["value"] = value
	a["text"] = map[string]any{"type": "plain_text", "text": "Confirm"}
	body, err := json.Marshal(p)
	require.NoError(t, err)
	return string(body)
}

func clickBody(t testing.TB, w who, actionID, value, responseURL string) string {
	return url.Values{"payload": {clickPayload(t, w, actionID, value, responseURL)}}.Encode()
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// sign computes Slack's v0 signature of body at ts with secret.
func sign(secret, ts, body string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	_, _ = io.WriteString(mac, "v0:"+ts+":"+body)
	return "v0=" + hex.EncodeToString(mac.Sum(nil))
}

// signedRequest is a request to the bot exactly as Slack sends it.
func signedRequest(t testing.TB, baseURL, path, body string, at time.Time, secret string) *http.Request {
	t.Helper()
	ts := strconv.FormatInt(at.Unix(), 10)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, baseURL+path, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", sign(secret, ts, body))
	return req
}

type reply struct {
	status  int
	raw     string
	msg     slack.WebhookMessage
	elapsed time.Duration
}

func do(t testing.TB, req *http.Request) reply {
	t.Helper()
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	r := reply{status: resp.StatusCode, raw: string(body), elapsed: time.Since(start)}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		require.NoError(t, json.Unmarshal(body, &r.msg))
	}
	return r
}

// command sends a signed /iocloud command and returns the acknowledgement.
func (e *env) command(t testing.TB, w who, text, hookPath string) reply {
	t.Helper()
	return do(t, signedRequest(t, e.srv.URL, slackbot.PathCommands, slashBody(t, w, text, e.hook.url(hookPath)), time.Now(), signingSecret))
}

// click sends a signed button press.
func (e *env) click(t testing.TB, w who, actionID, value, hookPath string) reply {
	t.Helper()
	return do(t, signedRequest(t, e.srv.URL, slackbot.PathInteractions, clickBody(t, w, actionID, value, e.hook.url(hookPath)), time.Now(), signingSecret))
}

// buttons finds the create-key preview's Confirm and Cancel buttons.
func buttons(t testing.TB, m slack.WebhookMessage) (confirm, cancel *slack.ButtonBlockElement) {
	t.Helper()
	return previewButtons(t, m, "iocloud_create_key")
}

// previewButtons finds Confirm and Cancel in the action block blockID.
func previewButtons(t testing.TB, m slack.WebhookMessage, blockID string) (confirm, cancel *slack.ButtonBlockElement) {
	t.Helper()
	require.NotNil(t, m.Blocks, "the message has blocks")
	for _, b := range m.Blocks.BlockSet {
		ab, ok := b.(*slack.ActionBlock)
		if !ok || ab.BlockID != blockID {
			continue
		}
		for _, el := range ab.Elements.ElementSet {
			btn, ok := el.(*slack.ButtonBlockElement)
			if !ok {
				continue
			}
			switch btn.ActionID {
			case blockID + "_confirm":
				confirm = btn
			case blockID + "_cancel":
				cancel = btn
			}
		}
	}
	require.NotNil(t, confirm, "a Confirm button")
	require.NotNil(t, cancel, "a Cancel button")
	return confirm, cancel
}
