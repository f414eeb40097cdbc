package config

import (
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/sethvargo/go-envconfig"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// validateCase loads env (on top of testSecrets unless bare) and expects
// Validate to answer want ("" for no error).
type validateCase struct {
	name string
	env  map[string]string
	bare bool // start from an empty environment instead of testSecrets
	want string
}

func checkValidate(t *testing.T, tt validateCase, validate func(t *testing.T, env map[string]string) error) {
	t.Helper()
	env := map[string]string{}
	if !tt.bare {
		maps.Copy(env, testSecrets)
	}
	maps.Copy(env, tt.env)
	err := validate(t, env)
	if tt.want == "" {
		require.NoError(t, err)
		return
	}
	require.Error(t, err)
	assert.Equal(t, tt.want, err.Error())
	assert.NotContains(t, err.Error(), "\n", "one line")
	assertNoSecret(t, err.Error())
	var cfgErr *Error
	require.ErrorAs(t, err, &cfgErr)
}

func TestCoreValidateState(t *testing.T) {
	t.Parallel()
	load := func(t *testing.T, env map[string]string) error {
		var c Core
		if err := Load(t.Context(), envconfig.MapLookuper(env), &c); err != nil {
			return err
		}
		return c.Validate(true)
	}
	for _, tt := range []validateCase{
		{name: "memory is the default", bare: true},
		{name: "file store", env: map[string]string{"IOCLOUD_STATE": "file:/var/lib/iocloud/state.db"}},
		{name: "rediss", env: map[string]string{"IOCLOUD_STATE": "rediss://:pw-0123456789abcdefghij@cache:6380/1"}},
		{name: "secret with memory", bare: true, env: map[string]string{"IOCLOUD_CONFIRM_SECRET": testSecrets["IOCLOUD_CONFIRM_SECRET"]},
			want: "IOCLOUD_CONFIRM_SECRET: is set while IOCLOUD_STATE is memory: a shared ticket key needs a durable store, or a restart or a second replica would accept a used confirmation again (set IOCLOUD_STATE=file:/var/lib/iocloud/state.db or redis://host:6379, or unset IOCLOUD_CONFIRM_SECRET)"},
		{name: "file without path", env: map[string]string{"IOCLOUD_STATE": "file:"},
			want: "IOCLOUD_STATE: file: needs a path (use e.g. file:/var/lib/iocloud/state.db)"},
		{name: "unknown store", env: map[string]string{"IOCLOUD_STATE": "postgres://u:pw-0123456789abcdefghij@db/x"},
			want: `IOCLOUD_STATE: a "postgres" URL is not a state store (use memory, file:/path/to/state.db, or redis://host:6379)`},
		{name: "bad redis database", env: map[string]string{"IOCLOUD_STATE": "redis://:pw-0123456789abcdefghij@cache:6379/notanumber"},
			want: "IOCLOUD_STATE: the Redis URL does not parse (use redis://[:password@]host:6379[/db], or rediss:// for TLS)"},
		{name: "zero pending", env: map[string]string{"IOCLOUD_KEY_MAX_PENDING": "0"},
			want: "IOCLOUD_KEY_MAX_PENDING: 0 is less than 1 (use the number of open previews one person may have, e.g. 5)"},
		{name: "zero per day", env: map[string]string{"IOCLOUD_KEY_MAX_PER_DAY": "0"},
			want: "IOCLOUD_KEY_MAX_PER_DAY: 0 is less than 1 (use the number of keys one person may create in 24 hours, e.g. 20)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			checkValidate(t, tt, load)
		})
	}
}

func TestCoreValidate(t *testing.T) {
	t.Parallel()
	withPassword := (&url.URL{Scheme: "https", User: url.UserPassword("user", testSecrets["IOCLOUD_MCP_AUTH_TOKEN"]), Host: "api.io.solutions"}).String()
	tests := []struct {
		validateCase
		sandbox bool
	}{
		{validateCase: validateCase{name: "defaults with a key"}},
		{validateCase: validateCase{
			name: "missing API key", bare: true,
			want: "IOCLOUD_API_KEY: not set (set it to your io.net API key, or run with --sandbox to use the built-in simulator)",
		}},
		{validateCase: validateCase{name: "sandbox needs no key", bare: true}, sandbox: true},
		{validateCase: validateCase{name: "http on 127.0.0.1", env: map[string]string{"IOCLOUD_BASE_URL": "http://127.0.0.1:8080"}}},
		{validateCase: validateCase{name: "http on 127.9.9.9", env: map[string]string{"IOCLOUD_BASE_URL": "http://127.9.9.9"}}},
		{validateCase: validateCase{name: "http on ::1", env: map[string]string{"IOCLOUD_BASE_URL": "http://[::1]:9/"}}},
		{validateCase: validateCase{name: "http on localhost", env: map[string]string{"IOCLOUD_BASE_URL": "http://LocalHost:9"}}},
		{validateCase: validateCase{
			name: "http off loopback", env: map[string]string{"IOCLOUD_BASE_URL": "http://api.io.solutions"},
			want: `IOCLOUD_BASE_URL: "http://api.io.solutions" uses plain http off loopback (use https://, or http:// only with 127.0.0.1, ::1 or localhost)`,
		}},
		{validateCase: validateCase{
			name: "http off loopback in sandbox too", bare: true, env: map[string]string{"IOCLOUD_BASE_URL": "http://10.0.0.1"},
			want: `IOCLOUD_BASE_URL: "http://10.0.0.1" uses plain http off loopback (use https://, or http:// only with 127.0.0.1, ::1 or localhost)`,
		}, sandbox: true},
		{validateCase: validateCase{
			name: "http on a name that looks loopback", env: map[string]string{"IOCLOUD_BASE_URL": "http://127.0.0.1.example.com"},
			want: `IOCLOUD_BASE_URL: "http://127.0.0.1.example.com" uses plain http off loopback (use https://, or http:// only with 127.0.0.1, ::1 or localhost)`,
		}},
		{validateCase: validateCase{
			name: "no scheme", env: map[string]string{"IOCLOUD_BASE_URL": "api.io.solutions"},
			want: `IOCLOUD_BASE_URL: "api.io.solutions" is not an http(s) URL (use e.g. https://api.io.solutions)`,
		}},
		{validateCase: validateCase{
			name: "ftp", env: map[string]string{"IOCLOUD_BASE_URL": "ftp://api.io.solutions"},
			want: `IOCLOUD_BASE_URL: "ftp://api.io.solutions" is not an http(s) URL (use e.g. https://api.io.solutions)`,
		}},
		{validateCase: validateCase{
			name: "unparsable", env: map[string]string{"IOCLOUD_BASE_URL": "https://a b:c@x/%zz"},
			want: `IOCLOUD_BASE_URL: is not a URL (use e.g. https://api.io.solutions)`,
		}},
		{validateCase: validateCase{
			name: "credentials in the URL are not echoed", env: map[string]string{"IOCLOUD_BASE_URL": withPassword},
			want: `IOCLOUD_BASE_URL: "https://user:xxxxx@api.io.solutions" must not contain a user name or password (use e.g. https://api.io.solutions)`,
		}},
		{validateCase: validateCase{
			name: "query", env: map[string]string{"IOCLOUD_BASE_URL": "https://api.io.solutions/?a=1"},
			want: `IOCLOUD_BASE_URL: "https://api.io.solutions/?a=1" must not have a query or fragment (use e.g. https://api.io.solutions)`,
		}},
		{validateCase: validateCase{
			name: "zero timeout", env: map[string]string{"IOCLOUD_TIMEOUT": "0s"},
			want: `IOCLOUD_TIMEOUT: 0s is not more than zero (use e.g. 15s or 1m)`,
		}},
		{validateCase: validateCase{
			name: "negative timeout", env: map[string]string{"IOCLOUD_TIMEOUT": "-5s"},
			want: `IOCLOUD_TIMEOUT: -5s is not more than zero (use e.g. 15s or 1m)`,
		}},
		{validateCase: validateCase{name: "cache off", env: map[string]string{"IOCLOUD_CACHE_TTL": "0"}}},
		{validateCase: validateCase{
			name: "negative cache", env: map[string]string{"IOCLOUD_CACHE_TTL": "-1s"},
			want: `IOCLOUD_CACHE_TTL: -1s is negative (use 0 to turn the cache off, or e.g. 10s)`,
		}},
		{validateCase: validateCase{
			name: "zero default TTL", env: map[string]string{"IOCLOUD_KEY_DEFAULT_TTL": "0h"},
			want: `IOCLOUD_KEY_DEFAULT_TTL: 0s is not more than zero (use hours, e.g. 720h for 30 days)`,
		}},
		{validateCase: validateCase{
			name: "negative max TTL", env: map[string]string{"IOCLOUD_KEY_MAX_TTL": "-24h"},
			want: `IOCLOUD_KEY_MAX_TTL: -24h is not more than zero (use hours, e.g. 4320h for 180 days)`,
		}},
		{validateCase: validateCase{
			name: "max below default", env: map[string]string{"IOCLOUD_KEY_MAX_TTL": "24h"},
			want: `IOCLOUD_KEY_MAX_TTL: 24h is shorter than IOCLOUD_KEY_DEFAULT_TTL (720h) (raise it, or lower IOCLOUD_KEY_DEFAULT_TTL)`,
		}},
		{validateCase: validateCase{name: "max equals default", env: map[string]string{"IOCLOUD_KEY_MAX_TTL": "720h"}}},
		{validateCase: validateCase{name: "one scope", env: map[string]string{"IOCLOUD_KEY_SCOPES": "read"}}},
		{validateCase: validateCase{
			name: "no scope", env: map[string]string{"IOCLOUD_KEY_SCOPES": " , "},
			want: `IOCLOUD_KEY_SCOPES: no scope listed (use one or more of all, read, write, comma-separated)`,
		}},
		{validateCase: validateCase{
			name: "unknown scope", env: map[string]string{"IOCLOUD_KEY_SCOPES": "read,admin"},
			want: `IOCLOUD_KEY_SCOPES: "admin" is not a scope (use one or more of all, read, write, comma-separated)`,
		}},
		{validateCase: validateCase{
			name: "scopes are case-sensitive", env: map[string]string{"IOCLOUD_KEY_SCOPES": "READ"},
			want: `IOCLOUD_KEY_SCOPES: "READ" is not a scope (use one or more of all, read, write, comma-separated)`,
		}},
		{validateCase: validateCase{
			name: "short confirm secret", env: map[string]string{"IOCLOUD_CONFIRM_SECRET": "0123456789abcdef0123456789abcde"},
			want: `IOCLOUD_CONFIRM_SECRET: shorter than 32 characters (use a long random value, e.g. from openssl rand -hex 32, or unset it for a random key per process)`,
		}},
		{validateCase: validateCase{name: "32-character confirm secret", env: map[string]string{"IOCLOUD_CONFIRM_SECRET": "0123456789abcdef0123456789abcdef"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			checkValidate(t, tt.validateCase, func(t *testing.T, env map[string]string) error {
				var c Core
				require.NoError(t, Load(t.Context(), envconfig.MapLookuper(env), &c))
				return c.Validate(tt.sandbox)
			})
		})
	}
}

func TestMCPValidate(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	require.NoError(t, os.WriteFile(file, nil, 0o600))

	tests := []validateCase{
		{name: "defaults"},
		{
			name: "a core problem comes first", bare: true, env: map[string]string{"IOCLOUD_MCP_TRANSPORT": "grpc"},
			want: "IOCLOUD_API_KEY: not set (set it to your io.net API key, or run with --sandbox to use the built-in simulator)",
		},
		{name: "http on loopback without token", bare: true, env: map[string]string{"IOCLOUD_API_KEY": "k", "IOCLOUD_MCP_TRANSPORT": "http"}},
		{name: "http on [::1] without token", bare: true, env: map[string]string{"IOCLOUD_API_KEY": "k", "IOCLOUD_MCP_TRANSPORT": "http", "IOCLOUD_MCP_ADDR": "[::1]:8080"}},
		{name: "http on localhost without token", bare: true, env: map[string]string{"IOCLOUD_API_KEY": "k", "IOCLOUD_MCP_TRANSPORT": "http", "IOCLOUD_MCP_ADDR": "localhost:8080"}},
		{
			name: "all interfaces without token", bare: true, env: map[string]string{"IOCLOUD_API_KEY": "k", "IOCLOUD_MCP_TRANSPORT": "http", "IOCLOUD_MCP_ADDR": ":8080"},
			want: `IOCLOUD_MCP_AUTH_TOKEN: required because IOCLOUD_MCP_ADDR ":8080" is reachable beyond this machine (set a long random bearer token, e.g. from openssl rand -hex 32, or IOCLOUD_MCP_TOKENS_FILE or IOCLOUD_MCP_OAUTH_ISSUER, or listen on 127.0.0.1)`,
		},
		{
			name: "0.0.0.0 without token", bare: true, env: map[string]string{"IOCLOUD_API_KEY": "k", "IOCLOUD_MCP_TRANSPORT": "http", "IOCLOUD_MCP_ADDR": "0.0.0.0:8080"},
			want: `IOCLOUD_MCP_AUTH_TOKEN: required because IOCLOUD_MCP_ADDR "0.0.0.0:8080" is reachable beyond this machine (set a long random bearer token, e.g. from openssl rand -hex 32, or IOCLOUD_MCP_TOKENS_FILE or IOCLOUD_MCP_OAUTH_ISSUER, or listen on 127.0.0.1)`,
		},
		{
			name: "[::] without token", bare: true, env: map[string]string{"IOCLOUD_API_KEY": "k", "IOCLOUD_MCP_TRANSPORT": "http", "IOCLOUD_MCP_ADDR": "[::]:8080"},
			want: `IOCLOUD_MCP_AUTH_TOKEN: required because IOCLOUD_MCP_ADDR "[::]:8080" is reachable beyond this machine (set a long random bearer token, e.g. from openssl rand -hex 32, or IOCLOUD_MCP_TOKENS_FILE or IOCLOUD_MCP_OAUTH_ISSUER, or listen on 127.0.0.1)`,
		},
		{
			name: "a host name without token", bare: true, env: map[string]string{"IOCLOUD_API_KEY": "k", "IOCLOUD_MCP_TRANSPORT": "http", "IOCLOUD_MCP_ADDR": "mcp.internal:80"},
			want: `IOCLOUD_MCP_AUTH_TOKEN: required because IOCLOUD_MCP_ADDR "mcp.internal:80" is reachable beyond this machine (set a long random bearer token, e.g. from openssl rand -hex 32, or IOCLOUD_MCP_TOKENS_FILE or IOCLOUD_MCP_OAUTH_ISSUER, or listen on 127.0.0.1)`,
		},
		{name: "0.0.0.0 with token", env: map[string]string{"IOCLOUD_MCP_TRANSPORT": "http", "IOCLOUD_MCP_ADDR": "0.0.0.0:8080"}},
		{name: "stdio ignores where http would listen", bare: true, env: map[string]string{"IOCLOUD_API_KEY": "k", "IOCLOUD_MCP_ADDR": "0.0.0.0:8080"}},
		{
			name: "unknown transport", env: map[string]string{"IOCLOUD_MCP_TRANSPORT": "grpc"},
			want: `IOCLOUD_MCP_TRANSPORT: "grpc" is not a transport (use stdio or http, here or with --transport)`,
		},
		{
			name: "a short secret in the wrong variable", env: map[string]string{"IOCLOUD_MCP_TRANSPORT": testSecrets["IOCLOUD_MCP_AUTH_TOKEN"]},
			want: `IOCLOUD_MCP_TRANSPORT: the value (7 characters, not shown) is not a transport (use stdio or http, here or with --transport)`,
		},
		{
			name: "a long value is not echoed", env: map[string]string{"IOCLOUD_MCP_CONFIRM": "io-v2-pasted-by-mistake-0123"},
			want: `IOCLOUD_MCP_CONFIRM: the value (28 characters, not shown) is not a confirmation mode (use auto, elicit, url or token)`,
		},
		{
			name: "addr without port", env: map[string]string{"IOCLOUD_MCP_ADDR": "127.0.0.1"},
			want: `IOCLOUD_MCP_ADDR: "127.0.0.1" is not host:port (use e.g. 127.0.0.1:8080, here or with --addr)`,
		},
		{
			name: "addr with a bad port", env: map[string]string{"IOCLOUD_MCP_ADDR": "127.0.0.1:99999"},
			want: `IOCLOUD_MCP_ADDR: "127.0.0.1:99999" has no valid port (use a number up to 65535, e.g. 127.0.0.1:8080, here or with --addr)`,
		},
		{
			name: "addr with a named port", env: map[string]string{"IOCLOUD_MCP_ADDR": "127.0.0.1:http"},
			want: `IOCLOUD_MCP_ADDR: "127.0.0.1:http" has no valid port (use a number up to 65535, e.g. 127.0.0.1:8080, here or with --addr)`,
		},
		{name: "confirm elicit", env: map[string]string{"IOCLOUD_MCP_CONFIRM": "elicit"}},
		{name: "confirm token", env: map[string]string{"IOCLOUD_MCP_CONFIRM": "token"}},
		{
			name: "unknown confirm", env: map[string]string{"IOCLOUD_MCP_CONFIRM": "always"},
			want: `IOCLOUD_MCP_CONFIRM: "always" is not a confirmation mode (use auto, elicit, url or token)`,
		},
		{name: "output dir exists", env: map[string]string{"IOCLOUD_KEY_OUTPUT_DIR": dir}},
		{
			name: "output dir missing", env: map[string]string{"IOCLOUD_KEY_OUTPUT_DIR": filepath.Join(dir, "nope")},
			want: `IOCLOUD_KEY_OUTPUT_DIR: "` + filepath.Join(dir, "nope") + `" cannot be used: it does not exist (create the directory, mode 0700, or unset the variable)`,
		},
		{
			name: "output dir is a file", env: map[string]string{"IOCLOUD_KEY_OUTPUT_DIR": file},
			want: `IOCLOUD_KEY_OUTPUT_DIR: "` + file + `" is not a directory (name a directory, mode 0700, or unset the variable)`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			checkValidate(t, tt, func(t *testing.T, env map[string]string) error {
				var m MCP
				require.NoError(t, Load(t.Context(), envconfig.MapLookuper(env), &m))
				return m.Validate(false)
			})
		})
	}
}

func TestSlackMode(t *testing.T) {
	t.Parallel()
	assert.Equal(t, SlackHTTP, Slack{}.Mode(false))
	assert.Equal(t, SlackSocket, Slack{AppToken: "xapp-1"}.Mode(false))
	assert.Equal(t, SlackConsole, Slack{AppToken: "xapp-1"}.Mode(true))
	assert.Equal(t, "http", SlackHTTP.String())
	assert.Equal(t, "socket", SlackSocket.String())
	assert.Equal(t, "console", SlackConsole.String())
}

func TestSlackValidate(t *testing.T) {
	t.Parallel()
	noSlack := func(env map[string]string) map[string]string {
		out := map[string]string{"IOCLOUD_API_KEY": "k"}
		maps.Copy(out, env)
		return out
	}
	tests := []struct {
		validateCase
		mode    SlackMode
		sandbox bool
	}{
		{validateCase: validateCase{name: "http with everything"}, mode: SlackHTTP},
		{validateCase: validateCase{
			name: "http without signing secret", bare: true, env: noSlack(nil),
			want: "SLACK_SIGNING_SECRET: not set (copy it from your Slack app's Basic Information page; or set SLACK_APP_TOKEN for Socket Mode, or run with --console)",
		}, mode: SlackHTTP},
		{validateCase: validateCase{name: "http with only the signing secret", bare: true, env: noSlack(map[string]string{"SLACK_SIGNING_SECRET": "s"})}, mode: SlackHTTP},
		{validateCase: validateCase{name: "console needs no Slack secret", bare: true, env: noSlack(nil)}, mode: SlackConsole},
		{validateCase: validateCase{name: "console in sandbox needs nothing", bare: true}, mode: SlackConsole, sandbox: true},
		{validateCase: validateCase{
			name: "console still needs io.net", bare: true,
			want: "IOCLOUD_API_KEY: not set (set it to your io.net API key, or run with --sandbox to use the built-in simulator)",
		}, mode: SlackConsole},
		{validateCase: validateCase{name: "socket with only an app token", bare: true, env: noSlack(map[string]string{"SLACK_APP_TOKEN": "xapp-1-abc"})}, mode: SlackSocket},
		{validateCase: validateCase{
			name: "socket with a bot token as app token", env: map[string]string{"SLACK_APP_TOKEN": testSecrets["SLACK_BOT_TOKEN"]},
			want: "SLACK_APP_TOKEN: is not an app-level token (it must start with xapp-; bot tokens, xoxb-..., go in SLACK_BOT_TOKEN)",
		}, mode: SlackSocket},
		{validateCase: validateCase{
			name: "socket without app token", bare: true, env: noSlack(nil),
			want: "SLACK_APP_TOKEN: not set (Socket Mode needs an app-level token, xapp-..., from your Slack app's Basic Information page)",
		}, mode: SlackSocket},
		{validateCase: validateCase{
			name: "audit channel without bot token", bare: true,
			env:  noSlack(map[string]string{"SLACK_SIGNING_SECRET": "s", "IOCLOUD_SLACK_AUDIT_CHANNEL": "C123"}),
			want: "IOCLOUD_SLACK_AUDIT_CHANNEL: needs SLACK_BOT_TOKEN to post notices (set SLACK_BOT_TOKEN, or unset IOCLOUD_SLACK_AUDIT_CHANNEL)",
		}, mode: SlackHTTP},
		{validateCase: validateCase{
			name: "audit channel in socket mode without bot token", bare: true,
			env:  noSlack(map[string]string{"SLACK_APP_TOKEN": "xapp-1", "IOCLOUD_SLACK_AUDIT_CHANNEL": "C123"}),
			want: "IOCLOUD_SLACK_AUDIT_CHANNEL: needs SLACK_BOT_TOKEN to post notices (set SLACK_BOT_TOKEN, or unset IOCLOUD_SLACK_AUDIT_CHANNEL)",
		}, mode: SlackSocket},
		{validateCase: validateCase{name: "audit channel with bot token", env: map[string]string{"IOCLOUD_SLACK_AUDIT_CHANNEL": "C123"}}, mode: SlackHTTP},
		{validateCase: validateCase{name: "api url on loopback", env: map[string]string{"IOCLOUD_SLACK_API_URL": "http://127.0.0.1:4000/api/"}}, mode: SlackHTTP},
		{validateCase: validateCase{name: "api url https", env: map[string]string{"IOCLOUD_SLACK_API_URL": "https://slack.com/api/"}}, mode: SlackHTTP},
		{validateCase: validateCase{
			name: "api url not a URL", env: map[string]string{"IOCLOUD_SLACK_API_URL": "slack.com/api"},
			want: `IOCLOUD_SLACK_API_URL: "slack.com/api" is not an http(s) URL (use e.g. https://slack.com/api/)`,
		}, mode: SlackHTTP},
		{validateCase: validateCase{
			name: "api url plain http off loopback", env: map[string]string{"IOCLOUD_SLACK_API_URL": "http://slack.example/api/"},
			want: `IOCLOUD_SLACK_API_URL: "http://slack.example/api/" uses plain http off loopback (use https://, or http:// only with 127.0.0.1, ::1 or localhost)`,
		}, mode: SlackHTTP},
		{validateCase: validateCase{
			name: "addr without port", env: map[string]string{"IOCLOUD_SLACK_ADDR": "0.0.0.0"},
			want: `IOCLOUD_SLACK_ADDR: "0.0.0.0" is not host:port (use e.g. 127.0.0.1:3000)`,
		}, mode: SlackHTTP},
		{validateCase: validateCase{name: "addr on every interface", env: map[string]string{"IOCLOUD_SLACK_ADDR": ":3000"}}, mode: SlackHTTP},
		{validateCase: validateCase{name: "ids", env: map[string]string{
			"IOCLOUD_SLACK_KEY_CREATORS": "U0123ABCD,W999", "IOCLOUD_SLACK_ALLOWED_TEAMS": "T1,E2", "IOCLOUD_SLACK_ALLOWED_CHANNELS": "C1,G2,D3",
		}}, mode: SlackHTTP},
		{validateCase: validateCase{
			name: "creator by name", env: map[string]string{"IOCLOUD_SLACK_KEY_CREATORS": "U1,@alice"},
			want: `IOCLOUD_SLACK_KEY_CREATORS: "@alice" is not a Slack user ID (use member IDs such as U0123ABCD, comma-separated; Slack shows one under a profile's Copy member ID)`,
		}, mode: SlackHTTP},
		{validateCase: validateCase{
			name: "signing secret pasted as a creator", env: map[string]string{"IOCLOUD_SLACK_KEY_CREATORS": "U1," + testSecrets["SLACK_SIGNING_SECRET"]},
			want: `IOCLOUD_SLACK_KEY_CREATORS: the value (32 characters, not shown) is not a Slack user ID (use member IDs such as U0123ABCD, comma-separated; Slack shows one under a profile's Copy member ID)`,
		}, mode: SlackHTTP},
		{validateCase: validateCase{
			name: "team by name", env: map[string]string{"IOCLOUD_SLACK_ALLOWED_TEAMS": "acme"},
			want: `IOCLOUD_SLACK_ALLOWED_TEAMS: "acme" is not a Slack team ID (use workspace IDs such as T0123ABCD, comma-separated)`,
		}, mode: SlackHTTP},
		{validateCase: validateCase{
			name: "channel by name", env: map[string]string{"IOCLOUD_SLACK_ALLOWED_CHANNELS": "#general"},
			want: `IOCLOUD_SLACK_ALLOWED_CHANNELS: "#general" is not a Slack channel ID (use channel IDs such as C0123ABCD, comma-separated, not #names)`,
		}, mode: SlackHTTP},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			checkValidate(t, tt.validateCase, func(t *testing.T, env map[string]string) error {
				var s Slack
				require.NoError(t, Load(t.Context(), envconfig.MapLookuper(env), &s))
				return s.Validate(tt.sandbox, tt.mode)
			})
		})
	}
}

func TestSlackValidateUnknownMode(t *testing.T) {
	t.Parallel()
	err := Slack{Core: Core{APIKey: "k", BaseURL: "https://x", Timeout: 1, KeyDefaultTTL: 1, KeyMaxTTL: 1, KeyScopes: []string{"all"}, State: "memory", KeyMaxPending: 1, KeyMaxPerDay: 1}, Addr: ":1"}.Validate(false, SlackMode(7))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "unknown Slack mode 7")
}
