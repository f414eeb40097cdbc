package slackbot_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/iocloud-chatops/iocloud/iocloud/sandbox"
	"github.com/slack-go/slack"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const wait = 10 * time.Second // bound on any answer that should come

// The whole create-key flow over signed HTTP requests, counting the keys
// the sandbox created.
func TestCreateKeyFlow(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	keys := func() int { return len(e.sb.CreatedKeys()) }

	// A non-creator is refused at once, and told how to be allowed.
	r := e.command(t, alice.as(outsider), "create-key ci-bot", "/cmd/outsider")
	require.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, slack.ResponseTypeEphemeral, r.msg.ResponseType)
	assert.Contains(t, r.raw, "key creators (IOCLOUD_SLACK_KEY_CREATORS)")
	assert.Contains(t, r.raw, outsider)
	assert.Zero(t, keys())

	// A creator gets an ephemeral preview of exactly what will be created.
	r = e.command(t, alice, `create-key “ci bot” --expires 30d --scopes read,write`, "/cmd/alice")
	require.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, slack.ResponseTypeEphemeral, r.msg.ResponseType)
	for _, want := range []string{"ci bot", "io-cloud", "read, write", time.Now().Add(30 * 24 * time.Hour).UTC().Format(time.DateOnly)} {
		assert.Contains(t, r.raw, want)
	}
	confirm, cancel := buttons(t, r.msg)
	assert.Equal(t, slack.StylePrimary, confirm.Style)
	require.NotNil(t, confirm.Confirm, "Confirm opens Slack's confirm dialog")
	assert.Contains(t, confirm.Confirm.Text.Text, "ci bot")
	assert.NotEqual(t, confirm.ActionID, cancel.ActionID)
	assert.Equal(t, confirm.Value, cancel.Value)
	assert.LessOrEqual(t, len(confirm.Value), 2000, "a button value holds at most 2000 characters")
	token := confirm.Value
	assert.Zero(t, keys(), "a preview creates nothing")

	// A non-creator's click is refused, the preview stays.
	ack := e.click(t, alice.as(outsider), confirm.ActionID, token, "/act/outsider")
	assert.Equal(t, http.StatusOK, ack.status)
	p := e.hook.next(t, wait)
	assert.Equal(t, "/act/outsider", p.path)
	assert.False(t, p.msg.ReplaceOriginal, "a refusal never replaces the requester's preview")
	assert.Contains(t, p.raw, "You may not create io.net API keys")

	// Another creator's click: the ticket is the requester's alone.
	e.click(t, alice.as(colleague), confirm.ActionID, token, "/act/colleague")
	p = e.hook.next(t, wait)
	assert.Equal(t, slack.ResponseTypeEphemeral, p.msg.ResponseType)
	assert.False(t, p.msg.ReplaceOriginal)
	assert.Contains(t, p.raw, "Only the person who asked")
	assert.Zero(t, keys())

	// The requester's click creates exactly one key; the secret goes only
	// to them, in the ephemeral message that replaces the preview.
	e.click(t, alice, confirm.ActionID, token, "/act/alice")
	p = e.hook.next(t, wait)
	require.Equal(t, 1, keys())
	secret := e.sb.CreatedKeys()[0].Value
	assert.Equal(t, "ci bot", e.sb.CreatedKeys()[0].Description)
	assert.Equal(t, "/act/alice", p.path)
	assert.True(t, p.msg.ReplaceOriginal)
	assert.Equal(t, slack.ResponseTypeEphemeral, p.msg.ResponseType)
	assert.Contains(t, p.raw, secret)
	assert.NotContains(t, p.msg.Text, secret, "the notification text does not carry the secret")

	// A second click creates nothing more and does not replace the result.
	e.click(t, alice, confirm.ActionID, token, "/act/again")
	p = e.hook.next(t, wait)
	assert.False(t, p.msg.ReplaceOriginal)
	assert.Contains(t, p.raw, "already confirmed or cancelled")
	assert.NotContains(t, p.raw, secret)
	assert.Equal(t, 1, keys())
	assert.Equal(t, 1, e.sb.Requests(sandbox.RouteCreateKey), "io.net was asked exactly once")

	// A late click (after the 10 minutes) creates nothing.
	r = e.command(t, alice, "create-key late", "/cmd/late")
	late, _ := buttons(t, r.msg)
	e.clock.Advance(11 * time.Minute)
	e.click(t, alice, late.ActionID, late.Value, "/act/late")
	p = e.hook.next(t, wait)
	assert.Contains(t, p.raw, "expired")
	assert.False(t, p.msg.ReplaceOriginal)
	assert.Equal(t, 1, keys())

	e.hook.quiet(t, 200*time.Millisecond)
	e.requireNoSecrets(t)
	assert.Contains(t, e.audit.String(), `"outcome":"created"`, "the core audited the creation")
}

func TestCreateKeyCancel(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := e.command(t, alice, "create-key temp", "/cmd")
	confirm, cancel := buttons(t, r.msg)

	// Someone else cannot cancel the requester's preview either.
	e.click(t, alice.as(colleague), cancel.ActionID, cancel.Value, "/act/colleague")
	p := e.hook.next(t, wait)
	assert.False(t, p.msg.ReplaceOriginal)
	assert.Contains(t, p.raw, "Only the person who asked")

	e.click(t, alice, cancel.ActionID, cancel.Value, "/act/cancel")
	p = e.hook.next(t, wait)
	assert.True(t, p.msg.ReplaceOriginal, "Cancel replaces the preview")
	assert.Contains(t, p.raw, "Cancelled, nothing was created")

	// Confirm after Cancel: the ticket is spent.
	e.click(t, alice, confirm.ActionID, confirm.Value, "/act/confirm")
	p = e.hook.next(t, wait)
	assert.Contains(t, p.raw, "already confirmed or cancelled")
	assert.Empty(t, e.sb.CreatedKeys())
	assert.Zero(t, e.sb.Requests(sandbox.RouteCreateKey))
}

func TestCreateKeyPolicyIsCheckedBeforeThePreview(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := e.command(t, alice, "create-key too-long --expires 400d", "/cmd")
	assert.Equal(t, http.StatusOK, r.status)
	assert.NotContains(t, r.raw, "iocloud_create_key_confirm", "no buttons for a request the policy refuses")
	assert.Contains(t, strings.ToLower(r.raw), "expir")

	r = e.command(t, alice, "create-key x --scopes admin", "/cmd")
	assert.NotContains(t, r.raw, "iocloud_create_key_confirm")
	assert.Contains(t, r.raw, "admin")
	assert.Empty(t, e.sb.CreatedKeys())
}

// Nobody may create keys when no key creators are set, and the
// answer says how to allow someone.
func TestCreateKeyWithoutCreators(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withCreators())
	r := e.command(t, alice, "create-key ci", "/cmd")
	assert.Contains(t, r.raw, "IOCLOUD_SLACK_KEY_CREATORS="+requestor)
	assert.NotContains(t, r.raw, "iocloud_create_key_confirm")
}

// On Enterprise Grid an org-wide install sends no team with the click; the
// requester is still recognised by the enterprise ID.
func TestCreateKeyOnEnterpriseGrid(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	grid := who{enterprise: "E0001", team: teamID, channel: channelID, user: requestor}
	r := e.command(t, grid, "create-key grid-key", "/cmd")
	confirm, _ := buttons(t, r.msg)
	orgClick := grid
	orgClick.team = ""
	e.click(t, orgClick, confirm.ActionID, confirm.Value, "/act")
	p := e.hook.next(t, wait)
	assert.True(t, p.msg.ReplaceOriginal)
	assert.Contains(t, p.raw, "io.net API key created")
	assert.Len(t, e.sb.CreatedKeys(), 1)
}

// The core's answer when io.net refuses: the requester learns what to do,
// the preview stays, nothing is created.
func TestCreateKeyIONetFailure(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.sb.SetFault(sandbox.RouteCreateKey, sandbox.Fault{Status: http.StatusUnauthorized, Times: 1})
	r := e.command(t, alice, "create-key ci", "/cmd")
	confirm, _ := buttons(t, r.msg)
	e.click(t, alice, confirm.ActionID, confirm.Value, "/act")
	p := e.hook.next(t, wait)
	assert.False(t, p.msg.ReplaceOriginal)
	assert.Contains(t, p.raw, "IOCLOUD_JWT", "the advice names what to fix")
	assert.Empty(t, e.sb.CreatedKeys())
	assert.Equal(t, 1, e.sb.Requests(sandbox.RouteCreateKey), "never retried")
}
