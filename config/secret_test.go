package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"testing"

	"github.com/sethvargo/go-envconfig"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// loadedWithSecrets is an MCP and a Slack config holding every test secret,
// read through Load as the servers do.
func loadedWithSecrets(t *testing.T) (MCP, Slack) {
	t.Helper()
	var m MCP
	require.NoError(t, Load(t.Context(), withSecrets(nil), &m))
	var s Slack
	require.NoError(t, Load(t.Context(), withSecrets(nil), &s))
	require.Equal(t, testSecrets["IOCLOUD_API_KEY"], m.APIKey.Reveal())
	require.Equal(t, testSecrets["SLACK_APP_TOKEN"], s.AppToken.Reveal())
	return m, s
}

func TestSecretRedactedOnEveryPath(t *testing.T) {
	t.Parallel()
	m, s := loadedWithSecrets(t)
	key := m.APIKey

	logText := func(args ...any) string {
		var buf bytes.Buffer
		slog.New(slog.NewTextHandler(&buf, nil)).Info("msg", args...)
		return buf.String()
	}
	logJSON := func(args ...any) string {
		var buf bytes.Buffer
		slog.New(slog.NewJSONHandler(&buf, nil)).Info("msg", args...)
		return buf.String()
	}
	marshal := func(v any) string {
		b, err := json.Marshal(v)
		require.NoError(t, err)
		return string(b)
	}

	paths := map[string]string{}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%10s", "%-40v"} {
		paths["secret "+verb] = fmt.Sprintf(verb, key)
		paths["mcp "+verb] = fmt.Sprintf(verb, m)
		paths["*mcp "+verb] = fmt.Sprintf(verb, &m)
		paths["slack "+verb] = fmt.Sprintf(verb, s)
	}
	paths["Sprint"] = fmt.Sprint(key, m, s)
	paths["Sprintln"] = fmt.Sprintln(key, m, s)
	paths["slog text field"] = logText("api_key", key)
	paths["slog text struct"] = logText("cfg", m, "slack", s)
	paths["slog text pointer"] = logText("cfg", &m)
	paths["slog text group"] = logText(slog.Group("g", "jwt", m.JWT, "token", m.AuthToken))
	paths["slog json field"] = logJSON("api_key", key)
	paths["slog json struct"] = logJSON("cfg", m, "slack", s)
	paths["slog json pointer"] = logJSON("cfg", &m)
	paths["json secret"] = marshal(key)
	paths["json mcp"] = marshal(m)
	paths["json slack"] = marshal(s)
	paths["error %v"] = fmt.Errorf("bad config: %v", m).Error()
	paths["error %+v"] = fmt.Errorf("bad config: %+v", s).Error()
	paths["error wrapped"] = fmt.Errorf("start: %w", errors.New(fmt.Sprint(m.Core))).Error()

	for name, out := range paths {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			assertNoSecret(t, out)
			assert.NotEmpty(t, out)
		})
	}
	// The redaction marker shows there was a value, so an operator can tell
	// "set" from "unset".
	assert.Contains(t, paths["secret %v"], "REDACTED")
	assert.Contains(t, paths["json mcp"], `"APIKey":"REDACTED"`)
	assert.Contains(t, paths["slog text field"], "api_key=REDACTED")
}

func TestSecretReveal(t *testing.T) {
	t.Parallel()
	m, s := loadedWithSecrets(t)
	for name, got := range map[string]Secret{
		"IOCLOUD_API_KEY": m.APIKey, "IOCLOUD_JWT": m.JWT, "IOCLOUD_CONFIRM_SECRET": m.ConfirmSecret,
		"IOCLOUD_MCP_AUTH_TOKEN": m.AuthToken, "SLACK_SIGNING_SECRET": s.SigningSecret,
		"SLACK_BOT_TOKEN": s.BotToken, "SLACK_APP_TOKEN": s.AppToken,
	} {
		assert.Equal(t, testSecrets[name], got.Reveal(), name)
		assert.True(t, got.IsSet(), name)
	}
	var unset MCP
	require.NoError(t, Load(t.Context(), envconfig.MapLookuper(nil), &unset))
	assert.False(t, unset.APIKey.IsSet())
	assert.Empty(t, unset.APIKey.Reveal())
}
