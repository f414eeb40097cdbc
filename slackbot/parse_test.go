package slackbot_test

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/iocloud-chatops/iocloud/iocloud"
	"github.com/iocloud-chatops/iocloud/slackbot"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseCommand(t *testing.T) {
	t.Parallel()
	day := 24 * time.Hour
	cases := []struct {
		text string
		want slackbot.Command
	}{
		{"", &slackbot.HelpCommand{}},
		{"   ", &slackbot.HelpCommand{}},
		{"help", &slackbot.HelpCommand{}},
		{"HELP", &slackbot.HelpCommand{}},
		{"frobnicate now", &slackbot.HelpCommand{Unknown: "frobnicate"}},
		{"hardware", &slackbot.HardwareCommand{}},
		{"  Hardware   --public ", &slackbot.HardwareCommand{Public: true}},
		{"hardware —public", &slackbot.HardwareCommand{Public: true}}, // an editor's em dash
		{"replicas", &slackbot.ReplicasCommand{Search: iocloud.ReplicaSearch{GPUsPerContainer: 1}}},
		{"replicas H100 80GB HBM3 --gpus 2", &slackbot.ReplicasCommand{Search: iocloud.ReplicaSearch{Hardware: "H100 80GB HBM3", GPUsPerContainer: 2}}},
		{`replicas "H100 80GB PCIe" --gpus=4 --country de --public`, &slackbot.ReplicasCommand{Search: iocloud.ReplicaSearch{Hardware: "H100 80GB PCIe", GPUsPerContainer: 4, Country: "de"}, Public: true}},
		{"replicas --country “United States” 15", &slackbot.ReplicasCommand{Search: iocloud.ReplicaSearch{Hardware: "15", GPUsPerContainer: 1, Country: "United States"}}},
		{"replicas\u00a0A100\u00a0\u00a0--gpus\u00a08", &slackbot.ReplicasCommand{Search: iocloud.ReplicaSearch{Hardware: "A100", GPUsPerContainer: 8}}},
		{"create-key ci-bot", &slackbot.CreateKeyCommand{Ask: iocloud.KeyAsk{Description: "ci-bot"}}},
		{"create-key my   ci bot --expires 30d --scopes read,write", &slackbot.CreateKeyCommand{Ask: iocloud.KeyAsk{Description: "my ci bot", ExpiresIn: 30 * day, Scopes: []string{"read", "write"}}}},
		{"create-key “ci bot” --expires 30 days", &slackbot.CreateKeyCommand{Ask: iocloud.KeyAsk{Description: "ci bot", ExpiresIn: 30 * day}}},
		{"create-key 'it's mine' --expires 2w", &slackbot.CreateKeyCommand{Ask: iocloud.KeyAsk{Description: "it's mine", ExpiresIn: 14 * day}}},
		{"create-key x --expires 2027-01-31", &slackbot.CreateKeyCommand{Ask: iocloud.KeyAsk{Description: "x", ExpiresAt: time.Date(2027, 1, 31, 0, 0, 0, 0, time.UTC)}}},
		{"create-key x --expires 2027-01-31T12:00:00Z", &slackbot.CreateKeyCommand{Ask: iocloud.KeyAsk{Description: "x", ExpiresAt: time.Date(2027, 1, 31, 12, 0, 0, 0, time.UTC)}}},
		{"create-key x --expires 36h --scopes READ --scopes write", &slackbot.CreateKeyCommand{Ask: iocloud.KeyAsk{Description: "x", ExpiresIn: 36 * time.Hour, Scopes: []string{"read", "write"}}}},
		{"create-key -- --not-a-flag", &slackbot.CreateKeyCommand{Ask: iocloud.KeyAsk{Description: "--not-a-flag"}}},
		{"create-key", &slackbot.CreateKeyCommand{Form: true}},
		{"create-key --expires 30d", &slackbot.CreateKeyCommand{Ask: iocloud.KeyAsk{ExpiresIn: 30 * day}, Form: true}},
		{"keys", &slackbot.KeysCommand{}},
		{"list-keys --all", &slackbot.KeysCommand{All: true}},
		{"revoke 3F0C2A7E-1111-4222-8333-944455556666", &slackbot.RevokeCommand{KeyID: "3f0c2a7e-1111-4222-8333-944455556666"}},
		{"revoke-key  “3f0c2a7e-1111-4222-8333-944455556666” ", &slackbot.RevokeCommand{KeyID: "3f0c2a7e-1111-4222-8333-944455556666"}},
		{"price h100 80gb hbm3 --hours 24", &slackbot.PriceCommand{Search: iocloud.PriceSearch{Hardware: "h100 80gb hbm3", Hours: 24, GPUsPerContainer: 1, Replicas: 1}}},
		{`price "RTX 4090 24GB" --hours=168 --gpus 2 --replicas 3 --country de --public`, &slackbot.PriceCommand{Search: iocloud.PriceSearch{Hardware: "RTX 4090 24GB", Hours: 168, GPUsPerContainer: 2, Replicas: 3, Country: "de"}, Public: true}},
		{"create_key a &amp; b &lt;tag&gt;", &slackbot.CreateKeyCommand{Ask: iocloud.KeyAsk{Description: "a & b <tag>"}}},
		{"create-key for <@U123|bob> in <#C456|ops> <!channel> <https://x.example|docs> <https://y.example>",
			&slackbot.CreateKeyCommand{Ask: iocloud.KeyAsk{Description: "for @bob in #ops @channel docs (https://x.example) https://y.example"}}},
	}
	for _, c := range cases {
		got, err := slackbot.ParseCommand(c.text)
		require.NoError(t, err, c.text)
		assert.Equal(t, c.want, got, c.text)
	}
}

func TestParseCommandUsageErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		text, command, problem string
	}{
		{"hardware extra", "hardware", "takes no arguments"},
		{"hardware --public=yes", "hardware", "takes no value"},
		{"replicas --gpus", "replicas", "needs a value"},
		{"replicas --gpus two", "replicas", "1 to 8"},
		{"replicas --gpus 9", "replicas", "1 to 8"},
		{"replicas --gpus 0", "replicas", "1 to 8"},
		{"replicas --region eu", "replicas", `"--region" is not an option`},
		{"replicas --country --public", "replicas", "needs a value"},
		{"keys extra", "keys", "takes no arguments"},
		{"keys --expired", "keys", "is not an option of keys"},
		{"revoke", "revoke", "needs the id of the key"},
		{"revoke ci-bot", "revoke", `"ci-bot" is not a key id`},
		{"revoke 3f0c2a7e-1111-4222-8333-94445555666", "revoke", "is not a key id"},
		{"revoke 3f0c2a7e-1111-4222-8333-944455556666 4f0c2a7e-1111-4222-8333-944455556666", "revoke", "takes one key id"},
		{"revoke 3f0c2a7e-1111-4222-8333-944455556666 --force", "revoke", `"--force" is not an option of revoke`},
		{"price --hours 24", "price", "needs a hardware name"},
		{"price h100", "price", "needs --hours"},
		{"price h100 --hours 0", "price", "--hours takes a whole number from 1 to 8760"},
		{"price h100 --hours 1.5", "price", "--hours takes a whole number"},
		{"price h100 --hours 24 --gpus 9", "price", "--gpus takes a whole number from 1 to 8"},
		{"price h100 --hours 24 --replicas 0", "price", "--replicas takes a whole number"},
		{"create-key x --expires soon", "create-key", "--expires takes"},
		{"create-key x --expires 0d", "create-key", "--expires takes"},
		{"create-key x --expires -5h", "create-key", "--expires takes"},
		{"create-key x --expires 99999999999d", "create-key", "--expires takes"},
		{"create-key x --project other", "create-key", "not an option"},
		{"help " + strings.Repeat("x", 5000), "help", "too long"},
	}
	for _, c := range cases {
		_, err := slackbot.ParseCommand(c.text)
		var ue *slackbot.UsageError
		require.ErrorAs(t, err, &ue, shorten(c.text))
		assert.Equal(t, c.command, ue.Command, c.text)
		assert.Contains(t, ue.Problem, c.problem, c.text)
		assert.True(t, strings.HasPrefix(ue.Usage(), "/iocloud "+c.command), "the usage shows the right form: %q", ue.Usage())
	}
}

func shorten(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}

var parseSeeds = []string{
	"", "help", "hardware --public", "replicas H100 80GB HBM3 --gpus 2 --country DE",
	`replicas "H100 80GB PCIe" --gpus=4`, "create-key ci-bot --expires 30d --scopes read,write",
	"create-key “smart quotes” —expires 2027-01-31", "create-key <!channel> &amp; <https://evil.example|click>",
	"create-key '", `create-key "unterminated`, "replicas --gpus", "create-key x --expires 30 days",
	"<@U1|a> <#C1> <!subteam^S1|@t> <", ">>>", "&amp;&lt;&gt;&", "\xff\xfe", "create-key --", "—", "-",
	"keys --all", "revoke 3f0c2a7e-1111-4222-8333-944455556666", "revoke x y", "price h100 --hours 24 --gpus 8 --replicas 2 --country de --public", "price --hours 99999 x", "price x --hours=",
}

// The parser never panics, and what it accepts is well-formed.
func FuzzParseCommand(f *testing.F) {
	for _, s := range parseSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		cmd, err := slackbot.ParseCommand(text)
		if err != nil {
			var ue *slackbot.UsageError
			if !errors.As(err, &ue) {
				t.Fatalf("ParseCommand(%q): not a usage error: %v", text, err)
			}
			if ue.Usage() == "" || ue.Problem == "" {
				t.Fatalf("ParseCommand(%q): usage error without form or problem: %#v", text, ue)
			}
			return
		}
		switch c := cmd.(type) {
		case *slackbot.HelpCommand, *slackbot.HardwareCommand, *slackbot.KeysCommand:
		case *slackbot.PriceCommand:
			s := c.Search
			if strings.TrimSpace(s.Hardware) == "" || s.Hours < 1 || s.Hours > 8760 || s.GPUsPerContainer < 1 || s.GPUsPerContainer > 8 || s.Replicas < 1 {
				t.Fatalf("ParseCommand(%q): bad price search %+v", text, s)
			}
		case *slackbot.RevokeCommand:
			if _, err := iocloud.CheckKeyID(c.KeyID); err != nil || c.KeyID != strings.ToLower(c.KeyID) {
				t.Fatalf("ParseCommand(%q): key id %q is not a lower-case UUID", text, c.KeyID)
			}
		case *slackbot.ReplicasCommand:
			if n := c.Search.GPUsPerContainer; n < 1 || n > 8 {
				t.Fatalf("ParseCommand(%q): GPUs per container %d", text, n)
			}
		case *slackbot.CreateKeyCommand:
			if (strings.TrimSpace(c.Ask.Description) == "") != c.Form {
				t.Fatalf("ParseCommand(%q): the form is asked for exactly when the description is empty: %#v", text, c)
			}
			if !utf8.ValidString(c.Ask.Description) {
				t.Fatalf("ParseCommand(%q): invalid UTF-8 description", text)
			}
			if c.Ask.ExpiresIn < 0 || (c.Ask.ExpiresIn > 0 && !c.Ask.ExpiresAt.IsZero()) {
				t.Fatalf("ParseCommand(%q): bad expiry %v / %v", text, c.Ask.ExpiresIn, c.Ask.ExpiresAt)
			}
		default:
			t.Fatalf("ParseCommand(%q): unexpected %T", text, cmd)
		}
	})
}
