package slackbot

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/slack-go/slack"
)

// message is what the bot says, before a transport renders it: Block Kit
// for Slack (webhook), plain text for the console (plain). Every string in
// it is plain text; the Slack renderer escapes all of them, so nothing a
// user typed can become a mention or a link there.
type message struct {
	title    string
	lines    []string
	fields   []field
	tables   []titledTable
	secret   string // a new key's secret: only ever in the requester's ephemeral reply
	buttons  *keyButtons
	notes    []string // small print: sandbox, fetch time, warnings
	public   bool     // in_channel instead of ephemeral
	replace  bool     // replace the message the clicked button was on
	fallback string   // notification text; title when empty
}

// field is a label and a value; user, when set, is a Slack user ID shown as
// a mention instead of value.
type field struct {
	label, value, user string
}

// titledTable is a table with an optional line above it.
type titledTable struct {
	heading string
	table   table
}

type table struct {
	header  []string
	rows    [][]string
	numeric []bool // right-aligned columns
	more    string // e.g. "…and 4 more locations"
}

// keyButtons are Confirm and Cancel of a key preview; both carry the ticket.
type keyButtons struct {
	token   string
	summary string // the confirm dialog's text
	revoke  bool   // a revocation's preview: its own ids, and danger style
}

// Action and block ids of the previews' buttons. Each preview has its own
// block, so a click says which action it confirms before its ticket does.
const (
	blockCreateKey   = "iocloud_create_key"
	actionConfirmKey = "iocloud_create_key_confirm"
	actionCancelKey  = "iocloud_create_key_cancel"

	blockRevokeKey      = "iocloud_revoke_key"
	actionConfirmRevoke = "iocloud_revoke_key_confirm"
	actionCancelRevoke  = "iocloud_revoke_key_cancel"
)

// block renders the buttons: Confirm behind Slack's confirm dialog, Cancel
// without one. A revocation's Confirm and dialog are red (danger): it
// cannot be undone.
func (k *keyButtons) block() slack.Block {
	blockID, confirmID, cancelID := blockCreateKey, actionConfirmKey, actionCancelKey
	title, yes, style := "Create io.net API key?", "Create", slack.StylePrimary
	if k.revoke {
		blockID, confirmID, cancelID = blockRevokeKey, actionConfirmRevoke, actionCancelRevoke
		title, yes, style = "Revoke io.net API key?", "Revoke", slack.StyleDanger
	}
	dialog := slack.NewConfirmationBlockObject(
		plainText(title),
		plainText(clipEscaped(esc(k.summary), maxDialogText)),
		plainText(yes), plainText("Back"))
	if k.revoke {
		dialog = dialog.WithStyle(slack.StyleDanger)
	}
	confirm := slack.NewButtonBlockElement(confirmID, k.token, plainText("Confirm")).WithStyle(style).WithConfirm(dialog)
	cancel := slack.NewButtonBlockElement(cancelID, k.token, plainText("Cancel"))
	return slack.NewActionBlock(blockID, confirm, cancel)
}

// Slack's limits (Block Kit reference).
const (
	maxSectionText = 3000
	maxFieldText   = 2000
	maxFields      = 10
	maxBlocks      = 50
	maxContext     = 10
	maxDialogText  = 300
)

var slackEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// esc makes s inert in Slack text: & < > are Slack's control characters,
// so after this no <!channel>, <@U…> or <https://…|label> can form.
func esc(s string) string { return slackEscaper.Replace(s) }

// slackUserID is what a Slack user ID looks like (U…, W…); only such an id
// is ever written into a <@…> mention.
var slackUserID = regexp.MustCompile(`^[UW][A-Z0-9]{2,20}$`)

// mrkdwn is a text object for escaped text. It is verbatim: Slack does not
// parse what was written as plain text into @channel-style mentions,
// channel links or links, so a description such as "@channel" or a bare
// address stays text. Only the explicit <@U…> mentions this package writes
// itself are mentions.
func mrkdwn(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, s, false, true)
}

func plainText(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, s, false, false)
}

// webhook renders m as a Slack message, for a slash command's response
// body, a Socket Mode ack payload or a response_url post.
func (m *message) webhook() *slack.WebhookMessage {
	var blocks []slack.Block
	add := func(b slack.Block) {
		if len(blocks) < maxBlocks-1 { // keep room for the notes
			blocks = append(blocks, b)
		}
	}
	if m.title != "" {
		add(slack.NewSectionBlock(mrkdwn("*"+clipEscaped(esc(m.title), maxSectionText-2)+"*"), nil, nil))
	}
	for _, l := range m.lines {
		if l == "" {
			continue // Slack refuses a section without text (invalid_blocks)
		}
		for _, chunk := range chunks(esc(l), maxSectionText) {
			add(slack.NewSectionBlock(mrkdwn(chunk), nil, nil))
		}
	}
	if len(m.fields) > 0 {
		var fs []*slack.TextBlockObject
		for _, f := range m.fields {
			v := esc(f.value)
			if f.user != "" && slackUserID.MatchString(f.user) {
				v = "<@" + f.user + ">"
			}
			fs = append(fs, mrkdwn(clipEscaped("*"+esc(f.label)+"*\n"+v, maxFieldText)))
			if len(fs) == maxFields {
				add(slack.NewSectionBlock(nil, fs, nil))
				fs = nil
			}
		}
		if len(fs) > 0 {
			add(slack.NewSectionBlock(nil, fs, nil))
		}
	}
	for _, t := range m.tables {
		if t.heading != "" {
			add(slack.NewSectionBlock(mrkdwn(clipEscaped(esc(t.heading), maxSectionText)), nil, nil))
		}
		for _, chunk := range chunks(esc(t.table.text()), maxSectionText-8) {
			add(slack.NewSectionBlock(mrkdwn("```\n"+chunk+"\n```"), nil, nil))
		}
	}
	if m.secret != "" {
		add(slack.NewSectionBlock(mrkdwn("*Your new API key* (shown only here, only to you, and only once; copy it now):\n```"+esc(m.secret)+"```"), nil, nil))
	}
	if m.buttons != nil {
		add(m.buttons.block())
	}
	if len(m.notes) > 0 {
		var els []slack.MixedElement
		for _, n := range m.notes[:min(len(m.notes), maxContext)] {
			if n != "" {
				els = append(els, mrkdwn(clipEscaped(esc(n), maxFieldText)))
			}
		}
		if len(els) > 0 {
			blocks = append(blocks, slack.NewContextBlock("", els...))
		}
	}
	fallback := m.fallback
	if fallback == "" {
		fallback = m.title
	}
	if fallback == "" && len(m.lines) > 0 {
		fallback = m.lines[0]
	}
	msg := &slack.WebhookMessage{
		Text:            clipEscaped(esc(fallback), maxSectionText),
		ResponseType:    slack.ResponseTypeEphemeral,
		ReplaceOriginal: m.replace,
	}
	if m.public {
		msg.ResponseType = slack.ResponseTypeInChannel
	}
	if len(blocks) > 0 {
		msg.Blocks = &slack.Blocks{BlockSet: blocks}
	}
	return msg
}

// plain renders m as readable text for the console.
func (m *message) plain() string {
	var b strings.Builder
	line := func(s string) { b.WriteString(s + "\n") }
	if m.title != "" {
		line(m.title)
	}
	for _, l := range m.lines {
		line(l)
	}
	for _, f := range m.fields {
		v := f.value
		if f.user != "" {
			v = f.user
		}
		line("  " + f.label + ": " + v)
	}
	for _, t := range m.tables {
		if t.heading != "" {
			line(t.heading)
		}
		for l := range strings.SplitSeq(t.table.text(), "\n") {
			line("  " + l)
		}
	}
	if m.secret != "" {
		line("  Your new API key (shown only once; copy it now): " + m.secret)
	}
	if m.buttons != nil {
		line("  [Confirm] [Cancel]  (type confirm or cancel)")
	}
	for _, n := range m.notes {
		line("  · " + n)
	}
	return b.String()
}

// text lays the table out in fixed-width columns.
func (t table) text() string {
	const maxCell = 40
	width := make([]int, len(t.header))
	cells := append([][]string{t.header}, t.rows...)
	for _, row := range cells {
		for i := range min(len(row), len(width)) {
			width[i] = max(width[i], utf8.RuneCountInString(clip(row[i], maxCell)))
		}
	}
	var b strings.Builder
	for r, row := range cells {
		if r > 0 {
			b.WriteByte('\n')
		}
		var cols []string
		for i := range width {
			c := ""
			if i < len(row) {
				c = clip(row[i], maxCell)
			}
			pad := strings.Repeat(" ", width[i]-utf8.RuneCountInString(c))
			if i < len(t.numeric) && t.numeric[i] {
				cols = append(cols, pad+c)
			} else {
				cols = append(cols, c+pad)
			}
		}
		b.WriteString(strings.TrimRight(strings.Join(cols, "  "), " "))
	}
	if t.more != "" {
		b.WriteString("\n" + t.more)
	}
	return b.String()
}

// clip cuts s to at most n runes.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// clipEscaped is clip for text already escaped with esc: a cut never
// leaves half an entity ("&am…"), which Slack would show as typed.
func clipEscaped(s string, n int) string {
	c := clip(s, n)
	if c == s {
		return c
	}
	kept := strings.TrimSuffix(c, "…")
	if i := strings.LastIndexByte(kept, '&'); i >= 0 && !strings.Contains(kept[i:], ";") {
		kept = kept[:i]
	}
	return kept + "…"
}

// chunks splits s into pieces of at most n runes, at line ends where it can
// and never inside an escape such as &amp;.
func chunks(s string, n int) []string {
	var out []string
	for utf8.RuneCountInString(s) > n {
		r := []rune(s)
		cut := string(r[:n])
		if i := strings.LastIndexByte(cut, '\n'); i > 0 {
			cut = cut[:i]
		} else if i := strings.LastIndexByte(cut, '&'); i > len(cut)-6 && i >= 0 {
			cut = cut[:i]
		}
		if cut == "" {
			cut = string(r[:n])
		}
		out = append(out, cut)
		s = strings.TrimPrefix(s[len(cut):], "\n")
	}
	return append(out, s)
}
