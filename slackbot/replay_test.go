package slackbot_test

// A signed request replayed inside Slack's 5-minute window — byte for byte,
// same timestamp and signature — is acknowledged and not run again: no
// second read at io.net, no second preview, no second button press.

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/iocloud-chatops/iocloud/iocloud/sandbox"
	"github.com/iocloud-chatops/iocloud/iocloud/state"
	"github.com/iocloud-chatops/iocloud/slackbot"
)

func withReplays(r slackbot.ReplayGuard) envOption {
	return func(c *slackbot.Config) { c.Replays = r }
}

// replay sends the same signed request twice (the second one as an
// attacker who captured it would) and returns both answers.
func (e *env) replay(t *testing.T, path, body string) (first, again reply) {
	t.Helper()
	at := time.Now()
	first = do(t, signedRequest(t, e.srv.URL, path, body, at, signingSecret))
	again = do(t, signedRequest(t, e.srv.URL, path, body, at, signingSecret))
	return first, again
}

func TestReplayedSlashCommandRunsOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withReplays(state.NewMemory()))

	// A read: io.net is asked once, one answer reaches response_url.
	first, again := e.replay(t, slackbot.PathCommands, slashBody(t, alice, "hardware", e.hook.url("/hw")))
	require.Equal(t, http.StatusOK, first.status)
	require.Equal(t, http.StatusOK, again.status, "the replay is acknowledged (Slack would retry otherwise)")
	assert.Empty(t, strings.TrimSpace(again.raw), "and gets nothing")
	p := e.hook.next(t, wait)
	assert.Contains(t, p.raw, "H200 141GB HBM3e")
	e.hook.quiet(t, 300*time.Millisecond)
	assert.Equal(t, 1, e.sb.Requests(sandbox.RouteHardware), "one read at io.net, not two")

	// create-key: one preview, one pending ticket.
	first, again = e.replay(t, slackbot.PathCommands, slashBody(t, alice, "create-key replayed --expires 7d", e.hook.url("/ck")))
	confirm, _ := buttons(t, first.msg)
	assert.Empty(t, strings.TrimSpace(again.raw), "no second preview")
	assert.Equal(t, 1, strings.Count(e.audit.String(), `"outcome":"pending"`), "one ticket issued")

	// The Confirm click, replayed: one POST, one answer, and the replay is
	// not even told "already used" — it never ran.
	first, again = e.replay(t, slackbot.PathInteractions, clickBody(t, alice, confirm.ActionID, confirm.Value, e.hook.url("/click")))
	require.Equal(t, http.StatusOK, first.status)
	require.Equal(t, http.StatusOK, again.status)
	p = e.hook.next(t, wait)
	assert.True(t, p.msg.ReplaceOriginal)
	assert.Contains(t, p.raw, "io.net API key created")
	e.hook.quiet(t, 300*time.Millisecond)
	assert.Equal(t, 1, e.sb.Requests(sandbox.RouteCreateKey))
	assert.Equal(t, 0, strings.Count(e.audit.String(), `"outcome":"rejected"`), "the replayed click reached no ticket")
	assert.Contains(t, e.logs.String(), "slack request replayed; acknowledged, not run again")

	// The same command signed anew (another request, as Slack would send
	// it) does run: the protection is per signature, not per text.
	r := do(t, signedRequest(t, e.srv.URL, slackbot.PathCommands, slashBody(t, alice, "hardware", e.hook.url("/hw2")), time.Now().Add(time.Second), signingSecret))
	require.Equal(t, http.StatusOK, r.status)
	e.hook.next(t, wait)
	assert.Equal(t, 2, e.sb.Requests(sandbox.RouteHardware))
	e.requireNoSecrets(t)
}

// The replay ids live in the shared store: a replay sent to a restarted bot
// (same file store) or to another replica (same Redis) is refused too. Here
// two bots share one store.
func TestReplayedAcrossBotsSharingAStore(t *testing.T) {
	t.Parallel()
	shared := state.NewMemory()
	a := newEnv(t, withReplays(shared))
	b := newEnv(t, withReplays(shared))

	at := time.Now()
	body := slashBody(t, alice, "hardware", a.hook.url("/hw"))
	r := do(t, signedRequest(t, a.srv.URL, slackbot.PathCommands, body, at, signingSecret))
	require.Equal(t, http.StatusOK, r.status)
	a.hook.next(t, wait)

	r = do(t, signedRequest(t, b.srv.URL, slackbot.PathCommands, body, at, signingSecret))
	require.Equal(t, http.StatusOK, r.status)
	assert.Empty(t, strings.TrimSpace(r.raw))
	a.hook.quiet(t, 300*time.Millisecond)
	assert.Zero(t, b.sb.Requests(sandbox.RouteHardware), "the second bot did not run it")
}

// The signature's hex verifies in either case, so a replay with it spelled
// in capitals is the same request and is not run again.
func TestReplayWithTheSignatureInCapitals(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withReplays(state.NewMemory()))
	at := time.Now()
	body := slashBody(t, alice, "hardware", e.hook.url("/hw"))
	r := do(t, signedRequest(t, e.srv.URL, slackbot.PathCommands, body, at, signingSecret))
	require.Equal(t, http.StatusOK, r.status)
	e.hook.next(t, wait)

	again := signedRequest(t, e.srv.URL, slackbot.PathCommands, body, at, signingSecret)
	sig := again.Header.Get("X-Slack-Signature")
	again.Header.Set("X-Slack-Signature", "v0="+strings.ToUpper(strings.TrimPrefix(sig, "v0=")))
	r = do(t, again)
	require.Equal(t, http.StatusOK, r.status)
	assert.Empty(t, strings.TrimSpace(r.raw), "acknowledged, not run")
	e.hook.quiet(t, 300*time.Millisecond)
	assert.Equal(t, 1, e.sb.Requests(sandbox.RouteHardware))
}
