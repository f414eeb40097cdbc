package config

import (
	"encoding/hex"
	"strings"
	"testing"

	"github.com/sethvargo/go-envconfig"
	"github.com/stretchr/testify/require"
)

// secretMark in a fuzzed value stands for the fuzzed secret, so the fuzzer
// can paste a credential into any variable as easily as an operator can.
const secretMark = "{SECRET}"

// FuzzValidate: any value in any variable, for either binary in every mode,
// loads and validates to nil or one *Error naming a variable the binary
// reads, on one line, that never echoes a secret (even one pasted into the
// wrong variable).
func FuzzValidate(f *testing.F) {
	var mcp MCP
	var slack Slack
	mcpVars, err := variablesOf(&mcp)
	require.NoError(f, err)
	slackVars, err := variablesOf(&slack)
	require.NoError(f, err)
	names := map[string]bool{}
	var all []string
	for _, v := range append(mcpVars, slackVars...) {
		if !names[v.name] {
			names[v.name] = true
			all = append(all, v.name)
		}
	}
	index := func(name string) uint8 {
		for i, n := range all {
			if n == name {
				return uint8(i)
			}
		}
		f.Fatalf("no variable %s", name)
		return 0
	}
	for _, seed := range []struct {
		name, value string
	}{
		{"IOCLOUD_BASE_URL", "https://api.example.com/" + secretMark + "?x=1"},
		{"IOCLOUD_BASE_URL", "ftp://" + secretMark},
		{"IOCLOUD_BASE_URL", "http://user:" + secretMark + "@api.example.com"},
		{"IOCLOUD_BASE_URL", "http://api.example.com"},
		{"IOCLOUD_BASE_URL", "https://api.example.com/#" + secretMark},
		{"IOCLOUD_BASE_URL", "::"},
		{"IOCLOUD_TIMEOUT", secretMark},
		{"IOCLOUD_TIMEOUT", "30d"},
		{"IOCLOUD_TIMEOUT", "-1s"},
		{"IOCLOUD_CACHE_TTL", "-5m"},
		{"IOCLOUD_KEY_MAX_TTL", "1h"},
		{"IOCLOUD_KEY_SCOPES", "all," + secretMark},
		{"IOCLOUD_KEY_SCOPES", ", ,"},
		{"IOCLOUD_CONFIRM_SECRET", "short"},
		{"IOCLOUD_MCP_TRANSPORT", secretMark},
		{"IOCLOUD_MCP_ADDR", secretMark + ":80"},
		{"IOCLOUD_MCP_ADDR", "0.0.0.0:99999"},
		{"IOCLOUD_MCP_READ_ONLY", "yes" + secretMark},
		{"IOCLOUD_MCP_CONFIRM", "maybe"},
		{"IOCLOUD_KEY_OUTPUT_DIR", "/nonexistent/" + secretMark},
		{"IOCLOUD_SLACK_ADDR", "[::1]:3000"},
		{"IOCLOUD_SLACK_KEY_CREATORS", "U0123," + secretMark},
		{"IOCLOUD_SLACK_ALLOWED_TEAMS", "T1,\n" + secretMark},
		{"IOCLOUD_SLACK_ALLOWED_CHANNELS", "#general"},
		{"IOCLOUD_SLACK_AUDIT_CHANNEL", "C0AUDIT"},
		{"IOCLOUD_SLACK_API_URL", "https://slack.example/" + secretMark + "?token=" + secretMark},
		{"SLACK_APP_TOKEN", "xoxb-" + secretMark},
		{"IOCLOUD_API_KEY", ""},
	} {
		f.Add(index(seed.name), seed.value, []byte("0123456789abcdef"), uint8(0))
	}
	f.Fuzz(func(t *testing.T, which uint8, value string, secretBytes []byte, mode uint8) {
		if len(secretBytes) < 8 {
			return
		}
		// A secret that cannot occur in our own message texts by chance.
		secret := "sk-" + hex.EncodeToString(secretBytes)
		name := all[int(which)%len(all)]
		env := map[string]string{}
		for k, v := range testSecrets {
			env[k] = v
		}
		env["IOCLOUD_API_KEY"] = secret
		env[name] = strings.ReplaceAll(value, secretMark, secret)
		l := envconfig.MapLookuper(env)
		sandbox := mode&1 == 1

		check := func(err error, reads []variable) {
			t.Helper()
			if err == nil {
				return
			}
			msg := err.Error()
			var ce *Error
			require.ErrorAs(t, err, &ce, "not a *config.Error: %q", msg)
			require.True(t, readsVar(reads, ce.Var), "names %s, which this binary does not read", ce.Var)
			require.NotContains(t, msg, "\n", "one line")
			require.NotContains(t, msg, secret, "the secret leaked")
			for secretName, v := range testSecrets {
				require.NotContains(t, msg, v, "the value of %s leaked", secretName)
			}
		}

		var m MCP
		if err := Load(t.Context(), l, &m); err != nil {
			check(err, mcpVars)
		} else {
			check(m.Validate(sandbox), mcpVars)
		}
		var s Slack
		if err := Load(t.Context(), l, &s); err != nil {
			check(err, slackVars)
		} else {
			console := mode&2 == 2
			check(s.Validate(sandbox, s.Mode(console)), slackVars)
		}
	})
}

func readsVar(vars []variable, name string) bool {
	for _, v := range vars {
		if v.name == name {
			return true
		}
	}
	return false
}
