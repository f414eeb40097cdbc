package slackbot

import (
	"context"
	"encoding/json"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/iocloud-chatops/iocloud/internal/testutil"
	"github.com/iocloud-chatops/iocloud/iocloud"
	"github.com/slack-go/slack"
	"github.com/stretchr/testify/require"
)

// entity is the only thing an & may start in rendered Slack text.
var entity = regexp.MustCompile(`^&(amp|lt|gt);`)

// requireInertText checks one rendered text: no < or > except the mentions
// allowed, and every & an entity, so nothing a user typed can become a
// mention, a link or a broken escape.
func requireInertText(t *testing.T, text string, mentions []string) {
	t.Helper()
	require.True(t, utf8.ValidString(text), "valid UTF-8: %q", text)
	for _, m := range mentions {
		text = strings.ReplaceAll(text, m, "")
	}
	require.NotContains(t, text, "<", "markup in %q", text)
	require.NotContains(t, text, ">", "markup in %q", text)
	for rest := text; ; {
		i := strings.IndexByte(rest, '&')
		if i < 0 {
			break
		}
		if !entity.MatchString(rest[i:min(len(rest), i+5)]) {
			require.Failf(t, "a bare &", "in %q", text)
		}
		rest = rest[i+1:]
	}
}

// texts are every text a rendered message shows.
func texts(w *slack.WebhookMessage) []string {
	out := []string{w.Text}
	if w.Blocks == nil {
		return out
	}
	for _, b := range w.Blocks.BlockSet {
		switch b := b.(type) {
		case *slack.SectionBlock:
			if b.Text != nil {
				out = append(out, b.Text.Text)
			}
			for _, f := range b.Fields {
				out = append(out, f.Text)
			}
		case *slack.ContextBlock:
			for _, el := range b.ContextElements.Elements {
				if tb, ok := el.(*slack.TextBlockObject); ok {
					out = append(out, tb.Text)
				}
			}
		case *slack.ActionBlock:
			for _, el := range b.Elements.ElementSet {
				if btn, ok := el.(*slack.ButtonBlockElement); ok && btn.Confirm != nil {
					out = append(out, btn.Confirm.Text.Text, btn.Text.Text)
				}
			}
		}
	}
	return out
}

// FuzzRenderWebhook: whatever text ends up in a message (user input, io.net
// names, a key's secret), the Slack rendering stays within Slack's limits,
// is inert (escaped, no mention or link but a vetted user mention), and a
// title that fits reads back as written.
func FuzzRenderWebhook(f *testing.F) {
	for _, s := range []string{
		"plain", "<!channel> & <https://evil.example|click> <@U999|boss>", "a&amp;b", "&lt;", "*bold* _it_ `code` ~x~",
		strings.Repeat("&", 1500), strings.Repeat("<", 999) + "x", strings.Repeat("Ü&<>", 800), "\u202e\x00\xff", "U0123ABCD", "",
	} {
		f.Add(s, s, "U0123ABCD", strings.Repeat(s, 3), uint8(3))
	}
	f.Add("title", "line", "<@U1>", "cell", uint8(0))
	f.Add(strings.Repeat("x", 2997)+"&", "y", "W0AAA", "z", uint8(255))
	f.Fuzz(func(t *testing.T, title, text, user, cell string, n uint8) {
		m := &message{title: title, fallback: text, public: n&1 == 1}
		for i := range int(n%8) + 1 {
			m.lines = append(m.lines, strings.Repeat(text, i+1))
			m.fields = append(m.fields, field{label: text, value: cell})
			m.notes = append(m.notes, cell+text)
		}
		m.fields = append(m.fields, field{label: "Requested by", value: user, user: user})
		m.tables = []titledTable{{heading: text, table: table{
			header: []string{title, "n"}, rows: [][]string{{cell, text}, {text}}, numeric: []bool{false, true}, more: cell,
		}}}
		if len(cell) <= 200 { // a key's secret: io.net's are ~50 characters
			m.secret = cell
		}
		if n&2 == 2 {
			m.buttons = &keyButtons{token: "ticket", summary: text + cell}
		}
		// What Slack receives: the JSON (which also turns invalid UTF-8
		// into U+FFFD).
		raw, err := json.Marshal(m.webhook())
		require.NoError(t, err)
		var w *slack.WebhookMessage
		require.NoError(t, json.Unmarshal(raw, &w))
		requireWithinSlackLimits(t, w)

		var mentions []string
		if slackUserID.MatchString(user) {
			mentions = append(mentions, "<@"+user+">")
		}
		for _, s := range texts(w) {
			requireInertText(t, s, mentions)
		}

		// Round trip: the title as the person will read it.
		if escaped := esc(title); title != "" && utf8.ValidString(title) && utf8.RuneCountInString(escaped) <= maxSectionText-2 {
			first := w.Blocks.BlockSet[0].(*slack.SectionBlock).Text.Text
			require.Equal(t, title, html.UnescapeString(strings.TrimSuffix(strings.TrimPrefix(first, "*"), "*")))
		}
		if m.secret != "" && utf8.ValidString(m.secret) {
			require.Contains(t, strings.Join(texts(w), "\n"), esc(m.secret), "the secret is shown whole")
		}
	})
}

// guardCall is one call that reached the guard.
type guardCall struct {
	op, actor, token string
}

// recordingGuard is a KeyGuard that creates nothing and records the calls.
type recordingGuard struct {
	mu    sync.Mutex
	calls []guardCall
}

func (g *recordingGuard) record(op string, a iocloud.Actor, token string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.calls = append(g.calls, guardCall{op, a.String(), token})
}

func (g *recordingGuard) take() []guardCall {
	g.mu.Lock()
	defer g.mu.Unlock()
	c := g.calls
	g.calls = nil
	return c
}

func (g *recordingGuard) Prepare(context.Context, iocloud.Actor, iocloud.KeyAsk, string) (*iocloud.Pending, error) {
	return nil, iocloud.ErrTicketInvalid
}

func (g *recordingGuard) Confirm(_ context.Context, a iocloud.Actor, token, _, _ string) (*iocloud.CreatedKey, error) {
	g.record("confirm", a, token)
	return nil, iocloud.ErrTicketInvalid
}

func (g *recordingGuard) Cancel(_ context.Context, a iocloud.Actor, token, _, _ string) (iocloud.KeyRequest, error) {
	g.record("cancel", a, token)
	return iocloud.KeyRequest{}, iocloud.ErrTicketInvalid
}

func (g *recordingGuard) PrepareRevoke(context.Context, iocloud.Actor, string, string) (*iocloud.RevokePending, error) {
	return nil, iocloud.ErrTicketInvalid
}

func (g *recordingGuard) ConfirmRevoke(_ context.Context, a iocloud.Actor, token, _, _ string) (*iocloud.APIKey, error) {
	g.record("confirm-revoke", a, token)
	return nil, iocloud.ErrTicketInvalid
}

func (g *recordingGuard) CancelRevoke(_ context.Context, a iocloud.Actor, token, _, _ string) (*iocloud.APIKey, error) {
	g.record("cancel-revoke", a, token)
	return nil, iocloud.ErrTicketInvalid
}

// noNetwork answers every response_url post itself: a fuzzed payload names
// any URL, and tests talk to nothing beyond this process.
type noNetwork struct{}

func (noNetwork) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		_ = r.Body.Close()
	}
	return &http.Response{StatusCode: http.StatusOK, Body: http.NoBody, Header: http.Header{}, Request: r}, nil
}

type nobodyReads struct{}

func (nobodyReads) Hardware(context.Context) (*iocloud.HardwareList, error) {
	return nil, iocloud.ErrUnavailable
}

func (nobodyReads) FindReplicas(context.Context, iocloud.ReplicaSearch) (*iocloud.ReplicaReport, error) {
	return nil, iocloud.ErrUnavailable
}

func (nobodyReads) QuotePrices(context.Context, iocloud.PriceSearch) (*iocloud.PriceReport, error) {
	return nil, iocloud.ErrUnavailable
}

func (nobodyReads) ListAPIKeys(context.Context) (*iocloud.KeyList, error) {
	return nil, iocloud.ErrUnavailable
}

// FuzzInteractionPayload: any interaction payload Slack could sign reaches
// the guard only as a Confirm or Cancel click on our preview block, by a
// key creator in an allowed workspace and channel, with the button's value
// passed through unchanged and the clicker's own identity; anything else is
// ignored or refused, and nothing panics.
func FuzzInteractionPayload(f *testing.F) {
	fixture, err := os.ReadFile(filepath.Join("testdata", "block_actions.json"))
	require.NoError(f, err)
	f.Add(string(fixture))
	click := func(team, enterprise, channel, user, block, action, value, responseURL string) string {
		p := map[string]any{
			"type":         "block_actions",
			"team":         map[string]any{"id": team},
			"enterprise":   map[string]any{"id": enterprise},
			"user":         map[string]any{"id": user, "team_id": team},
			"channel":      map[string]any{"id": channel},
			"response_url": responseURL,
			"actions":      []any{map[string]any{"block_id": block, "action_id": action, "value": value, "type": "button"}},
		}
		b, _ := json.Marshal(p)
		return string(b)
	}
	hook := "https://hooks.slack.com/actions/T1/1/x"
	for _, seed := range []string{
		click("T0001", "", "C0001", "U0CREATOR", blockCreateKey, actionConfirmKey, "ticket-1", hook),
		click("T0001", "", "C0001", "U0CREATOR", blockCreateKey, actionCancelKey, "ticket-2", hook),
		click("", "E0GRID", "C0001", "U0CREATOR", blockCreateKey, actionConfirmKey, "t", hook),
		click("T0001", "", "C0001", "U0OUTSIDER", blockCreateKey, actionConfirmKey, "t", hook),
		click("T0OTHER", "", "C0001", "U0CREATOR", blockCreateKey, actionConfirmKey, "t", hook),
		click("T0001", "", "C0OTHER", "U0CREATOR", blockCreateKey, actionConfirmKey, "t", hook),
		click("T0001", "", "C0001", "", blockCreateKey, actionConfirmKey, "t", hook),
		click("T0001", "", "C0001", "U0CREATOR", "other_block", actionConfirmKey, "t", hook),
		click("T0001", "", "C0001", "U0CREATOR", blockCreateKey, "iocloud_delete_everything", "t", hook),
		click("T0001", "", "C0001", "U0CREATOR", blockCreateKey, actionConfirmKey, "t", "javascript:alert(1)"),
		click("T0001", "", "C0001", "U0CREATOR", blockCreateKey, actionConfirmKey, "t", ""),
		`{"type":"block_actions","actions":[null]}`,
		`{"type":"block_actions","actions":[{},{}]}`,
		`{"type":"view_submission","view":{"id":"V1"}}`,
		`{"type":"block_actions","container":{"channel_id":"C0001"},"team":null,"user":{"id":"U0CREATOR","team_id":"T0001"},"response_url":"http://127.0.0.1:1/x","actions":[{"block_id":"iocloud_create_key","action_id":"iocloud_create_key_confirm","value":"v"}]}`,
		`[]`, `null`, `{"type":`, "",
	} {
		f.Add(seed)
	}

	guard := &recordingGuard{}
	var logs testutil.SyncBuffer
	bot, err := New(Config{
		Reader:          nobodyReads{},
		Guard:           guard,
		KeyCreators:     []string{"U0CREATOR"},
		AllowedTeams:    []string{"T0001", "E0GRID"},
		AllowedChannels: []string{"C0001"},
		HTTPClient:      &http.Client{Transport: noNetwork{}, Timeout: time.Second},
		Logger:          slog.New(slog.NewTextHandler(&logs, nil)),
	})
	require.NoError(f, err)

	f.Fuzz(func(t *testing.T, payload string) {
		body := url.Values{"payload": {payload}}.Encode()
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, PathInteractions, strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		ic, err := slack.InteractionCallbackParse(req)
		if err != nil {
			return // answered 400, nothing runs
		}
		c, resp, ok := bot.fromInteraction(ic)
		if ok {
			bot.action(t.Context(), c, resp)
		}
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		defer cancel()
		require.NoError(t, bot.Wait(ctx))
		calls := guard.take()
		require.NotContains(t, logs.String(), "panicked")

		if len(calls) == 0 {
			return
		}
		// Reaching the guard took every condition, all read from the
		// payload itself.
		require.Len(t, calls, 1)
		require.Equal(t, slack.InteractionTypeBlockActions, ic.Type)
		require.Len(t, ic.ActionCallback.BlockActions, 1)
		a := ic.ActionCallback.BlockActions[0]
		require.Equal(t, blockCreateKey, a.BlockID)
		want := map[string]string{actionConfirmKey: "confirm", actionCancelKey: "cancel"}[a.ActionID]
		require.Equal(t, want, calls[0].op)
		require.Equal(t, a.Value, calls[0].token, "the button's value, unchanged")
		require.Equal(t, "U0CREATOR", ic.User.ID, "only the listed key creator")
		team := ic.Team.ID
		if team == "" {
			team = ic.User.TeamID
		}
		org := ic.Enterprise.ID
		if org == "" {
			org = team
		}
		require.True(t, team == "T0001" || team == "E0GRID" || ic.Enterprise.ID == "T0001" || ic.Enterprise.ID == "E0GRID",
			"an allowed workspace (team %q, enterprise %q)", team, ic.Enterprise.ID)
		channel := ic.Channel.ID
		if channel == "" {
			channel = ic.Container.ChannelID
		}
		require.Equal(t, "C0001", channel)
		require.Equal(t, "slack:"+org+"/U0CREATOR", calls[0].actor, "bound to the clicker")
		_, err = newWebhookResponder(ic.ResponseURL, nil)
		require.NoError(t, err, "a usable response_url")
	})
}
