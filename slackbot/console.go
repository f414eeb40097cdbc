package slackbot

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/iocloud-chatops/iocloud/iocloud"
)

// The console's stand-ins for Slack's IDs. They cannot clash with real
// ones, which have no dash.
const (
	ConsoleTeam    = "T-CONSOLE"
	ConsoleChannel = "C-CONSOLE"
	ConsoleUser    = "U-CONSOLE"
)

// maxConsoleLine bounds one typed line.
const maxConsoleLine = 64 << 10

// RunConsole is the bot without a Slack workspace: it reads /iocloud
// commands from in (the "/iocloud" prefix is optional), prints every reply
// as text to out, including the answers Slack would get on response_url,
// and presses the last preview's buttons on "confirm" or "cancel". "user
// <ID>" acts as someone else (to see the requester-only rule at work);
// "quit" or the end of in stops it. Each line's answers are printed before
// the next line is read.
func (b *Bot) RunConsole(ctx context.Context, in io.Reader, out io.Writer) error {
	c := &console{bot: b, out: out, user: ConsoleUser}
	c.printf("iocloud console: type /iocloud help (or just help). confirm / cancel press the last buttons, user <ID> acts as someone else, quit leaves.\n")
	if b.sandbox {
		c.printf("(%s)\n", sandboxNote)
	}
	lines := make(chan string)
	readErr := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(in)
		sc.Buffer(make([]byte, 0, 4096), maxConsoleLine)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
		readErr <- sc.Err()
	}()
	// Waiting for a line's answers is not cut short by ctx (SIGTERM): a
	// confirmed key creation must finish and be recorded, not be abandoned
	// by an exit. Every job runs under its own deadline, so the wait is
	// bounded all the same.
	settled := context.WithoutCancel(ctx)
	for {
		select {
		case <-ctx.Done():
			return b.Wait(settled)
		case err := <-readErr:
			if werr := b.Wait(settled); werr != nil {
				return werr
			}
			if err != nil {
				return fmt.Errorf("reading the console: %w", err)
			}
			return nil
		case line := <-lines:
			if c.handle(ctx, line) {
				return b.Wait(settled)
			}
			if err := b.Wait(settled); err != nil {
				return err
			}
		}
	}
}

type console struct {
	bot *Bot
	out io.Writer

	mu         sync.Mutex // out, lastToken and lastRevoke: jobs print concurrently
	user       string
	lastToken  string
	lastRevoke bool         // the last buttons were a revocation's
	form       *consoleForm // create-key's prompts, while they are being answered
}

// consoleForm is the create-key form as prompts: the fields still to ask,
// in order, and what was typed so far.
type consoleForm struct {
	f       keyForm
	pending []string // fieldDescription, fieldExpires, fieldScopes
}

var formPrompts = map[string]string{
	fieldDescription: fmt.Sprintf("Description (what the key is for, 1 to %d characters):", iocloud.MaxDescriptionLength),
	fieldExpires:     "Expires (a date like 2027-01-31 or a lifetime like 30d; empty for the default):",
	fieldScopes:      "Scopes (" + strings.Join(iocloud.KnownScopes(), ", ") + "; comma-separated; empty for the default):",
}

// handle runs one line; true means quit.
func (c *console) handle(ctx context.Context, line string) bool {
	line = strings.TrimSpace(line)
	word := ""
	if fields := strings.Fields(line); len(fields) > 0 {
		word = strings.ToLower(fields[0])
	}
	switch {
	case word == "quit" || word == "exit":
		return true
	case c.form != nil: // an empty answer takes the field's default
		c.answerForm(ctx, line)
		return false
	case line == "":
		return false
	case word == "confirm" || word == "cancel":
		c.press(ctx, word)
		return false
	case word == "user" || word == "as":
		c.switchUser(line)
		return false
	}
	text := line
	if strings.HasPrefix(strings.ToLower(line), "/iocloud") {
		text = line[len("/iocloud"):]
	} else if strings.HasPrefix(line, "/") {
		c.printf("Only /iocloud commands work here. Try /iocloud help.\n\n")
		return false
	}
	if cmd, err := ParseCommand(text); err == nil {
		if ck, ok := cmd.(*CreateKeyCommand); ok && ck.Form {
			c.startForm(ctx, ck.Ask)
			return false
		}
	}
	inv := invocation{who: c.who(), text: text}
	c.show(c.bot.command(ctx, inv, c))
	return false
}

// startForm asks create-key's fields one by one (those the flags did not
// give), after the same checks as the Slack form.
func (c *console) startForm(ctx context.Context, base iocloud.KeyAsk) {
	who := c.who()
	if err := c.bot.access.place(who); err != nil {
		c.show(c.bot.finish(textMessage("Not allowed here", err.Error())))
		return
	}
	if err := c.bot.keyCreator(ctx, who); err != nil {
		c.show(c.bot.finish(refusalMessage(c.bot.hints, err)))
		return
	}
	form := &consoleForm{f: keyForm{base: base}, pending: []string{fieldDescription}}
	if base.ExpiresIn == 0 && base.ExpiresAt.IsZero() {
		form.pending = append(form.pending, fieldExpires)
	}
	if len(base.Scopes) == 0 {
		form.pending = append(form.pending, fieldScopes)
	}
	c.form = form
	c.printf("New io.net API key: answer each question (cancel stops).\n%s\n", formPrompts[form.pending[0]])
}

// answerForm takes the answer to the current prompt; after the last one the
// form goes through the same preview path as the Slack modal. A field with
// a problem is asked again.
func (c *console) answerForm(ctx context.Context, line string) {
	form := c.form
	if strings.EqualFold(strings.TrimSpace(line), "cancel") {
		c.form = nil
		c.printf("Stopped; nothing was asked for.\n\n")
		return
	}
	switch form.pending[0] {
	case fieldDescription:
		form.f.description = line
	case fieldExpires:
		form.f.expires = line
	case fieldScopes:
		form.f.scopes = line
	}
	form.pending = form.pending[1:]
	if len(form.pending) > 0 {
		c.printf("%s\n", formPrompts[form.pending[0]])
		return
	}
	m, problems := c.bot.submitKeyForm(ctx, c.who(), form.f)
	if len(problems) == 0 {
		c.form = nil
		c.show(m)
		return
	}
	for _, field := range []string{fieldDescription, fieldExpires, fieldScopes} {
		if text, ok := problems[field]; ok {
			c.printf("%s: %s\n", field, text)
			form.pending = append(form.pending, field)
		}
	}
	c.printf("%s\n", formPrompts[form.pending[0]])
}

func (c *console) who() requester {
	c.mu.Lock()
	defer c.mu.Unlock()
	return requester{Team: ConsoleTeam, Channel: ConsoleChannel, User: c.user}
}

func (c *console) switchUser(line string) {
	f := strings.Fields(line)
	if len(f) != 2 {
		c.printf("Use: user <Slack user ID>, e.g. user U0123ABC (now %s).\n\n", c.who().User)
		return
	}
	c.mu.Lock()
	c.user = f[1]
	c.mu.Unlock()
	c.printf("Now acting as %s.\n\n", f[1])
}

func (c *console) press(ctx context.Context, which string) {
	c.mu.Lock()
	token, revoke := c.lastToken, c.lastRevoke
	c.mu.Unlock()
	if token == "" {
		c.printf("There are no buttons to press yet: ask for a key first, e.g. /iocloud create-key ci-bot --expires 30d (or /iocloud revoke <key_id>)\n\n")
		return
	}
	action := actionConfirmKey
	switch {
	case revoke && which == "cancel":
		action = actionCancelRevoke
	case revoke:
		action = actionConfirmRevoke
	case which == "cancel":
		action = actionCancelKey
	}
	c.bot.action(ctx, click{who: c.who(), actionID: action, value: token, via: iocloud.ViaConsole}, c)
}

// respond implements responder: the answers Slack would get on
// response_url are printed like the immediate ones.
func (c *console) respond(_ context.Context, m *message) error {
	c.show(m)
	return nil
}

func (c *console) show(m *message) {
	if m == nil {
		return
	}
	var b strings.Builder
	switch {
	case m.replace:
		b.WriteString("[replaces the preview]\n")
	case m.public:
		b.WriteString("[posted in the channel]\n")
	}
	b.WriteString(m.plain())
	c.mu.Lock()
	defer c.mu.Unlock()
	if m.buttons != nil {
		c.lastToken, c.lastRevoke = m.buttons.token, m.buttons.revoke
	}
	_, _ = io.WriteString(c.out, b.String()+"\n")
}

func (c *console) printf(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, _ = fmt.Fprintf(c.out, format, args...)
}
