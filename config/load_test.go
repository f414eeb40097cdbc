package config

import (
	"log/slog"
	"maps"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sethvargo/go-envconfig"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Known secret values: no error may ever contain one of them.
var testSecrets = map[string]string{
	"IOCLOUD_API_KEY":        "io-v2-live-apikey-0123456789abcdef0123",
	"IOCLOUD_JWT":            "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjk5OTk5OTk5OTl9.c2lnbmF0dXJl",
	"IOCLOUD_CONFIRM_SECRET": "confirm-secret-0123456789abcdef0123456789",
	"IOCLOUD_MCP_AUTH_TOKEN": "hunter2",
	"SLACK_SIGNING_SECRET":   "8f742231b10e8888abcd99yyyzzz85a5",
	"SLACK_BOT_TOKEN":        "xoxb-1234-5678-bottokenvalue",
	"SLACK_APP_TOKEN":        "xapp-1-A111-222-apptokenvalue",
	// A shared ticket secret needs a durable store; the URL's password
	// must never be echoed either.
	"IOCLOUD_STATE": "redis://:state-password-0123456789@127.0.0.1:6379/0",
}

func withSecrets(extra map[string]string) envconfig.Lookuper {
	env := make(map[string]string, len(testSecrets)+len(extra))
	maps.Copy(env, testSecrets)
	maps.Copy(env, extra)
	return envconfig.MapLookuper(env)
}

func assertNoSecret(t *testing.T, text string) {
	t.Helper()
	for name, v := range testSecrets {
		assert.NotContains(t, text, v, "value of %s leaked", name)
	}
}

func TestLoadDefaults(t *testing.T) {
	t.Parallel()
	var m MCP
	require.NoError(t, Load(t.Context(), envconfig.MapLookuper(nil), &m))
	var s Slack
	require.NoError(t, Load(t.Context(), envconfig.MapLookuper(nil), &s))

	tests := []struct {
		name string
		got  any
		want any
	}{
		{"IOCLOUD_API_KEY", m.APIKey, Secret("")},
		{"IOCLOUD_JWT", m.JWT, Secret("")},
		{"IOCLOUD_BASE_URL", m.BaseURL, "https://api.io.solutions"},
		{"IOCLOUD_TIMEOUT", m.Timeout, 15 * time.Second},
		{"IOCLOUD_CACHE_TTL", m.CacheTTL, 10 * time.Second},
		{"IOCLOUD_KEY_DEFAULT_TTL", m.KeyDefaultTTL, 720 * time.Hour},
		{"IOCLOUD_KEY_MAX_TTL", m.KeyMaxTTL, 4320 * time.Hour},
		{"IOCLOUD_KEY_SCOPES", m.KeyScopes, []string{"all", "read", "write"}},
		{"IOCLOUD_AUDIT_LOG", m.AuditLog, ""},
		{"IOCLOUD_CONFIRM_SECRET", m.ConfirmSecret, Secret("")},
		{"IOCLOUD_STATE", m.State, Secret("memory")},
		{"IOCLOUD_KEY_MAX_PENDING", m.KeyMaxPending, 5},
		{"IOCLOUD_KEY_MAX_PER_DAY", m.KeyMaxPerDay, 20},
		{"IOCLOUD_LOG_LEVEL", m.LogLevel, slog.LevelInfo},
		{"IOCLOUD_MCP_VALIDATE_OUTPUT", m.ValidateOutput, false},
		{"IOCLOUD_MCP_TRANSPORT", m.Transport, "stdio"},
		{"IOCLOUD_MCP_ADDR", m.Addr, "127.0.0.1:8080"},
		{"IOCLOUD_MCP_READ_ONLY", m.ReadOnly, false},
		{"IOCLOUD_MCP_AUTH_TOKEN", m.AuthToken, Secret("")},
		{"IOCLOUD_MCP_CONFIRM", m.Confirm, "auto"},
		{"IOCLOUD_KEY_OUTPUT_DIR", m.KeyOutputDir, ""},
		{"IOCLOUD_MCP_APPROVAL_ADDR", m.ApprovalAddr, "127.0.0.1:0"},
		{"IOCLOUD_MCP_PUBLIC_URL", m.PublicURL, ""},
		{"IOCLOUD_MCP_OAUTH_ISSUER", m.OAuthIssuer, ""},
		{"IOCLOUD_MCP_OAUTH_AUDIENCE", m.OAuthAudience, ""},
		{"IOCLOUD_MCP_TOKENS_FILE", m.TokensFile, ""},
		{"IOCLOUD_MCP_KEY_CREATORS", m.KeyCreators, []string(nil)},
		{"IOCLOUD_MCP_ALLOWED_ORIGINS", m.AllowedOrigins, []string(nil)},
		{"SLACK_SIGNING_SECRET", s.SigningSecret, Secret("")},
		{"SLACK_BOT_TOKEN", s.BotToken, Secret("")},
		{"SLACK_APP_TOKEN", s.AppToken, Secret("")},
		{"IOCLOUD_SLACK_ADDR", s.Addr, "127.0.0.1:3000"},
		{"IOCLOUD_SLACK_KEY_CREATORS", s.KeyCreators, []string(nil)},
		{"IOCLOUD_SLACK_ALLOWED_TEAMS", s.AllowedTeams, []string(nil)},
		{"IOCLOUD_SLACK_ALLOWED_CHANNELS", s.AllowedChannels, []string(nil)},
		{"IOCLOUD_SLACK_AUDIT_CHANNEL", s.AuditChannel, ""},
		{"IOCLOUD_SLACK_API_URL", s.APIURL, ""},
	}
	covered := map[string]bool{}
	for _, tt := range tests {
		covered[tt.name] = true
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, tt.got)
		})
	}
	// The table must name every variable the structs read.
	for _, target := range []any{&m, &s} {
		vars, err := variablesOf(target)
		require.NoError(t, err)
		for _, v := range vars {
			assert.True(t, covered[v.name], "no default test for %s", v.name)
		}
	}
	assert.Equal(t, m.Core, s.Core, "both servers read the same core settings")
	assert.Equal(t, m.Policy(), s.Policy())
}

func TestLoadValues(t *testing.T) {
	t.Parallel()
	var m MCP
	require.NoError(t, Load(t.Context(), envconfig.MapLookuper(map[string]string{
		"IOCLOUD_API_KEY":         "key",
		"IOCLOUD_BASE_URL":        "",   // empty counts as unset: the default applies
		"IOCLOUD_TIMEOUT":         "2m", // every duration unit Go knows
		"IOCLOUD_CACHE_TTL":       "0",
		"IOCLOUD_KEY_DEFAULT_TTL": "24h",
		"IOCLOUD_KEY_MAX_TTL":     "48h",
		"IOCLOUD_KEY_SCOPES":      " read , ,write ",
		"IOCLOUD_MCP_READ_ONLY":   "true",
		"IOCLOUD_MCP_TRANSPORT":   "http",
	}), &m))
	assert.Equal(t, Secret("key"), m.APIKey)
	assert.Equal(t, "https://api.io.solutions", m.BaseURL)
	assert.Equal(t, 2*time.Minute, m.Timeout)
	assert.Zero(t, m.CacheTTL)
	assert.Equal(t, []string{"read", "write"}, m.KeyScopes)
	assert.True(t, m.ReadOnly)
	assert.Equal(t, "http", m.Transport)

	var s Slack
	require.NoError(t, Load(t.Context(), envconfig.MapLookuper(map[string]string{
		"IOCLOUD_SLACK_KEY_CREATORS":     "U1, W2",
		"IOCLOUD_SLACK_ALLOWED_CHANNELS": ",",
	}), &s))
	assert.Equal(t, []string{"U1", "W2"}, s.KeyCreators)
	assert.Nil(t, s.AllowedChannels)
}

func TestPolicy(t *testing.T) {
	t.Parallel()
	c := Core{KeyDefaultTTL: time.Hour, KeyMaxTTL: 2 * time.Hour, KeyScopes: []string{"read"}}
	p := c.Policy()
	assert.Equal(t, time.Hour, p.DefaultTTL)
	assert.Equal(t, 2*time.Hour, p.MaxTTL)
	assert.Equal(t, []string{"read"}, p.AllowedScopes)
	assert.Equal(t, "io-cloud", p.DefaultProject)
	p.AllowedScopes[0] = "write"
	assert.Equal(t, []string{"read"}, c.KeyScopes, "the policy must not share the config's slice")
}

func TestLoadBadValues(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, value string
		want        string
	}{
		{"IOCLOUD_TIMEOUT", "abc", `IOCLOUD_TIMEOUT: "abc" is not a duration (use e.g. 15s or 1m)`},
		{"IOCLOUD_TIMEOUT", "15", `IOCLOUD_TIMEOUT: "15" is not a duration (use e.g. 15s or 1m)`},
		{"IOCLOUD_CACHE_TTL", "ten seconds", `IOCLOUD_CACHE_TTL: "ten seconds" is not a duration (use e.g. 15s or 1m)`},
		{"IOCLOUD_KEY_DEFAULT_TTL", "30d", `IOCLOUD_KEY_DEFAULT_TTL: "30d" is not a duration (there is no day unit: use 720h for 30 days)`},
		{"IOCLOUD_KEY_MAX_TTL", "six months", `IOCLOUD_KEY_MAX_TTL: "six months" is not a duration (use hours, e.g. 720h for 30 days)`},
		{"IOCLOUD_LOG_LEVEL", "verbose", `IOCLOUD_LOG_LEVEL: "verbose" is not a log level (use debug, info, warn or error)`},
		{"IOCLOUD_MCP_READ_ONLY", "yes please", `IOCLOUD_MCP_READ_ONLY: "yes please" is not true or false (use true or false)`},
		{"IOCLOUD_TIMEOUT", "line1\nline2", `IOCLOUD_TIMEOUT: "line1\nline2" is not a duration (use e.g. 15s or 1m)`},
		// A credential pasted into the wrong variable is described, not echoed:
		// too long to quote,
		{"IOCLOUD_TIMEOUT", testSecrets["IOCLOUD_API_KEY"], `IOCLOUD_TIMEOUT: the value (38 characters, not shown) is not a duration (use e.g. 15s or 1m)`},
		// or short, but the value of a secret variable.
		{"IOCLOUD_CACHE_TTL", testSecrets["IOCLOUD_MCP_AUTH_TOKEN"], `IOCLOUD_CACHE_TTL: the value (7 characters, not shown) is not a duration (use e.g. 15s or 1m)`},
		{"IOCLOUD_TIMEOUT", testSecrets["IOCLOUD_API_KEY"][:12], `IOCLOUD_TIMEOUT: the value (12 characters, not shown) is not a duration (use e.g. 15s or 1m)`},
		{"IOCLOUD_MCP_READ_ONLY", testSecrets["IOCLOUD_JWT"], `IOCLOUD_MCP_READ_ONLY: the value (58 characters, not shown) is not true or false (use true or false)`},
	}
	for _, tt := range tests {
		t.Run(tt.name+"="+tt.value, func(t *testing.T) {
			t.Parallel()
			var m MCP
			err := Load(t.Context(), withSecrets(map[string]string{tt.name: tt.value}), &m)
			require.Error(t, err)
			assert.Equal(t, tt.want, err.Error())
			assert.NotContains(t, err.Error(), "\n", "one line")
			assertNoSecret(t, err.Error())
			var cfgErr *Error
			require.ErrorAs(t, err, &cfgErr)
			assert.Equal(t, tt.name, cfgErr.Var)
		})
	}
}

func TestLoadNeedsStructPointer(t *testing.T) {
	t.Parallel()
	var m MCP
	for _, target := range []any{m, (*MCP)(nil), new(int)} {
		err := Load(t.Context(), envconfig.MapLookuper(nil), target)
		require.Error(t, err)
		var cfgErr *Error
		assert.NotErrorAs(t, err, &cfgErr, "a programming error is not a configuration error")
	}
}

// Every variable appears in exactly one struct field, and the names follow
// DESIGN.md's table (a typo here would silently ignore a setting).
func TestVariableNames(t *testing.T) {
	t.Parallel()
	seen := map[string]string{}
	for _, target := range []any{&MCP{}, &Slack{}} {
		vars, err := variablesOf(target)
		require.NoError(t, err)
		for _, v := range vars {
			assert.True(t, strings.HasPrefix(v.name, "IOCLOUD_") || strings.HasPrefix(v.name, "SLACK_"), v.name)
			if prev, ok := seen[v.name]; ok {
				assert.Equal(t, prev, v.typ.String(), "%s read with two types", v.name)
			}
			seen[v.name] = v.typ.String()
		}
	}
	assert.Len(t, seen, 37)
	assert.Equal(t, reflect.TypeFor[Secret]().String(), seen["IOCLOUD_API_KEY"])
}
