package slackbot_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/iocloud-chatops/iocloud/slackbot"
	"github.com/slack-go/slack"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeViews stands in for Slack's Web API views.open: it records what the
// bot asked to open.
type fakeViews struct {
	srv   *httptest.Server
	mu    sync.Mutex
	opens []openedView
}

type openedView struct {
	TriggerID string                 `json:"trigger_id"`
	View      slack.ModalViewRequest `json:"view"`
	Auth      string                 `json:"-"`
}

func newFakeViews(t *testing.T) *fakeViews {
	t.Helper()
	f := &fakeViews{}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var o openedView
		if r.URL.Path != "/views.open" || json.Unmarshal(body, &o) != nil {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		o.Auth = r.Header.Get("Authorization")
		f.mu.Lock()
		f.opens = append(f.opens, o)
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"ok":true,"view":{"id":"VNHU13V36","type":"modal"}}`)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeViews) api() *slack.Client {
	return slack.New("xoxb-test-bot-token", slack.OptionAPIURL(f.srv.URL+"/"))
}

func (f *fakeViews) next(t *testing.T) openedView {
	t.Helper()
	var o openedView
	require.Eventually(t, func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		if len(f.opens) == 0 {
			return false
		}
		o, f.opens = f.opens[0], f.opens[1:]
		return true
	}, wait, 5*time.Millisecond, "views.open was called")
	return o
}

func withViews(v slackbot.ViewOpener) envOption {
	return func(c *slackbot.Config) { c.Views = v }
}

// formValues is what a person entered in the modal, in Slack's state shape.
type formValues struct {
	description, date string
	scopes            []string
}

// viewSubmissionBody is Slack's documented view_submission payload for our
// modal: the opened view's callback_id and private_metadata, the person,
// and the values they entered.
func viewSubmissionBody(t *testing.T, w who, opened openedView, v formValues) string {
	t.Helper()
	var p map[string]any
	require.NoError(t, json.Unmarshal([]byte(fixture(t, "view_submission.json")), &p))
	p["team"] = map[string]any{"id": w.team, "domain": "example"}
	p["user"] = map[string]any{"id": w.user, "username": "someone", "name": "someone", "team_id": w.team}
	view := p["view"].(map[string]any)
	view["callback_id"] = opened.View.CallbackID
	view["private_metadata"] = opened.View.PrivateMetadata
	var selected []any
	for _, s := range v.scopes {
		selected = append(selected, map[string]any{"text": map[string]any{"type": "plain_text", "text": s, "emoji": true}, "value": s})
	}
	date := map[string]any{"type": "datepicker", "selected_date": nil}
	if v.date != "" {
		date["selected_date"] = v.date
	}
	view["state"] = map[string]any{"values": map[string]any{
		"iocloud_key_description": map[string]any{"description": map[string]any{"type": "plain_text_input", "value": v.description}},
		"iocloud_key_expiry":      map[string]any{"expires_on": date},
		"iocloud_key_scopes":      map[string]any{"scopes": map[string]any{"type": "multi_static_select", "selected_options": selected}},
	}}
	body, err := json.Marshal(p)
	require.NoError(t, err)
	return url.Values{"payload": {string(body)}}.Encode()
}

// submit sends a signed view_submission and decodes Slack's answer.
func (e *env) submit(t *testing.T, w who, opened openedView, v formValues) slack.ViewSubmissionResponse {
	t.Helper()
	r := do(t, signedRequest(t, e.srv.URL, slackbot.PathInteractions, viewSubmissionBody(t, w, opened, v), time.Now(), signingSecret))
	require.Equal(t, http.StatusOK, r.status, r.raw)
	var resp slack.ViewSubmissionResponse
	require.NoError(t, json.Unmarshal([]byte(r.raw), &resp), r.raw)
	return resp
}

// openForm runs "/iocloud create-key" and returns the modal Slack was asked
// to open.
func (e *env) openForm(t *testing.T, f *fakeViews, w who, hookPath string) openedView {
	t.Helper()
	r := e.command(t, w, "create-key", hookPath)
	require.Equal(t, http.StatusOK, r.status)
	assert.Contains(t, r.raw, "Opening the create-key form")
	return f.next(t)
}

var buttonValue = regexp.MustCompile(`"value":"[^"]*"`)

// previewShape is a preview's blocks with the ticket (different every time)
// blanked out.
func previewShape(t *testing.T, m slack.WebhookMessage) string {
	t.Helper()
	raw, err := json.Marshal(m.Blocks)
	require.NoError(t, err)
	return buttonValue.ReplaceAllString(string(raw), `"value":"TICKET"`)
}

func TestKeyFormOpensAModalWithTheTriggerID(t *testing.T) {
	t.Parallel()
	f := newFakeViews(t)
	e := newEnv(t, withViews(f.api()))
	o := e.openForm(t, f, alice, "/cmd/form")

	assert.Equal(t, "13345224609.738474920.8088930838d88f008e0", o.TriggerID, "the command's trigger_id")
	assert.Equal(t, "Bearer xoxb-test-bot-token", o.Auth)
	assert.Equal(t, slack.VTModal, o.View.Type)
	assert.Equal(t, "iocloud_create_key_form", o.View.CallbackID)
	assert.LessOrEqual(t, len(o.View.Title.Text), 24, "Slack's limit on a modal title")
	var inputs []string
	for _, b := range o.View.Blocks.BlockSet {
		if in, ok := b.(*slack.InputBlock); ok {
			inputs = append(inputs, in.BlockID+"/"+string(in.Element.ElementType()))
		}
	}
	assert.Equal(t, []string{"iocloud_key_description/plain_text_input", "iocloud_key_expiry/datepicker", "iocloud_key_scopes/multi_static_select"}, inputs)
	var meta map[string]string
	require.NoError(t, json.Unmarshal([]byte(o.View.PrivateMetadata), &meta))
	assert.Equal(t, e.hook.url("/cmd/form"), meta["r"], "the command's response_url travels with the form")
	assert.Equal(t, channelID, meta["c"])
	assert.Empty(t, e.sb.CreatedKeys())

	// Nobody but a key creator gets the form.
	r := e.command(t, alice.as(outsider), "create-key", "/cmd/outsider")
	assert.Contains(t, r.raw, "You may not create io.net API keys")
	e.hook.quiet(t, 100*time.Millisecond)
	f.mu.Lock()
	assert.Empty(t, f.opens)
	f.mu.Unlock()
}

// A signed view_submission ends in the same preview as the flags would
// give, posted to the command's response_url, and its Confirm creates the
// key under the usual rules.
func TestKeyFormSubmissionGivesTheFlagPreview(t *testing.T) {
	t.Parallel()
	f := newFakeViews(t)
	e := newEnv(t, withViews(f.api()))
	date := time.Now().Add(30 * 24 * time.Hour).UTC().Format(time.DateOnly)

	flags := e.command(t, alice, `create-key "ci bot" --expires `+date+` --scopes read,write`, "/cmd/flags")
	require.Equal(t, http.StatusOK, flags.status)

	o := e.openForm(t, f, alice, "/cmd/form")
	resp := e.submit(t, alice, o, formValues{description: "ci bot", date: date, scopes: []string{"read", "write"}})
	assert.Equal(t, slack.RAClear, resp.ResponseAction)
	assert.Empty(t, resp.Errors)

	p := e.hook.next(t, wait)
	assert.Equal(t, "/cmd/form", p.path, "the preview goes to the command's response_url")
	assert.Equal(t, slack.ResponseTypeEphemeral, p.msg.ResponseType)
	assert.Equal(t, previewShape(t, flags.msg), previewShape(t, p.msg), "the same preview as the flags")
	confirm, _ := buttons(t, p.msg)
	assert.Empty(t, e.sb.CreatedKeys(), "a preview creates nothing")

	// Only the requester's click creates it.
	e.click(t, alice.as(colleague), confirm.ActionID, confirm.Value, "/act/colleague")
	assert.Contains(t, e.hook.next(t, wait).raw, "Only the person who asked")
	e.click(t, alice, confirm.ActionID, confirm.Value, "/act/alice")
	created := e.hook.next(t, wait)
	require.Len(t, e.sb.CreatedKeys(), 1)
	k := e.sb.CreatedKeys()[0]
	assert.Equal(t, "ci bot", k.Description)
	assert.Equal(t, []string{"read", "write"}, k.Scopes)
	assert.Equal(t, date, k.ExpiresAt.UTC().Format(time.DateOnly))
	assert.True(t, created.msg.ReplaceOriginal)
	e.requireNoSecrets(t)
}

func TestKeyFormInvalidFieldsComeBackAsErrors(t *testing.T) {
	t.Parallel()
	f := newFakeViews(t)
	e := newEnv(t, withViews(f.api()))
	o := e.openForm(t, f, alice, "/cmd/form")
	past := time.Now().Add(-48 * time.Hour).UTC().Format(time.DateOnly)
	far := time.Now().Add(400 * 24 * time.Hour).UTC().Format(time.DateOnly)

	for _, tc := range []struct {
		who    who
		values formValues
		block  string
		want   string
	}{
		{alice, formValues{description: "   "}, "iocloud_key_description", "Describe what the key is for"},
		{alice, formValues{description: "ci", date: past}, "iocloud_key_expiry", "not in the future"},
		{alice, formValues{description: "ci", date: far}, "iocloud_key_expiry", "more than"},
		{alice, formValues{description: "ci", date: "31/01/2027"}, "iocloud_key_expiry", "like 2027-01-31"},
		{alice, formValues{description: "bad\x00text"}, "iocloud_key_description", "Description"},
		{alice.as(outsider), formValues{description: "ci"}, "iocloud_key_description", "You may not create io.net API keys"},
	} {
		resp := e.submit(t, tc.who, o, tc.values)
		assert.Equal(t, slack.RAErrors, resp.ResponseAction, "%+v", tc.values)
		require.Contains(t, resp.Errors, tc.block, "%+v", tc.values)
		assert.Contains(t, resp.Errors[tc.block], tc.want, "%+v", tc.values)
		assert.Len(t, resp.Errors, 1)
	}
	e.hook.quiet(t, 100*time.Millisecond)
	assert.Empty(t, e.sb.CreatedKeys())
}

func TestKeyFormNeedsABotToken(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := e.command(t, alice, "create-key", "/cmd")
	assert.Contains(t, r.raw, "create-key needs a description")
	assert.Contains(t, r.raw, "a Slack bot token (SLACK_BOT_TOKEN)")
	assert.Contains(t, r.raw, `/iocloud create-key \u0026lt;description\u0026gt;`, "the usage, escaped")
}

func TestConsoleAsksForTheFormFields(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withCreators("U-CONSOLE"))
	date := time.Now().Add(20 * 24 * time.Hour).UTC().Format(time.DateOnly)
	in := strings.Join([]string{
		"/iocloud create-key",
		"ci bot",
		"soon", // not an expiry
		"read",
		date, // asked again
		"confirm",
		"create-key --scopes write", // flags given with the form are kept
		"cancel",
		"quit",
	}, "\n")
	var out strings.Builder
	require.NoError(t, e.bot.RunConsole(t.Context(), strings.NewReader(in), &out))
	text := out.String()
	t.Log(text)
	assert.Contains(t, text, "Description (what the key is for")
	assert.Contains(t, text, "expires: Give a date like 2027-01-31")
	assert.Equal(t, 2, strings.Count(text, "Expires (a date like"), "expiry asked twice")
	assert.Contains(t, text, "Create this io.net API key?")
	require.Len(t, e.sb.CreatedKeys(), 1)
	k := e.sb.CreatedKeys()[0]
	assert.Equal(t, "ci bot", k.Description)
	assert.Equal(t, []string{"read"}, k.Scopes)
	assert.Equal(t, date, k.ExpiresAt.UTC().Format(time.DateOnly))
	assert.Equal(t, 1, strings.Count(text, "Scopes (all, read, write"), "scopes given as a flag are not asked again")
	assert.Contains(t, text, "Stopped; nothing was asked for.")
}

// Over Socket Mode the modal's answer is the envelope's acknowledgement.
func TestKeyFormOverSocketMode(t *testing.T) {
	t.Parallel()
	views := newFakeViews(t)
	e := newEnv(t, withViews(views.api()))
	f := startSocketMode(t, e)

	a := f.ack(t, f.send(t, "slash_commands", slashEnvelope(t, alice, "create-key", e.hook.url("/cmd/socket")), true))
	assert.Contains(t, a.raw, "Opening the create-key form")
	o := views.next(t)

	submission := func(v formValues) map[string]any {
		form, err := url.ParseQuery(viewSubmissionBody(t, alice, o, v))
		require.NoError(t, err)
		var p map[string]any
		require.NoError(t, json.Unmarshal([]byte(form.Get("payload")), &p))
		return p
	}
	a = f.ack(t, f.send(t, "interactive", submission(formValues{description: " "}), true))
	assert.Contains(t, a.raw, `"response_action":"errors"`)
	assert.Contains(t, a.raw, "iocloud_key_description")
	e.hook.quiet(t, 100*time.Millisecond)

	a = f.ack(t, f.send(t, "interactive", submission(formValues{description: "socket form", scopes: []string{"read"}}), true))
	assert.Contains(t, a.raw, `"response_action":"clear"`)
	p := e.hook.next(t, wait)
	assert.Equal(t, "/cmd/socket", p.path)
	assert.Contains(t, p.raw, "Create this io.net API key?")
	assert.Contains(t, p.raw, "socket form")
	assert.Empty(t, e.sb.CreatedKeys())
}
