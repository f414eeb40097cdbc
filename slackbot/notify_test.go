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

// With SLACK_BOT_TOKEN and IOCLOUD_SLACK_AUDIT_CHANNEL the audit channel
// hears about every created key, without its secret.
func TestAuditChannelNotice(t *testing.T) {
	t.Parallel()
	type call struct {
		auth string
		form url.Values
	}
	calls := make(chan call, 4)
	srv := slacktest.NewTestServer(func(c slacktest.Customize) {
		c.Handle("/chat.postMessage", func(w http.ResponseWriter, r *http.Request) {
			_ = r.ParseForm()
			calls <- call{auth: r.Header.Get("Authorization"), form: r.PostForm}
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"ok":true,"channel":"C0AUDIT","ts":"1700000000.000100"}`))
		})
	})
	srv.Start()
	t.Cleanup(srv.Stop)
	const botToken = "xoxb-audit-test-token"
	notices, err := slackbot.NewChannelNotifier(slack.New(botToken, slack.OptionAPIURL(srv.GetAPIURL())), "C0AUDIT")
	require.NoError(t, err)
	e := newEnv(t, withNotices(notices))

	r := e.command(t, alice, "create-key <!here> audited", "/cmd")
	confirm, _ := buttons(t, r.msg)
	e.click(t, alice, confirm.ActionID, confirm.Value, "/act")
	e.hook.next(t, wait)
	require.Len(t, e.sb.CreatedKeys(), 1)
	key := e.sb.CreatedKeys()[0]

	var c call
	select {
	case c = <-calls:
	case <-time.After(wait):
		require.FailNow(t, "no notice")
	}
	assert.True(t, c.auth == "Bearer "+botToken || c.form.Get("token") == botToken, "posted with the bot token")
	assert.Equal(t, "C0AUDIT", c.form.Get("channel"))
	all := strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace(c.form.Get("text") + c.form.Get("blocks"))
	assert.Contains(t, all, key.KeyID)
	assert.Contains(t, all, "<@"+requestor+">", "the requester is named")
	assert.Contains(t, all, "@here audited")
	assert.NotContains(t, all, "<!here>", "the user's text stays inert in the channel")
	assert.NotContains(t, all, key.Value, "never the secret")
	assert.NotContains(t, e.logs.String(), botToken)
	e.requireNoSecrets(t)
}
