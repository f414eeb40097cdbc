package tools_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/iocloud-chatops/iocloud/iocloud/sandbox"
	"github.com/iocloud-chatops/iocloud/tools"
	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var ciKey = map[string]any{"description": "ci runner", "expires_in_days": 30, "scopes": []any{"read"}}

func TestCreateKeyElicitationAcceptCreatesExactlyOne(t *testing.T) {
	t.Parallel()
	for _, era := range []string{mcp.LATEST_PROTOCOL_VERSION, mcp.ProtocolVersion20250618} {
		t.Run(era, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			person := answering(mcp.ElicitationResponseActionAccept, map[string]any{"confirm": true})
			c := connect(t, e.srv, client.WithElicitationHandler(person), client.WithProtocolVersion(era))

			res := call(t, c, "create_api_key", ciKey)

			require.False(t, res.IsError, textOf(res))
			require.Equal(t, 1, e.createdKeys())
			created := e.sb.CreatedKeys()[0]
			out := structuredOf(t, res)
			assert.Equal(t, "created", out["status"])
			assert.Equal(t, created.KeyID, out["key_id"])
			assert.Equal(t, created.Value, out["api_key"])
			assert.Equal(t, "ci runner", out["description"])
			assert.Equal(t, []any{"read"}, out["scopes"])
			assert.Equal(t, true, out["sandbox"])
			assert.Contains(t, textOf(res), created.Value, "the secret must reach the person once")
			assert.Contains(t, textOf(res), "sandbox data")

			prompts := person.shown()
			require.Len(t, prompts, 1, "exactly one prompt")
			assert.Contains(t, prompts[0], `"ci runner"`)
			assert.Contains(t, prompts[0], "scopes: read")
			assert.Contains(t, prompts[0], "sandbox")
		})
	}
}

func TestCreateKeyElicitationRefusalsCreateNothing(t *testing.T) {
	t.Parallel()
	cases := map[string]*elicitor{
		"decline":           answering(mcp.ElicitationResponseActionDecline, nil),
		"cancel":            answering(mcp.ElicitationResponseActionCancel, nil),
		"accept unticked":   answering(mcp.ElicitationResponseActionAccept, map[string]any{"confirm": false}),
		"accept empty form": answering(mcp.ElicitationResponseActionAccept, map[string]any{}),
		"accept as text":    answering(mcp.ElicitationResponseActionAccept, map[string]any{"confirm": "true"}),
	}
	for name, person := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			c := connect(t, e.srv, client.WithElicitationHandler(person))

			res := call(t, c, "create_api_key", ciKey)

			assert.Equal(t, 0, e.createdKeys())
			assert.False(t, res.IsError, textOf(res))
			assert.Equal(t, "cancelled", structuredOf(t, res)["status"])
			text := textOf(res)
			assert.Contains(t, text, "Nothing was created")
			assert.Contains(t, text, "declined, or your client could not show the prompt")
			assert.Contains(t, text, "confirm mode (IOCLOUD_MCP_CONFIRM) to token", "names the setting and its variable")
			assert.Contains(t, text, "sandbox data")
			assert.Contains(t, e.audit.String(), `"outcome":"cancelled"`)
		})
	}
}

func TestCreateKeyTwoStepToken(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withMode(tools.ConfirmToken))
	c := connect(t, e.srv) // declares no elicitation

	first := call(t, c, "create_api_key", ciKey)
	require.False(t, first.IsError, textOf(first))
	assert.Equal(t, 0, e.createdKeys(), "the first call creates nothing")
	out := structuredOf(t, first)
	assert.Equal(t, "confirmation_required", out["status"])
	token, _ := out["confirmation_token"].(string)
	require.NotEmpty(t, token)
	assert.NotEmpty(t, out["expires_at"])
	preview, _ := out["preview"].(map[string]any)
	assert.Equal(t, "ci runner", preview["description"])
	assert.Equal(t, "io-cloud", preview["project"])
	assert.Contains(t, textOf(first), token, "the model must be able to pass the token back from the text alone")
	assert.Contains(t, textOf(first), "sandbox data")

	second := call(t, c, "create_api_key", withToken(ciKey, token))
	require.False(t, second.IsError, textOf(second))
	assert.Equal(t, 1, e.createdKeys())
	assert.Equal(t, "created", structuredOf(t, second)["status"])

	again := call(t, c, "create_api_key", withToken(ciKey, token))
	assert.True(t, again.IsError, "a reused token is refused")
	assert.Contains(t, textOf(again), "already used")
	assert.Equal(t, 1, e.createdKeys())
}

func TestCreateKeyBadTokensCreateNothing(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		mutate func(e *env, token string) (map[string]any, string)
		want   string
	}{
		"tampered": {
			mutate: func(_ *env, token string) (map[string]any, string) {
				b := []byte(token)
				i := len(b) / 3
				if b[i] == 'A' {
					b[i] = 'B'
				} else {
					b[i] = 'A'
				}
				return ciKey, string(b)
			},
			want: "not valid",
		},
		"expired": {
			mutate: func(e *env, token string) (map[string]any, string) {
				e.clock.Advance(11 * time.Minute)
				return ciKey, token
			},
			want: "expired",
		},
		"other arguments": {
			mutate: func(_ *env, token string) (map[string]any, string) {
				other := map[string]any{"description": "ci runner", "expires_in_days": 30, "scopes": []any{"all"}}
				return other, token
			},
			want: "different request",
		},
		"invented": {
			mutate: func(_ *env, _ string) (map[string]any, string) {
				return ciKey, "eyJhIjoiY3JlYXRlX2FwaV9rZXkifQ.c2lnbmF0dXJl"
			},
			want: "not valid",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, withMode(tools.ConfirmToken))
			c := connect(t, e.srv)
			first := call(t, c, "create_api_key", ciKey)
			token, _ := structuredOf(t, first)["confirmation_token"].(string)
			require.NotEmpty(t, token)

			args, bad := tc.mutate(e, token)
			res := call(t, c, "create_api_key", withToken(args, bad))

			assert.True(t, res.IsError)
			assert.Contains(t, textOf(res), tc.want)
			assert.Contains(t, textOf(res), "nothing")
			assert.Equal(t, 0, e.createdKeys())
			assert.Contains(t, e.audit.String(), `"outcome":"rejected"`)
		})
	}
}

// A raw client that puts an approval into the very first call must not get
// a key: the round-trip state is minted (and sealed) by the server only.
func TestCreateKeyForgedFirstShotApproval(t *testing.T) {
	t.Parallel()
	for name, state := range map[string]string{
		"invented state": "eyJhIjoiY3JlYXRlX2FwaV9rZXkiLCJ1IjoibWNwOmxvY2FsIn0.Zm9yZ2Vk",
		"no state":       "",
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			msg := map[string]any{
				"jsonrpc": "2.0", "id": 1, "method": "tools/call",
				"params": map[string]any{
					"name":           "create_api_key",
					"arguments":      ciKey,
					"inputResponses": map[string]any{"confirm": map[string]any{"action": "accept", "content": map[string]any{"confirm": true}}},
					"requestState":   state,
					"_meta": map[string]any{
						"io.modelcontextprotocol/protocolVersion":    mcp.LATEST_PROTOCOL_VERSION,
						"io.modelcontextprotocol/clientCapabilities": map[string]any{"elicitation": map[string]any{}},
					},
				},
			}
			raw, err := json.Marshal(msg)
			require.NoError(t, err)

			reply := e.srv.HandleMessage(context.Background(), raw)

			out, err := json.Marshal(reply)
			require.NoError(t, err)
			assert.Contains(t, string(out), `"isError":true`)
			assert.Regexp(t, `Not created|nothing was created`, string(out))
			assert.NotContains(t, string(out), `"status":"created"`)
			assert.Equal(t, 0, e.createdKeys())
		})
	}
}

// In auto (and elicit) mode the prompt's round-trip state is a sealed
// ticket the client sees in the 2026-07-28 era; handed back as a
// confirmation_token without the person's answer, it must create nothing.
func TestCreateKeyPromptStateIsNoConfirmationToken(t *testing.T) {
	t.Parallel()
	for _, mode := range []tools.ConfirmMode{tools.ConfirmAuto, tools.ConfirmElicit} {
		t.Run(string(mode), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, withMode(mode))
			modern := func(args map[string]any) map[string]any {
				msg, err := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": map[string]any{
					"name": "create_api_key", "arguments": args,
					"_meta": map[string]any{
						"io.modelcontextprotocol/protocolVersion":    mcp.LATEST_PROTOCOL_VERSION,
						"io.modelcontextprotocol/clientCapabilities": map[string]any{"elicitation": map[string]any{"form": map[string]any{}}},
					},
				}})
				require.NoError(t, err)
				raw, err := json.Marshal(e.srv.HandleMessage(context.Background(), msg))
				require.NoError(t, err)
				var resp struct {
					Result map[string]any `json:"result"`
				}
				require.NoError(t, json.Unmarshal(raw, &resp), string(raw))
				require.NotNil(t, resp.Result, string(raw))
				return resp.Result
			}

			first := modern(ciKey)
			state, _ := first["requestState"].(string)
			require.NotEmpty(t, state, "the first call asks through the prompt: %v", first)

			second := modern(withToken(ciKey, state))

			assert.Equal(t, true, second["isError"], "%v", second)
			assert.Contains(t, fmt.Sprint(second["content"]), "does not take confirmation_token")
			assert.Equal(t, 0, e.createdKeys())
			assert.NotContains(t, e.audit.String(), `"outcome":"created"`)
		})
	}
}

func TestCreateKeyTokenModeNeverElicits(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withMode(tools.ConfirmToken))
	person := answering(mcp.ElicitationResponseActionAccept, map[string]any{"confirm": true})
	c := connect(t, e.srv, client.WithElicitationHandler(person))

	first := call(t, c, "create_api_key", ciKey)

	assert.Equal(t, "confirmation_required", structuredOf(t, first)["status"])
	assert.Empty(t, person.shown())
	assert.Equal(t, 0, e.createdKeys())
	token, _ := structuredOf(t, first)["confirmation_token"].(string)
	second := call(t, c, "create_api_key", withToken(ciKey, token))
	require.False(t, second.IsError, textOf(second))
	assert.Equal(t, 1, e.createdKeys())
}

func TestCreateKeyElicitMode(t *testing.T) {
	t.Parallel()
	t.Run("client cannot elicit: hidden and refused", func(t *testing.T) {
		t.Parallel()
		for _, era := range []string{mcp.LATEST_PROTOCOL_VERSION, mcp.ProtocolVersion20250618} {
			e := newEnv(t, withMode(tools.ConfirmElicit))
			c := connect(t, e.srv, client.WithProtocolVersion(era))

			assert.NotContains(t, toolNames(t, c), "create_api_key", era)
			_, err := callErr(c, "create_api_key", ciKey)
			require.Error(t, err, era)
			assert.Contains(t, err.Error(), "not found")
			assert.Equal(t, 0, e.createdKeys())
		}
	})
	t.Run("client can elicit: listed and confirmed by prompt", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, withMode(tools.ConfirmElicit))
		person := answering(mcp.ElicitationResponseActionAccept, map[string]any{"confirm": true})
		c := connect(t, e.srv, client.WithElicitationHandler(person))

		assert.Contains(t, toolNames(t, c), "create_api_key")
		res := call(t, c, "create_api_key", ciKey)
		require.False(t, res.IsError, textOf(res))
		assert.Equal(t, 1, e.createdKeys())
		assert.Len(t, person.shown(), 1)
	})
}

func TestCreateKeyReadOnlyIsAbsent(t *testing.T) {
	t.Parallel()
	e := newEnv(t, readOnly())
	c := connect(t, e.srv, client.WithElicitationHandler(answering(mcp.ElicitationResponseActionAccept, map[string]any{"confirm": true})))

	assert.Equal(t, []string{"list_api_keys", "list_available_replicas", "list_hardware", "quote_price"}, toolNames(t, c), "only read-only tools")
	_, err := callErr(c, "create_api_key", ciKey)
	require.Error(t, err)
	assert.Equal(t, 0, e.createdKeys())
}

func TestCreateKeyWithoutJWTSaysHowToGetOne(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withoutJWT())
	c := connect(t, e.srv)

	res := call(t, c, "create_api_key", ciKey)

	assert.True(t, res.IsError)
	assert.Contains(t, textOf(res), "IOCLOUD_JWT")
	assert.Contains(t, textOf(res), "session token")
	assert.Equal(t, 0, e.createdKeys())
	assert.Equal(t, 0, e.sb.Requests(sandbox.RouteCreateKey))
	// The guard is the only gate: the refusal is audited as on Slack.
	assert.Contains(t, e.audit.String(), `"outcome":"refused"`)

	rev := call(t, c, "revoke_api_key", map[string]any{"key_id": "0b8e6c4e-1c0a-4a55-9a4e-1d6f2b0c7e11"})
	assert.True(t, rev.IsError)
	assert.Contains(t, textOf(rev), "IOCLOUD_JWT")
	assert.Contains(t, e.audit.String(), `"action":"revoke_api_key","outcome":"refused"`)
}

func TestCreateKeyArgumentsThePolicyRefuses(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := connect(t, e.srv)
	cases := map[string]struct {
		args map[string]any
		want string
	}{
		"too long a lifetime": {map[string]any{"description": "x", "expires_in_days": 1000}, "expire"},
		"both expiries":       {map[string]any{"description": "x", "expires_in_days": 5, "expires_at": "2030-01-01T00:00:00Z"}, "not both"},
		"expiry not RFC 3339": {map[string]any{"description": "x", "expires_at": "next tuesday"}, "RFC 3339"},
		"expiry in the past":  {map[string]any{"description": "x", "expires_at": "2001-01-01T00:00:00Z"}, "expire"},
	}
	for name, tc := range cases {
		res := call(t, c, "create_api_key", tc.args)
		assert.True(t, res.IsError, name)
		assert.Contains(t, strings.ToLower(textOf(res)), strings.ToLower(tc.want), name)
	}
	assert.Equal(t, 0, e.createdKeys())
}

func TestCreateKeyToOutputDir(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	e := newEnv(t, withKeyDir(dir))
	c := connect(t, e.srv, client.WithElicitationHandler(answering(mcp.ElicitationResponseActionAccept, map[string]any{"confirm": true})))

	res := call(t, c, "create_api_key", ciKey)

	require.False(t, res.IsError, textOf(res))
	require.Equal(t, 1, e.createdKeys())
	created := e.sb.CreatedKeys()[0]
	out := structuredOf(t, res)
	assert.NotContains(t, out, "api_key")
	assert.NotEmpty(t, out["display"])
	path, _ := out["saved_to"].(string)
	require.NotEmpty(t, path)
	assert.Equal(t, dir, filepath.Dir(path))
	info, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	content, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, created.Value+"\n", string(content))
	raw, err := json.Marshal(res)
	require.NoError(t, err)
	assert.NotContains(t, string(raw), created.Value, "the secret stays out of the conversation")
}

func TestCreateKeyIOFailureCreatesNothingAndSaysWhy(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withMode(tools.ConfirmToken))
	c := connect(t, e.srv)
	first := call(t, c, "create_api_key", ciKey)
	token, _ := structuredOf(t, first)["confirmation_token"].(string)
	e.sb.SetFault(sandbox.RouteCreateKey, sandbox.Fault{Status: 500})

	res := call(t, c, "create_api_key", withToken(ciKey, token))

	assert.True(t, res.IsError)
	assert.Contains(t, textOf(res), "500")
	assert.Equal(t, 0, e.createdKeys())
	assert.Equal(t, 1, e.sb.Requests(sandbox.RouteCreateKey), "the key-creating POST is never retried")
}

// Nothing the server writes (operator log, audit) may hold the API key, the
// JWT or the new secret, whichever way the key was confirmed.
func TestCreateKeySecretsStayOutOfLogs(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	elicit := connect(t, e.srv, client.WithElicitationHandler(answering(mcp.ElicitationResponseActionAccept, map[string]any{"confirm": true})))
	plain := connect(t, e.srv)

	require.False(t, call(t, elicit, "create_api_key", ciKey).IsError)
	first := call(t, plain, "create_api_key", ciKey)
	link, _ := structuredOf(t, first)["approval_url"].(string)
	page := e.decide(t, link, "approve", true)
	require.Equal(t, 2, e.createdKeys())
	assert.Contains(t, page, e.sb.CreatedKeys()[1].Value, "the page shows the secret once")

	written := e.logs.String() + e.audit.String()
	assert.Contains(t, e.audit.String(), `"outcome":"created"`)
	for _, secret := range []string{e.sb.APIKey(), e.sb.JWT(), e.sb.CreatedKeys()[0].Value, e.sb.CreatedKeys()[1].Value} {
		assert.NotContains(t, written, secret)
	}
}

func withToken(args map[string]any, token string) map[string]any {
	out := make(map[string]any, len(args)+1)
	for k, v := range args {
		out[k] = v
	}
	out["confirmation_token"] = token
	return out
}

// If the secret cannot be written where the operator asked, the key exists
// but the answer must neither pretend otherwise nor leak the secret instead.
func TestCreateKeyOutputDirGoneAfterStart(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "keys")
	require.NoError(t, os.Mkdir(dir, 0o700))
	e := newEnv(t, withKeyDir(dir))
	require.NoError(t, os.Remove(dir))
	c := connect(t, e.srv, client.WithElicitationHandler(answering(mcp.ElicitationResponseActionAccept, map[string]any{"confirm": true})))

	res := call(t, c, "create_api_key", ciKey)

	assert.True(t, res.IsError)
	require.Equal(t, 1, e.createdKeys())
	created := e.sb.CreatedKeys()[0]
	assert.Contains(t, textOf(res), created.KeyID, "says which key now exists")
	assert.Contains(t, textOf(res), "Revoke")
	assert.Contains(t, textOf(res), "key output directory (IOCLOUD_KEY_OUTPUT_DIR)", "names the setting to fix")
	raw, err := json.Marshal(res)
	require.NoError(t, err)
	assert.NotContains(t, string(raw), created.Value)
}

// unusedGuard is a KeyGuard for configurations refused before any call.
type unusedGuard struct{ tools.KeyGuard }

func TestNewServerRefusesAMissingKeyDir(t *testing.T) {
	t.Parallel()
	_, err := tools.NewServer(tools.Config{
		Catalog:      newEnv(t).client,
		Guard:        unusedGuard{},
		Confirm:      tools.ConfirmToken, // needs no approval page
		KeyOutputDir: filepath.Join(t.TempDir(), "missing"),
	})
	require.ErrorIs(t, err, tools.ErrConfig)
	assert.Contains(t, err.Error(), "key output directory", "refused for the directory, not for something else")
}
