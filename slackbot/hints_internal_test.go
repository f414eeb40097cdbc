package slackbot

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/iocloud-chatops/iocloud/iocloud"
)

// namingHints stand in for config.Hints (the external tests use the real
// ones): with them a message names the variable; without, plain words.
var namingHints = iocloud.Hints{
	iocloud.SettingJWT:                  "VAR_JWT",
	iocloud.SettingSlackKeyCreators:     "VAR_CREATORS",
	iocloud.SettingSlackAllowedTeams:    "VAR_TEAMS",
	iocloud.SettingSlackAllowedChannels: "VAR_CHANNELS",
}

func TestMessagesNameSettingsThroughHints(t *testing.T) {
	t.Parallel()
	outsider := requester{Team: "T0OTHER", Channel: "C0OTHER", User: "U0OUTSIDER"}
	deny := func(err error) string { return err.Error() }
	soon := &iocloud.Pending{
		Request: iocloud.KeyRequest{Description: "ci", Project: "io-cloud", Scopes: []string{"all"}, ExpiresAt: time.Now().Add(time.Hour)},
		JWT:     iocloud.JWTStatus{Present: true, ExpiresSoon: true, ExpiresAt: time.Now().Add(time.Hour)},
	}
	cases := map[string]struct {
		text        func(iocloud.Hints) string
		plain, name string
	}{
		"team": {func(h iocloud.Hints) string {
			return deny(access{teams: []string{"T0OK"}, hints: h}.place(outsider))
		}, "to the allowed workspaces.", "to the allowed workspaces (VAR_TEAMS)."},
		"channel": {func(h iocloud.Hints) string {
			return deny(access{channels: []string{"C0OK"}, hints: h}.place(outsider))
		}, "to the allowed channels.", "to the allowed channels (VAR_CHANNELS)."},
		"not listed": {func(h iocloud.Hints) string {
			return deny(access{creators: []string{"U0SOMEONE"}, hints: h}.creator(outsider))
		}, "(U0OUTSIDER) to the key creators.", "(U0OUTSIDER) to the key creators (VAR_CREATORS)."},
		"nobody listed": {func(h iocloud.Hints) string {
			return deny(access{hints: h}.creator(outsider))
		}, "by making U0OUTSIDER a key creator", "by setting VAR_CREATORS=U0OUTSIDER"},
		"help": {func(h iocloud.Hints) string {
			return helpMessage(h, "").plain()
		}, "listed as key creators may ask", "listed as key creators (VAR_CREATORS) may ask"},
		"no guard": {func(h iocloud.Hints) string {
			return refusalText(h, errNoGuard)
		}, "configuring the io.net session token.", "configuring the io.net session token (VAR_JWT)."},
		"token expires soon": {func(h iocloud.Hints) string {
			return previewMessage(h, soon, time.Now()).plain()
		}, "The io.net session token expires on", "The io.net session token (VAR_JWT) expires on"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			plain := c.text(nil)
			assert.Contains(t, plain, c.plain)
			assert.NotContains(t, plain, "VAR_")
			assert.Contains(t, c.text(namingHints), c.name)
		})
	}
}
