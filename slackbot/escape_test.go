package slackbot_test

import (
	"strings"
	"testing"

	"github.com/slack-go/slack"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// What a user types can never become a mention or a link: & < > are
// escaped wherever their text is shown (preview, dialog, usage errors,
// help for an unknown subcommand, the created key, the audit notice).
func TestUserTextIsInert(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	// As Slack delivers it with escaping on (<!channel> is how Slack
	// encodes a typed @channel; a typed < arrives as &lt;), and raw, as a
	// console or a careless proxy would.
	texts := []string{
		"create-key <!channel> &amp; &lt;https://evil.example|click&gt; <@U999|boss>",
		"create-key <!channel> & <https://evil.example|click>",
		"<!channel> & <https://evil.example|click>",
		"replicas --gpus <!channel>",
	}
	for i, text := range texts {
		r := e.command(t, alice, text, "/cmd")
		requireInert(t, r.raw)
		if i < 2 {
			confirm, _ := buttons(t, r.msg)
			e.click(t, alice, confirm.ActionID, confirm.Value, "/act")
			p := e.hook.next(t, wait)
			require.Contains(t, p.raw, "io.net API key created")
			requireInert(t, p.raw)
		}
	}
	require.Len(t, e.sb.CreatedKeys(), 2)
	assert.Equal(t, "@channel & <https://evil.example|click> @boss", e.sb.CreatedKeys()[0].Description,
		"the key's description is what the person typed")
}

// requireInert checks a rendered Slack message: no special mention, no
// user mention and no link markup, and the & shows as &amp;.
func requireInert(t *testing.T, raw string) {
	t.Helper()
	for _, bad := range []string{"<!channel>", "<!here>", "<https://evil.example", "<@U999", "evil.example|click>"} {
		assert.NotContains(t, raw, bad)
	}
	assert.NotContains(t, raw, `\u003c!`, "no escaped-JSON form of <! either")
	// And Slack is told not to parse a typed "@channel" or address itself:
	// every mrkdwn text is verbatim.
	assert.Equal(t, strings.Count(raw, `"type":"mrkdwn"`), strings.Count(raw, `"verbatim":true`), "every mrkdwn text is verbatim")
	assert.NotContains(t, raw, `\u003chttps`)
	if strings.Contains(raw, "&") {
		assert.NotRegexp(t, `&[^a#]`, strings.ReplaceAll(raw, `\u0026`, "&"), "every & is an entity")
	}
}

func TestRenderedMessagesEscapeEveryField(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := e.command(t, alice, "create-key a&amp;b &lt;c&gt;", "/cmd") // Slack's encoding of a typed "a&b <c>"
	var texts []string
	for _, b := range r.msg.Blocks.BlockSet {
		switch b := b.(type) {
		case *slack.SectionBlock:
			if b.Text != nil {
				texts = append(texts, b.Text.Text)
			}
			for _, f := range b.Fields {
				texts = append(texts, f.Text)
			}
		case *slack.ActionBlock:
			for _, el := range b.Elements.ElementSet {
				if btn, ok := el.(*slack.ButtonBlockElement); ok && btn.Confirm != nil {
					texts = append(texts, btn.Confirm.Text.Text)
				}
			}
		}
	}
	joined := strings.Join(texts, "\n")
	assert.Contains(t, joined, "a&amp;b &lt;c&gt;")
	assert.NotContains(t, joined, "<c>")
}
