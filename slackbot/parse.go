package slackbot

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/iocloud-chatops/iocloud/iocloud"
)

// Command is one parsed /iocloud invocation: *HelpCommand,
// *HardwareCommand, *ReplicasCommand, *CreateKeyCommand, *KeysCommand,
// *RevokeCommand or *PriceCommand.
type Command interface {
	// Name is the subcommand, as in the help text.
	Name() string
}

// HelpCommand asks for the help text. Unknown is the subcommand that was
// not understood, "" when help was asked for.
type HelpCommand struct{ Unknown string }

// HardwareCommand lists io.net's GPU types.
type HardwareCommand struct{ Public bool }

// ReplicasCommand asks where containers fit.
type ReplicasCommand struct {
	Search iocloud.ReplicaSearch
	Public bool
}

// CreateKeyCommand asks for a new io.net API key. The ask is checked by the
// core's policy, not here. Form is set when no description was given: the
// bot then asks for the fields (a Slack modal, console prompts).
type CreateKeyCommand struct {
	Ask  iocloud.KeyAsk
	Form bool
}

// KeysCommand lists the account's API keys; All includes expired ones.
type KeysCommand struct{ All bool }

// RevokeCommand asks to revoke one API key. KeyID is a UUID in lower case
// (iocloud.CheckKeyID); whether io.net has it is the guard's to find out.
type RevokeCommand struct{ KeyID string }

// PriceCommand asks what containers would cost.
type PriceCommand struct {
	Search iocloud.PriceSearch
	Public bool
}

func (*HelpCommand) Name() string      { return "help" }
func (*HardwareCommand) Name() string  { return "hardware" }
func (*ReplicasCommand) Name() string  { return "replicas" }
func (*CreateKeyCommand) Name() string { return "create-key" }
func (*KeysCommand) Name() string      { return "keys" }
func (*RevokeCommand) Name() string    { return "revoke" }
func (*PriceCommand) Name() string     { return "price" }

// Usage lines, one per subcommand; the help text lists them all.
var usage = map[string]string{
	"help":       "/iocloud help",
	"hardware":   "/iocloud hardware [--public]",
	"replicas":   "/iocloud replicas [hardware] [--gpus N] [--country XX] [--public]",
	"create-key": "/iocloud create-key <description> [--expires 30d|2027-01-31] [--scopes " + strings.Join(iocloud.KnownScopes(), "|") + "]",
	"keys":       "/iocloud keys [--all]",
	"revoke":     "/iocloud revoke <key_id>",
	"price":      "/iocloud price <hardware> --hours N [--gpus N] [--replicas N] [--country XX] [--public]",
}

// UsageError says what was wrong with a command's text and shows the right
// form. It is answered to the person who typed it, never logged as a fault.
type UsageError struct {
	Command string // subcommand whose form is shown
	Problem string
}

func (e *UsageError) Error() string { return e.Problem }

// Usage is the right form of the subcommand.
func (e *UsageError) Usage() string { return usage[e.Command] }

// maxCommandText bounds the work done on one text; Slack's own limit is far
// below it.
const maxCommandText = 4000

// maxGPUs is the most GPUs per container io.net offers.
const maxGPUs = iocloud.MaxGPUsPerContainer

// ParseCommand turns the text after /iocloud into a Command. It accepts
// Slack's escaping (&amp; &lt; &gt; and <@U…|name>, <#C…|name>, <!here>,
// <https://…|label> forms), extra or odd spaces, "straight" and “curly”
// quotes, and a dash that an editor turned into — or –. A text it cannot
// use is a *UsageError; an unknown subcommand is a *HelpCommand naming it.
func ParseCommand(text string) (Command, error) {
	if len(text) > maxCommandText {
		return nil, &UsageError{Command: "help", Problem: fmt.Sprintf("That command is too long (%d characters; at most %d).", len(text), maxCommandText)}
	}
	toks := tokenize(unescapeSlack(strings.ToValidUTF8(text, "\uFFFD")))
	if len(toks) == 0 {
		return &HelpCommand{}, nil
	}
	sub := strings.ToLower(toks[0].text)
	args := toks[1:]
	switch sub {
	case "help", "-h", "--help", "?":
		return &HelpCommand{}, nil
	case "hardware", "hw", "gpus":
		return parseHardware(args)
	case "replicas", "replica", "availability":
		return parseReplicas(args)
	case "create-key", "create_key", "createkey", "new-key":
		return parseCreateKey(args)
	case "keys", "list-keys", "api-keys":
		return parseKeys(args)
	case "revoke", "revoke-key", "revoke_key", "delete-key":
		return parseRevoke(args)
	case "price", "quote", "cost":
		return parsePrice(args)
	}
	return &HelpCommand{Unknown: shorten(toks[0].text, 40)}, nil
}

func parseHardware(args []token) (Command, error) {
	cmd := &HardwareCommand{}
	fs := flagSet{command: "hardware", bools: map[string]*bool{"public": &cmd.Public}}
	pos, err := fs.parse(args)
	if err != nil {
		return nil, err
	}
	if len(pos) > 0 {
		return nil, &UsageError{Command: "hardware", Problem: fmt.Sprintf("hardware takes no arguments, but got %q.", strings.Join(pos, " "))}
	}
	return cmd, nil
}

func parseReplicas(args []token) (Command, error) {
	cmd := &ReplicasCommand{}
	var gpus string
	fs := flagSet{
		command: "replicas",
		bools:   map[string]*bool{"public": &cmd.Public},
		values:  map[string]*string{"gpus": &gpus, "country": &cmd.Search.Country},
	}
	pos, err := fs.parse(args)
	if err != nil {
		return nil, err
	}
	cmd.Search.Hardware = strings.Join(pos, " ")
	cmd.Search.GPUsPerContainer = 1
	if gpus != "" {
		n, err := strconv.Atoi(gpus)
		if err != nil || n < 1 || n > maxGPUs {
			return nil, &UsageError{Command: "replicas", Problem: fmt.Sprintf("--gpus takes a whole number from 1 to %d, not %q.", maxGPUs, shorten(gpus, 20))}
		}
		cmd.Search.GPUsPerContainer = n
	}
	return cmd, nil
}

func parseCreateKey(args []token) (Command, error) {
	var expires, scopes string
	fs := flagSet{
		command: "create-key",
		values:  map[string]*string{"expires": &expires, "scopes": &scopes},
		units:   map[string]bool{"expires": true},
		lists:   map[string]bool{"scopes": true},
	}
	pos, err := fs.parse(args)
	if err != nil {
		return nil, err
	}
	ask := iocloud.KeyAsk{Description: strings.Join(pos, " ")}
	if expires != "" {
		ask.ExpiresIn, ask.ExpiresAt, err = parseExpiry(expires)
		if err != nil {
			return nil, err
		}
	}
	if scopes != "" {
		for s := range strings.FieldsFuncSeq(strings.ToLower(scopes), func(r rune) bool { return r == ',' || unicode.IsSpace(r) }) {
			ask.Scopes = append(ask.Scopes, s)
		}
	}
	return &CreateKeyCommand{Ask: ask, Form: strings.TrimSpace(ask.Description) == ""}, nil
}

func parseKeys(args []token) (Command, error) {
	cmd := &KeysCommand{}
	fs := flagSet{command: "keys", bools: map[string]*bool{"all": &cmd.All}}
	pos, err := fs.parse(args)
	if err != nil {
		return nil, err
	}
	if len(pos) > 0 {
		return nil, &UsageError{Command: "keys", Problem: fmt.Sprintf("keys takes no arguments besides --all, but got %q.", shorten(strings.Join(pos, " "), 40))}
	}
	return cmd, nil
}

// parseRevoke takes exactly one key id. The id is checked here, so a typo
// is a usage answer at once instead of a lookup at io.net.
func parseRevoke(args []token) (Command, error) {
	fs := flagSet{command: "revoke"}
	pos, err := fs.parse(args)
	if err != nil {
		return nil, err
	}
	switch {
	case len(pos) == 0:
		return nil, &UsageError{Command: "revoke", Problem: "revoke needs the id of the key to revoke; `/iocloud keys` lists each key with its id."}
	case len(pos) > 1:
		return nil, &UsageError{Command: "revoke", Problem: fmt.Sprintf("revoke takes one key id, but got %d words (%q); revoke one key at a time.", len(pos), shorten(strings.Join(pos, " "), 60))}
	}
	id, err := iocloud.CheckKeyID(pos[0])
	if err != nil {
		return nil, &UsageError{Command: "revoke", Problem: fmt.Sprintf("%q is not a key id: a key id is a UUID such as 3f0c2a7e-1111-4222-8333-944455556666, and `/iocloud keys` lists each key with its id.", shorten(pos[0], 40))}
	}
	return &RevokeCommand{KeyID: id}, nil
}

// maxHours and maxReplicas bound a price question (a deployment lasts at
// most a year; the core refuses more replicas than it prices).
const (
	maxHours    = iocloud.MaxDurationHours
	maxReplicas = 10000
)

func parsePrice(args []token) (Command, error) {
	cmd := &PriceCommand{}
	var hours, gpus, replicas string
	fs := flagSet{
		command: "price",
		bools:   map[string]*bool{"public": &cmd.Public},
		values:  map[string]*string{"hours": &hours, "gpus": &gpus, "replicas": &replicas, "country": &cmd.Search.Country},
	}
	pos, err := fs.parse(args)
	if err != nil {
		return nil, err
	}
	cmd.Search.Hardware = strings.Join(pos, " ")
	if strings.TrimSpace(cmd.Search.Hardware) == "" {
		return nil, &UsageError{Command: "price", Problem: "price needs a hardware name or id, e.g. `/iocloud price h100 80gb hbm3 --hours 24`."}
	}
	if hours == "" {
		return nil, &UsageError{Command: "price", Problem: "price needs --hours, e.g. `--hours 24`."}
	}
	number := func(flag, v string, lowest, highest int) (int, error) {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < lowest || n > highest {
			return 0, &UsageError{Command: "price", Problem: fmt.Sprintf("--%s takes a whole number from %d to %d, not %q.", flag, lowest, highest, shorten(v, 20))}
		}
		return n, nil
	}
	if cmd.Search.Hours, err = number("hours", hours, 1, maxHours); err != nil {
		return nil, err
	}
	cmd.Search.GPUsPerContainer, cmd.Search.Replicas = 1, 1
	if gpus != "" {
		if cmd.Search.GPUsPerContainer, err = number("gpus", gpus, 1, maxGPUs); err != nil {
			return nil, err
		}
	}
	if replicas != "" {
		if cmd.Search.Replicas, err = number("replicas", replicas, 1, maxReplicas); err != nil {
			return nil, err
		}
	}
	return cmd, nil
}

// parseExpiry reads a lifetime ("30d", "2w", "12h", "30 days", Go's "720h")
// or a date ("2027-01-31", midnight UTC, or a full RFC 3339 time).
func parseExpiry(v string) (time.Duration, time.Time, error) {
	bad := &UsageError{Command: "create-key", Problem: fmt.Sprintf("--expires takes a lifetime like 30d, 2w or 12h, or a date like 2027-01-31, not %q.", shorten(v, 30))}
	v = strings.TrimSpace(strings.ToLower(v))
	if t, err := time.Parse(time.DateOnly, v); err == nil {
		return 0, t.UTC(), nil
	}
	if t, err := time.Parse(time.RFC3339, strings.ToUpper(v)); err == nil {
		return 0, t, nil
	}
	num := strings.TrimRightFunc(v, unicode.IsLetter)
	unit := strings.TrimSpace(v[len(num):])
	num = strings.TrimSpace(num)
	if n, err := strconv.Atoi(num); err == nil && unit != "" {
		day := 24 * time.Hour
		per := map[string]time.Duration{
			"d": day, "day": day, "days": day,
			"w": 7 * day, "week": 7 * day, "weeks": 7 * day,
			"h": time.Hour, "hour": time.Hour, "hours": time.Hour,
		}[unit]
		// 100 years bounds the product; the policy's maximum is far lower.
		if per == 0 || n <= 0 || time.Duration(n) > 100*365*day/per {
			return 0, time.Time{}, bad
		}
		return time.Duration(n) * per, time.Time{}, nil
	}
	if d, err := time.ParseDuration(v); err == nil && d > 0 {
		return d, time.Time{}, nil
	}
	return 0, time.Time{}, bad
}

// flagSet parses --name value, --name=value and boolean --name flags out of
// a token list, returning the other tokens in order. A quoted token is never
// a flag, and "--" ends the flags.
type flagSet struct {
	command string
	bools   map[string]*bool
	values  map[string]*string
	units   map[string]bool // value flags that may be written "30 days"
	lists   map[string]bool // value flags that add up when repeated
}

func (fs flagSet) parse(args []token) ([]string, error) {
	var pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a.quoted || !strings.HasPrefix(a.text, "-") || a.text == "-" {
			pos = append(pos, a.text)
			continue
		}
		if a.text == "--" {
			for _, rest := range args[i+1:] {
				pos = append(pos, rest.text)
			}
			break
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(a.text, "-"), "=")
		name = strings.ToLower(name)
		if b, ok := fs.bools[name]; ok {
			if hasValue {
				return nil, fs.problem("--%s takes no value.", name)
			}
			*b = true
			continue
		}
		dst, ok := fs.values[name]
		if !ok {
			return nil, fs.problem("%q is not an option of %s.", shorten(a.text, 30), fs.command)
		}
		if !hasValue {
			if i+1 >= len(args) || (!args[i+1].quoted && strings.HasPrefix(args[i+1].text, "--")) {
				return nil, fs.problem("--%s needs a value.", name)
			}
			i++
			value = args[i].text
			if fs.units[name] && i+1 < len(args) && !args[i+1].quoted && isUnitWord(args[i+1].text) && isDigits(value) {
				i++
				value += " " + args[i].text
			}
		}
		if strings.TrimSpace(value) == "" {
			return nil, fs.problem("--%s needs a value.", name)
		}
		if fs.lists[name] && *dst != "" {
			value = *dst + "," + value
		}
		*dst = value
	}
	return pos, nil
}

func (fs flagSet) problem(format string, args ...any) error {
	return &UsageError{Command: fs.command, Problem: fmt.Sprintf(format, args...)}
}

func isUnitWord(s string) bool {
	switch strings.ToLower(s) {
	case "d", "day", "days", "w", "week", "weeks", "h", "hour", "hours":
		return true
	}
	return false
}

func isDigits(s string) bool {
	return s != "" && strings.TrimFunc(s, func(r rune) bool { return r >= '0' && r <= '9' }) == ""
}

// token is one word of the command text; quoted words are never flags.
type token struct {
	text   string
	quoted bool
}

const (
	doubleQuotes = "\"“”„«»"
	singleQuotes = "'‘’‚"
)

// tokenize splits on any Unicode space. A quote at the start of a word
// groups up to the matching quote of the same family; an unclosed quote
// takes the rest of the text. Inside single quotes, a quote followed by a
// letter is an apostrophe ('it's mine' is one word). A dash or em dash at
// the start of a word is read as "--", since editors turn "--" into them.
func tokenize(s string) []token {
	var (
		toks    []token
		cur     strings.Builder
		inTok   bool
		quoted  bool
		closing string // non-empty while inside quotes
	)
	flush := func() {
		if inTok {
			toks = append(toks, token{text: cur.String(), quoted: quoted})
		}
		cur.Reset()
		inTok, quoted = false, false
	}
	rs := []rune(s)
	for i, r := range rs {
		switch {
		case closing != "":
			apostrophe := closing == singleQuotes && i+1 < len(rs) && unicode.IsLetter(rs[i+1])
			if strings.ContainsRune(closing, r) && !apostrophe {
				closing = ""
				continue
			}
			cur.WriteRune(r)
		case unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff':
			flush()
		case !inTok && strings.ContainsRune(doubleQuotes, r):
			inTok, quoted, closing = true, true, doubleQuotes
		case !inTok && strings.ContainsRune(singleQuotes, r):
			inTok, quoted, closing = true, true, singleQuotes
		case !inTok && (r == '—' || r == '–'):
			inTok = true
			cur.WriteString("--")
		default:
			inTok = true
			cur.WriteRune(r)
		}
	}
	flush()
	return toks
}

// unescapeSlack turns Slack's encoded text back into what the person
// typed: <@U1|name> → @name, <#C1|name> → #name, <!here> → @here,
// <https://x|label> → label (https://x), then &lt; &gt; &amp; → < > &.
// The result is plain text; the renderer escapes it again, so no form
// written here can become a mention or a link.
func unescapeSlack(s string) string {
	var b strings.Builder
	for {
		open := strings.IndexByte(s, '<')
		if open < 0 {
			break
		}
		end := strings.IndexByte(s[open:], '>')
		if end < 0 {
			break
		}
		b.WriteString(s[:open])
		b.WriteString(decodeSlackRef(s[open+1 : open+end]))
		s = s[open+end+1:]
	}
	b.WriteString(s)
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(b.String())
}

// decodeSlackRef decodes the inside of one <…> reference.
func decodeSlackRef(ref string) string {
	target, label, hasLabel := strings.Cut(ref, "|")
	switch {
	case strings.HasPrefix(target, "@"), strings.HasPrefix(target, "#"):
		if hasLabel && label != "" {
			return target[:1] + strings.TrimLeft(label, "@#")
		}
		return target
	case strings.HasPrefix(target, "!"):
		if hasLabel && label != "" {
			return label // <!subteam^S1|@team>, <!date^…|fallback>
		}
		name, _, _ := strings.Cut(target[1:], "^")
		return "@" + name
	case hasLabel && label != "" && label != target:
		return label + " (" + target + ")"
	}
	return target
}

// shorten cuts s to at most n runes for quoting it back.
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}
