package slackbot_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/iocloud-chatops/iocloud/iocloud"
	"github.com/iocloud-chatops/iocloud/iocloud/sandbox"
	"github.com/iocloud-chatops/iocloud/iocloud/state"
	"github.com/iocloud-chatops/iocloud/slackbot"
	"github.com/slack-go/slack"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hostileDescription is what a key's description may hold when it was made
// outside this bot: a broadcast, a forged link and a mention.
const hostileDescription = "deploy <!channel> & <https://evil.example|click> <@U999|boss>"

// makeKey creates a key in the sandbox directly, as io.net's console would.
func (e *env) makeKey(t *testing.T, description string) *iocloud.CreatedKey {
	t.Helper()
	k, err := e.client.CreateAPIKey(t.Context(), iocloud.KeyRequest{
		Description: description, ExpiresAt: time.Now().Add(72 * time.Hour).Truncate(time.Second), Project: "io-cloud", Scopes: []string{"read"},
	})
	require.NoError(t, err)
	return k
}

func (e *env) deletes() int { return e.sb.Requests(sandbox.RouteRevokeKey) }

// revoked reports whether the sandbox revoked the key.
func (e *env) revoked(t *testing.T, keyID string) bool {
	t.Helper()
	for _, k := range e.sb.CreatedKeys() {
		if k.KeyID == keyID {
			return k.Revoked
		}
	}
	require.FailNow(t, "no such key in the sandbox", keyID)
	return false
}

func revokeButtons(t testing.TB, m slack.WebhookMessage) (confirm, cancel *slack.ButtonBlockElement) {
	t.Helper()
	return previewButtons(t, m, "iocloud_revoke_key")
}

// askRevoke sends /iocloud revoke id and returns the preview that follows
// on response_url.
func (e *env) askRevoke(t *testing.T, w who, keyID, hookPath string) post {
	t.Helper()
	r := e.command(t, w, "revoke "+keyID, hookPath)
	require.Equal(t, http.StatusOK, r.status)
	assert.Contains(t, r.raw, "Working on it", "the key is looked up off the request path")
	return e.hook.next(t, wait)
}

// The whole revoke flow over signed HTTP requests, counting the DELETEs
// the sandbox received.
func TestRevokeKeyFlow(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	key := e.makeKey(t, hostileDescription)
	id := key.Key.KeyID
	var seen []string // every answer, for the leak check at the end

	// A non-creator is refused at once; io.net is not even asked.
	r := e.command(t, alice.as(outsider), "revoke "+id, "/cmd/outsider")
	assert.Contains(t, r.raw, "You may not revoke io.net API keys")
	assert.Contains(t, r.raw, "key creators (IOCLOUD_SLACK_KEY_CREATORS)")
	assert.Zero(t, e.sb.Requests(sandbox.RouteListKeys))

	// A creator gets an ephemeral preview of exactly that key.
	p := e.askRevoke(t, alice, strings.ToUpper(id), "/cmd/alice")
	seen = append(seen, r.raw, p.raw)
	assert.Equal(t, "/cmd/alice", p.path)
	assert.Equal(t, slack.ResponseTypeEphemeral, p.msg.ResponseType)
	assert.False(t, p.msg.ReplaceOriginal)
	for _, want := range []string{"Revoke this io.net API key?", id, key.Key.Display, key.Key.ExpiresAt.UTC().Format(time.DateOnly), "in 3 days", "deploy &lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;"} {
		assert.Contains(t, unescapeJSON(p.raw), want)
	}
	requireInert(t, p.raw)
	confirm, cancel := revokeButtons(t, p.msg)
	assert.Equal(t, slack.StyleDanger, confirm.Style, "revoking is destructive")
	require.NotNil(t, confirm.Confirm, "Confirm opens Slack's confirm dialog")
	assert.Equal(t, slack.StyleDanger, confirm.Confirm.Style)
	assert.Contains(t, confirm.Confirm.Text.Text, key.Key.Display)
	assert.Equal(t, confirm.Value, cancel.Value)
	assert.LessOrEqual(t, len(confirm.Value), 2000, "a button value holds at most 2000 characters")
	assert.Zero(t, e.deletes(), "a preview revokes nothing")

	// A non-creator's click and another creator's click revoke nothing and
	// leave the preview.
	e.click(t, alice.as(outsider), confirm.ActionID, confirm.Value, "/act/outsider")
	p = e.hook.next(t, wait)
	seen = append(seen, p.raw)
	assert.False(t, p.msg.ReplaceOriginal)
	assert.Contains(t, p.raw, "Nothing was revoked.")
	assert.Contains(t, p.raw, "You may not revoke io.net API keys")
	e.click(t, alice.as(colleague), confirm.ActionID, confirm.Value, "/act/colleague")
	p = e.hook.next(t, wait)
	seen = append(seen, p.raw)
	assert.False(t, p.msg.ReplaceOriginal)
	assert.Contains(t, p.raw, "Only the person who asked to revoke this key")
	assert.Zero(t, e.deletes())
	assert.False(t, e.revoked(t, id))

	// The requester's click revokes it, once, and the result replaces the
	// preview.
	e.click(t, alice, confirm.ActionID, confirm.Value, "/act/alice")
	p = e.hook.next(t, wait)
	seen = append(seen, p.raw)
	assert.Equal(t, "/act/alice", p.path)
	assert.True(t, p.msg.ReplaceOriginal)
	assert.Equal(t, slack.ResponseTypeEphemeral, p.msg.ResponseType)
	assert.Contains(t, p.raw, "io.net API key revoked")
	assert.Contains(t, p.raw, id)
	requireInert(t, p.raw)
	assert.Equal(t, 1, e.deletes())
	assert.True(t, e.revoked(t, id))

	// A second click revokes nothing more.
	e.click(t, alice, confirm.ActionID, confirm.Value, "/act/again")
	p = e.hook.next(t, wait)
	seen = append(seen, p.raw)
	assert.False(t, p.msg.ReplaceOriginal)
	assert.Contains(t, p.raw, "already confirmed or cancelled")
	assert.Equal(t, 1, e.deletes(), "io.net was asked exactly once")

	// A late click (after the 10 minutes) revokes nothing.
	late := e.makeKey(t, "late")
	p = e.askRevoke(t, alice, late.Key.KeyID, "/cmd/late")
	lateConfirm, _ := revokeButtons(t, p.msg)
	e.clock.Advance(11 * time.Minute)
	e.click(t, alice, lateConfirm.ActionID, lateConfirm.Value, "/act/late")
	p = e.hook.next(t, wait)
	seen = append(seen, p.raw)
	assert.Contains(t, p.raw, "expired")
	assert.Contains(t, p.raw, "/iocloud revoke")
	assert.False(t, p.msg.ReplaceOriginal)
	assert.Equal(t, 1, e.deletes())
	assert.False(t, e.revoked(t, late.Key.KeyID))

	e.hook.quiet(t, 200*time.Millisecond)
	e.requireNoSecrets(t)
	for _, raw := range seen {
		for _, s := range e.secrets() {
			assert.NotContains(t, raw, s, "a secret reached a Slack message")
		}
	}
	audit := e.audit.String()
	assert.Contains(t, audit, `"action":"revoke_api_key"`)
	assert.Contains(t, audit, `"outcome":"revoked"`, "the core audited the revocation")
	assert.Contains(t, audit, `"via":"slack_button"`)
}

// An unknown or malformed key id is reported before any preview: no
// buttons, no DELETE.
func TestRevokeUnknownKeyBeforeAnyPreview(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.makeKey(t, "exists")
	unknown := uuid.NewString()
	p := e.askRevoke(t, alice, unknown, "/cmd/unknown")
	assert.Contains(t, p.raw, "No API key with id "+unknown+" (not_found)")
	assert.Contains(t, p.raw, "/iocloud keys --all")
	assert.NotContains(t, p.raw, "iocloud_revoke_key_confirm", "no buttons for a key that does not exist")
	assert.Equal(t, 1, e.sb.Requests(sandbox.RouteListKeys), "the guard looked it up")

	r := e.command(t, alice, "revoke ci-bot", "/cmd/malformed")
	assert.Contains(t, r.raw, `\"ci-bot\" is not a key id`)
	assert.Contains(t, unescapeJSON(r.raw), "/iocloud revoke &lt;key_id&gt;", "the usage shows the right form")
	r = e.command(t, alice, "revoke", "/cmd/none")
	assert.Contains(t, r.raw, "revoke needs the id of the key")

	e.hook.quiet(t, 200*time.Millisecond)
	assert.Equal(t, 1, e.sb.Requests(sandbox.RouteListKeys), "a malformed id never reaches io.net")
	assert.Zero(t, e.deletes())
	assert.Contains(t, e.audit.String(), "io.net has no API key with this id: "+unknown, "the guard audited the refusal")
}

func TestRevokeCancel(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	key := e.makeKey(t, "keep me")
	p := e.askRevoke(t, alice, key.Key.KeyID, "/cmd")
	confirm, cancel := revokeButtons(t, p.msg)

	// Someone else cannot cancel the requester's preview either.
	e.click(t, alice.as(colleague), cancel.ActionID, cancel.Value, "/act/colleague")
	p = e.hook.next(t, wait)
	assert.False(t, p.msg.ReplaceOriginal)
	assert.Contains(t, p.raw, "Only the person who asked to revoke this key")

	e.click(t, alice, cancel.ActionID, cancel.Value, "/act/cancel")
	p = e.hook.next(t, wait)
	assert.True(t, p.msg.ReplaceOriginal, "Cancel replaces the preview")
	assert.Contains(t, p.raw, "Cancelled, nothing was revoked.")
	assert.Contains(t, p.raw, key.Key.Display+") still works")

	// Confirm after Cancel: the ticket is spent.
	e.click(t, alice, confirm.ActionID, confirm.Value, "/act/confirm")
	p = e.hook.next(t, wait)
	assert.Contains(t, p.raw, "already confirmed or cancelled")
	assert.Zero(t, e.deletes())
	assert.False(t, e.revoked(t, key.Key.KeyID))
	assert.Contains(t, e.audit.String(), `"outcome":"cancelled"`)
}

// A signed click replayed byte for byte is acknowledged and not run again;
// and a revoke ticket cannot be passed off as a create-key confirmation.
func TestRevokeReplayedOrMisusedClick(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withReplays(state.NewMemory()))
	key := e.makeKey(t, "replayed")
	p := e.askRevoke(t, alice, key.Key.KeyID, "/cmd")
	confirm, _ := revokeButtons(t, p.msg)

	// The ticket on create-key's Confirm: refused, nothing created or revoked.
	e.click(t, alice, "iocloud_create_key_confirm", confirm.Value, "/act/misused")
	p = e.hook.next(t, wait)
	assert.Contains(t, p.raw, "This button is not valid")
	assert.Equal(t, 1, e.sb.Requests(sandbox.RouteCreateKey), "only makeKey's")
	assert.Zero(t, e.deletes())

	body := clickBody(t, alice, confirm.ActionID, confirm.Value, e.hook.url("/act"))
	at := time.Now()
	first := do(t, signedRequest(t, e.srv.URL, slackbot.PathInteractions, body, at, signingSecret))
	require.Equal(t, http.StatusOK, first.status)
	p = e.hook.next(t, wait)
	assert.Contains(t, p.raw, "io.net API key revoked")

	replay := do(t, signedRequest(t, e.srv.URL, slackbot.PathInteractions, body, at, signingSecret))
	assert.Equal(t, http.StatusOK, replay.status, "a replay is acknowledged")
	e.hook.quiet(t, 300*time.Millisecond)
	assert.Equal(t, 1, e.deletes(), "the replay revoked nothing")
	assert.Contains(t, e.logs.String(), "slack request replayed")
}

// io.net's refusal and a lost answer: the person is told the outcome in the
// audit's words, and the DELETE is never repeated.
func TestRevokeIONetFailure(t *testing.T) {
	t.Parallel()
	e := newEnv(t)

	refused := e.makeKey(t, "refused")
	e.sb.SetFault(sandbox.RouteRevokeKey, sandbox.Fault{Status: http.StatusForbidden, Times: 1})
	p := e.askRevoke(t, alice, refused.Key.KeyID, "/cmd/refused")
	confirm, _ := revokeButtons(t, p.msg)
	e.click(t, alice, confirm.ActionID, confirm.Value, "/act/refused")
	p = e.hook.next(t, wait)
	assert.False(t, p.msg.ReplaceOriginal)
	assert.Contains(t, p.raw, "Nothing was revoked (not_revoked)")
	assert.Contains(t, p.raw, "still works")
	assert.Equal(t, 1, e.deletes(), "never retried")
	assert.False(t, e.revoked(t, refused.Key.KeyID))

	// The DELETE takes effect but its answer is lost: the key list settles it.
	lost := e.makeKey(t, "lost answer")
	e.sb.SetFault(sandbox.RouteRevokeKey, sandbox.Fault{DropAfterEffect: true, Times: 1})
	p = e.askRevoke(t, alice, lost.Key.KeyID, "/cmd/lost")
	confirm, _ = revokeButtons(t, p.msg)
	e.click(t, alice, confirm.ActionID, confirm.Value, "/act/lost")
	p = e.hook.next(t, wait)
	assert.True(t, p.msg.ReplaceOriginal)
	assert.Contains(t, p.raw, "io.net API key revoked")
	assert.Equal(t, 2, e.deletes(), "one DELETE per confirmed revocation")
	assert.True(t, e.revoked(t, lost.Key.KeyID))

	// io.net fails (502) without acting: the key list, read afterwards,
	// still shows the key, and the person is told so, not "may have been
	// revoked anyway".
	failed := e.makeKey(t, "failed answer")
	e.sb.SetFault(sandbox.RouteRevokeKey, sandbox.Fault{Status: http.StatusBadGateway, Times: 1})
	p = e.askRevoke(t, alice, failed.Key.KeyID, "/cmd/failed")
	confirm, _ = revokeButtons(t, p.msg)
	e.click(t, alice, confirm.ActionID, confirm.Value, "/act/failed")
	p = e.hook.next(t, wait)
	assert.Contains(t, p.raw, "Nothing was revoked (not_revoked)")
	assert.Contains(t, p.raw, "still shows the key")
	assert.NotContains(t, p.raw, "may have been revoked")
	assert.Equal(t, 3, e.deletes(), "never retried")
	assert.False(t, e.revoked(t, failed.Key.KeyID))
}

// The audit channel hears who revoked which key, never a secret, with the
// key's text inert.
func TestRevokeAuditChannelNotice(t *testing.T) {
	t.Parallel()
	notices, calls := auditChannel(t)
	e := newEnv(t, withNotices(notices))
	key := e.makeKey(t, hostileDescription)

	p := e.askRevoke(t, alice, key.Key.KeyID, "/cmd")
	confirm, _ := revokeButtons(t, p.msg)
	e.click(t, alice, confirm.ActionID, confirm.Value, "/act")
	p = e.hook.next(t, wait)
	require.Contains(t, p.raw, "io.net API key revoked")

	c := nextNotice(t, calls)
	assert.Equal(t, "C0AUDIT", c.form.Get("channel"))
	all := c.text()
	assert.Contains(t, all, "An io.net API key was revoked from Slack")
	assert.Contains(t, all, "<@"+requestor+">", "the person who revoked it is named")
	assert.Contains(t, all, key.Key.KeyID)
	assert.Contains(t, all, key.Key.Display)
	assert.Contains(t, all, "deploy &lt;!channel&gt;")
	for _, bad := range []string{"<!channel>", "<https://evil.example", "<@U999"} {
		assert.NotContains(t, all, bad, "the key's text stays inert in the channel")
	}
	for _, s := range e.secrets() {
		assert.NotContains(t, all, s, "never a secret")
	}
}

// unescapeJSON undoes encoding/json's HTML escapes, to read a body as
// Slack shows it.
func unescapeJSON(raw string) string {
	return strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace(raw)
}
