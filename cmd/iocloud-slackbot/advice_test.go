package main

import (
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/iocloud-chatops/iocloud/config"
	"github.com/iocloud-chatops/iocloud/internal/testutil"
	"github.com/sethvargo/go-envconfig"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// suggested finds the user IDs a refusal tells an admin to put into
// IOCLOUD_SLACK_KEY_CREATORS ("…=U123…" or "(U123) to IOCLOUD_…").
var suggested = regexp.MustCompile(`IOCLOUD_SLACK_KEY_CREATORS=(\S+?)[ .,]|\(([^)]+)\) to IOCLOUD_SLACK_KEY_CREATORS`)

// Whatever the console advises about IOCLOUD_SLACK_KEY_CREATORS is a value
// start-up accepts, and the console's own way out (user <ID>) works.
func TestConsoleKeyCreatorAdviceIsAccepted(t *testing.T) {
	t.Parallel()
	env := envconfig.MapLookuper(map[string]string{"IOCLOUD_SLACK_KEY_CREATORS": "U0ADMIN"})
	// The console user, a real-looking ID that is not listed, and an ID no
	// Slack workspace has; then the advice followed.
	in := strings.NewReader("create-key a\nuser U0OTHER\ncreate-key b\nuser bob\ncreate-key c\nuser U0ADMIN\ncreate-key d\nconfirm\n")
	var out testutil.SyncBuffer
	require.NoError(t, run(t.Context(), []string{"--console", "--sandbox"}, env, in, &out, io.Discard))
	text := out.String()

	assert.Equal(t, 3, strings.Count(text, "may not create io.net API keys"), text)
	assert.Contains(t, text, "type user <ID>", "the console says how to act as a listed user")
	assert.NotContains(t, text, "(U-CONSOLE) to IOCLOUD_SLACK_KEY_CREATORS")
	assert.NotContains(t, text, "(bob) to IOCLOUD_SLACK_KEY_CREATORS")
	for _, m := range suggested.FindAllStringSubmatch(text, -1) {
		id := m[1] + m[2]
		cfg := config.Slack{Addr: "127.0.0.1:3000", KeyCreators: []string{id}}
		cfg.BaseURL, cfg.Timeout, cfg.KeyDefaultTTL, cfg.KeyMaxTTL, cfg.KeyScopes = "https://api.io.solutions", 1, 1, 1, []string{"all"}
		require.NoError(t, cfg.Validate(true, config.SlackConsole), "the advice suggests %q", id)
	}
	assert.Equal(t, 1, strings.Count(text, "io.net API key created"), "acting as the listed user works")
}
