package slackbot_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/iocloud-chatops/iocloud/slackbot"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slacktest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// noticeCall is one chat.postMessage the audit channel received.
type noticeCall struct {
	auth string
	form url.Values
}

// text is the notice's text and blocks with JSON's escapes undone, as
// Slack would read them.
func (c noticeCall) text() string {
	return strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace(c.form.Get("text") + c.form.Get("blocks"))
}

const auditBotToken = "xoxb-audit-test-token"

// auditChannel is slack-go's slacktest server standing in for the Web API,
// and a ChannelNotifier posting to C0AUDIT through it.
func auditChannel(t *testing.T) (*slackbot.ChannelNotifier, <-chan noticeCall) {
	t.Helper()
	calls := make(chan noticeCall, 4)
	srv := slacktest.NewTestServer(func(c slacktest.Customize) {
		c.Handle("/chat.postMessage", func(w http.ResponseWriter, r *http.Request) {
			_ = r.ParseForm()
			calls <- noticeCall{auth: r.Header.Get("Authorization"), form: r.PostForm}
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"ok":true,"channel":"C0AUDIT","ts":"1700000000.000100"}`))
		})
	})
	srv.Start()
	t.Cleanup(srv.Stop)
	notices, err := slackbot.NewChannelNotifier(slack.New(auditBotToken, slack.OptionAPIURL(srv.GetAPIURL())), "C0AUDIT")
	require.NoError(t, err)
	return notices, calls
}

func nextNotice(t *testing.T, calls <-chan noticeCall) noticeCall {
	t.Helper()
	select {
	case c := <-calls:
		return c
	case <-time.After(wait):
		require.FailNow(t, "no notice")
		return noticeCall{}
	}
}

// With SLACK_BOT_TOKEN and IOCLOUD_SLACK_AUDIT_CHANNEL the audit channel
// hears about every created key, without its secret.
func TestAuditChannelNotice(t *testing.T) {
	t.Parallel()
	notices, calls := auditChannel(t)
	e := newEnv(t, withNotices(notices))

	r := e.command(t, alice, "create-key <!here> audited", "/cmd")
	confirm, _ := buttons(t, r.msg)
	e.click(t, alice, confirm.ActionID, confirm.Value, "/act")
	e.hook.next(t, wait)
	require.Len(t, e.sb.CreatedKeys(), 1)
	key := e.sb.CreatedKeys()[0]

	c := nextNotice(t, calls)
	assert.True(t, c.auth == "Bearer "+auditBotToken || c.form.Get("token") == auditBotToken, "posted with the bot token")
	assert.Equal(t, "C0AUDIT", c.form.Get("channel"))
	all := c.text()
	assert.Contains(t, all, key.KeyID)
	assert.Contains(t, all, "<@"+requestor+">", "the requester is named")
	assert.Contains(t, all, "@here audited")
	assert.NotContains(t, all, "<!here>", "the user's text stays inert in the channel")
	assert.NotContains(t, all, key.Value, "never the secret")
	assert.NotContains(t, e.logs.String(), auditBotToken)
	e.requireNoSecrets(t)
}
