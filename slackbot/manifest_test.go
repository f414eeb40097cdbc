package slackbot_test

import (
	"net/url"
	"os"
	"testing"

	"github.com/iocloud-chatops/iocloud/slackbot"
	"github.com/slack-go/slack"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// loadManifest strict-decodes a manifest into slack-go's Manifest: a field
// Slack's manifest schema does not have (as slack-go models it) fails.
func loadManifest(t *testing.T, path string) slack.Manifest {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	dec := yaml.NewDecoder(f)
	dec.KnownFields(true)
	var m slack.Manifest
	require.NoError(t, dec.Decode(&m), path)
	return m
}

func checkCommonManifest(t *testing.T, m slack.Manifest) slack.ManifestSlashCommand {
	t.Helper()
	assert.Equal(t, 1, m.Metadata.MajorVersion)
	assert.Equal(t, "iocloud", m.Display.Name)
	assert.Equal(t, "iocloud", m.Features.BotUser.DisplayName)
	assert.ElementsMatch(t, []string{"commands", "chat:write"}, m.OAuthConfig.Scopes.Bot)
	assert.True(t, m.Settings.Interactivity.IsEnabled, "the Confirm and Cancel buttons need interactivity")
	require.Len(t, m.Features.SlashCommands, 1)
	cmd := m.Features.SlashCommands[0]
	assert.Equal(t, "/iocloud", cmd.Command)
	assert.LessOrEqual(t, len(cmd.Command), 32)
	assert.True(t, cmd.ShouldEscape, "escaping on: the parser expects Slack's encoded mentions and links")
	for _, sub := range []string{"help", "hardware", "replicas", "create-key", "price", "keys", "revoke"} {
		assert.Contains(t, cmd.UsageHint, sub)
	}
	return cmd
}

func TestManifestHTTP(t *testing.T) {
	t.Parallel()
	m := loadManifest(t, "manifest.yaml")
	cmd := checkCommonManifest(t, m)
	assert.False(t, m.Settings.SocketModeEnabled)
	for raw, path := range map[string]string{cmd.Url: slackbot.PathCommands, m.Settings.Interactivity.RequestUrl: slackbot.PathInteractions} {
		u, err := url.Parse(raw)
		require.NoError(t, err)
		assert.Equal(t, "https", u.Scheme, "Slack only calls https URLs")
		assert.Equal(t, path, u.Path)
	}
}

func TestManifestSocketMode(t *testing.T) {
	t.Parallel()
	m := loadManifest(t, "manifest.socket.yaml")
	cmd := checkCommonManifest(t, m)
	assert.True(t, m.Settings.SocketModeEnabled)
	assert.Empty(t, cmd.Url, "Socket Mode delivers commands over the socket")
	assert.Empty(t, m.Settings.Interactivity.RequestUrl)
}
