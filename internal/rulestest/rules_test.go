// Package rulestest checks that each rule a person can meet has one home:
// a constant in the core (or the guard) that the tool schemas, the Slack
// parser and help, the config check and the texts all read. Each row reads
// the constant and asserts every consumer uses exactly that value, so
// changing the constant changes them all, and a consumer that kept its own
// copy of the number fails here.
package rulestest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/iocloud-chatops/iocloud/config"
	"github.com/iocloud-chatops/iocloud/iocloud"
	"github.com/iocloud-chatops/iocloud/iocloud/guard"
	"github.com/iocloud-chatops/iocloud/iocloud/sandbox"
	"github.com/iocloud-chatops/iocloud/slackbot"
	"github.com/iocloud-chatops/iocloud/tools"
	"github.com/sethvargo/go-envconfig"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEachRuleHasOneHome(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	desc := strconv.Itoa(iocloud.MaxDescriptionLength)
	gpus := strconv.Itoa(iocloud.MaxGPUsPerContainer)
	scopes := iocloud.KnownScopes()
	secretLen := guard.MinConfirmSecretLength

	rules := []struct {
		rule     string
		consumer string
		check    func(t *testing.T)
	}{
		// Description length: iocloud.MaxDescriptionLength.
		{"description length", "policy accepts the limit, refuses one more", func(t *testing.T) {
			p := iocloud.DefaultPolicy()
			_, err := p.Check(iocloud.KeyAsk{Description: strings.Repeat("d", iocloud.MaxDescriptionLength)}, time.Now())
			require.NoError(t, err)
			_, err = p.Check(iocloud.KeyAsk{Description: strings.Repeat("d", iocloud.MaxDescriptionLength+1)}, time.Now())
			require.ErrorIs(t, err, iocloud.ErrPolicy)
			assert.Contains(t, iocloud.Advice(err), "1 to "+desc+" printable characters")
		}},
		{"description length", "create_api_key schema and description", func(t *testing.T) {
			prop := fx.property(t, "create_api_key", "description")
			assert.EqualValues(t, iocloud.MaxDescriptionLength, prop["maxLength"])
			assert.Contains(t, prop["description"], "1 to "+desc+" characters")
		}},
		{"description length", "Slack console form prompt", func(t *testing.T) {
			assert.Contains(t, fx.console(t, "/iocloud create-key"), "what the key is for, 1 to "+desc+" characters")
		}},

		// GPUs per container: iocloud.MaxGPUsPerContainer.
		{"GPUs per container", "tool schemas", func(t *testing.T) {
			for _, tool := range []string{"list_available_replicas", "quote_price"} {
				prop := fx.property(t, tool, "gpus_per_container")
				assert.EqualValues(t, iocloud.MaxGPUsPerContainer, prop["maximum"], tool)
				assert.Contains(t, prop["description"], "1 to "+gpus, tool)
			}
		}},
		{"GPUs per container", "Slack parser and its usage text", func(t *testing.T) {
			_, err := slackbot.ParseCommand("replicas --gpus " + gpus)
			require.NoError(t, err)
			_, err = slackbot.ParseCommand("replicas --gpus " + strconv.Itoa(iocloud.MaxGPUsPerContainer+1))
			var usage *slackbot.UsageError
			require.ErrorAs(t, err, &usage)
			assert.Contains(t, usage.Problem, "from 1 to "+gpus)
			_, err = slackbot.ParseCommand("price h100 --hours 1 --gpus " + strconv.Itoa(iocloud.MaxGPUsPerContainer+1))
			require.ErrorAs(t, err, &usage)
		}},
		{"GPUs per container", "client refuses more before calling io.net", func(t *testing.T) {
			_, err := fx.client.FindReplicas(t.Context(), iocloud.ReplicaSearch{Hardware: "7", GPUsPerContainer: iocloud.MaxGPUsPerContainer + 1})
			require.ErrorIs(t, err, iocloud.ErrValidation)
			assert.Contains(t, iocloud.Advice(err), "between 1 and "+gpus)
		}},

		// Confirmation window: iocloud.ConfirmationTTL (guard.TicketTTL).
		{"confirmation window", "guard.TicketTTL is the core's", func(t *testing.T) {
			assert.Equal(t, iocloud.ConfirmationTTL, guard.TicketTTL)
		}},
		{"confirmation window", "sealed tickets expire after it", func(t *testing.T) {
			now := time.Now()
			tickets, err := guard.NewTickets(nil, nil, guard.WithTicketClock(func() time.Time { return now }))
			require.NoError(t, err)
			_, sealed, err := tickets.Seal(context.Background(), guard.Ticket{Action: guard.ActionCreateAPIKey, Actor: "slack:T1:U1", Nonce: guard.NewNonce()})
			require.NoError(t, err)
			assert.WithinDuration(t, now.Add(iocloud.ConfirmationTTL), sealed.ExpiresAt, 0)
		}},
		{"confirmation window", "Slack preview says it in words", func(t *testing.T) {
			out := fx.console(t, "/iocloud create-key ci-bot")
			assert.Contains(t, out, "within "+iocloud.ConfirmationWindow()+" (until")
			assert.Equal(t, fmt.Sprintf("%d minutes", iocloud.ConfirmationTTL/time.Minute), iocloud.ConfirmationWindow())
		}},

		// Scopes: iocloud.KnownScopes().
		{"scopes", "create_api_key schema enum", func(t *testing.T) {
			items, _ := fx.property(t, "create_api_key", "scopes")["items"].(map[string]any)
			assert.Equal(t, toAny(scopes), items["enum"])
		}},
		{"scopes", "config default and check", func(t *testing.T) {
			assert.Equal(t, "default="+strings.Join(scopes, ","), envDefault(t, config.Core{}, "KeyScopes"))
			for _, s := range scopes {
				require.NoError(t, loadCore(t, map[string]string{"IOCLOUD_KEY_SCOPES": s}).Validate(true), s)
			}
			err := loadCore(t, map[string]string{"IOCLOUD_KEY_SCOPES": "admin"}).Validate(true)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "use one or more of "+strings.Join(scopes, ", "))
			assert.Equal(t, scopes, loadCore(t, nil).Policy().AllowedScopes)
		}},
		{"scopes", "Slack help and form", func(t *testing.T) {
			out := fx.console(t, "/iocloud help", "/iocloud create-key", "ci-bot", "", "cancel")
			assert.Contains(t, out, "[--scopes "+strings.Join(scopes, "|")+"]")
			assert.Contains(t, out, "Scopes ("+strings.Join(scopes, ", ")+";")
		}},

		// Project: iocloud.ProjectIOCloud.
		{"default project", "config policy and core default", func(t *testing.T) {
			assert.Equal(t, iocloud.ProjectIOCloud, loadCore(t, nil).Policy().DefaultProject)
			assert.Equal(t, iocloud.ProjectIOCloud, iocloud.DefaultPolicy().DefaultProject)
		}},
		{"default project", "create_api_key schema description", func(t *testing.T) {
			assert.Contains(t, fx.property(t, "create_api_key", "project")["description"], strconv.Quote(iocloud.ProjectIOCloud))
		}},

		// Confirm secret: guard.MinConfirmSecretLength.
		{"confirm secret length", "tickets refuse one byte less", func(t *testing.T) {
			_, err := guard.NewTickets(bytes.Repeat([]byte("s"), secretLen-1), nil)
			require.ErrorIs(t, err, guard.ErrShortSecret)
			assert.Contains(t, err.Error(), strconv.Itoa(secretLen))
			_, err = guard.NewTickets(bytes.Repeat([]byte("s"), secretLen), nil)
			require.NoError(t, err)
		}},
		{"confirm secret length", "config refuses one byte less", func(t *testing.T) {
			env := map[string]string{"IOCLOUD_STATE": "file:" + t.TempDir() + "/state.db"}
			env["IOCLOUD_CONFIRM_SECRET"] = strings.Repeat("s", secretLen-1)
			err := loadCore(t, env).Validate(true)
			var cerr *config.Error
			require.ErrorAs(t, err, &cerr)
			assert.Equal(t, "IOCLOUD_CONFIRM_SECRET", cerr.Var)
			assert.Contains(t, cerr.Problem, "shorter than "+strconv.Itoa(secretLen))
			env["IOCLOUD_CONFIRM_SECRET"] = strings.Repeat("s", secretLen)
			require.NoError(t, loadCore(t, env).Validate(true))
		}},

		// Confirmation modes: tools.ConfirmModes().
		{"confirm modes", "config accepts exactly the tools' modes", func(t *testing.T) {
			for _, mode := range tools.ConfirmModes() {
				_, err := tools.ParseConfirmMode(mode)
				require.NoError(t, err, mode)
				m := config.MCP{Core: loadCore(t, nil), Transport: "stdio", Addr: "127.0.0.1:8080", ApprovalAddr: "127.0.0.1:0", Confirm: mode}
				require.NoError(t, m.Validate(true), mode)
			}
			m := config.MCP{Core: loadCore(t, nil), Transport: "stdio", Addr: "127.0.0.1:8080", ApprovalAddr: "127.0.0.1:0", Confirm: "always"}
			err := m.Validate(true)
			require.Error(t, err)
			for _, mode := range tools.ConfirmModes() {
				assert.Contains(t, err.Error(), mode)
			}
		}},

		// Per-person limits: guard.DefaultMaxPending, guard.DefaultMaxPerDay.
		{"per-person limits", "config defaults", func(t *testing.T) {
			assert.Equal(t, "default="+strconv.Itoa(guard.DefaultMaxPending), envDefault(t, config.Core{}, "KeyMaxPending"))
			assert.Equal(t, "default="+strconv.Itoa(guard.DefaultMaxPerDay), envDefault(t, config.Core{}, "KeyMaxPerDay"))
		}},
	}
	for _, r := range rules {
		t.Run(r.rule+"/"+r.consumer, r.check)
	}
}

// fixture is the sandbox, a client and the two frontends built on them.
type fixture struct {
	client *iocloud.Client
	guard  *guard.Guard
	tools  map[string]map[string]any // tool name -> input schema properties
	sb     *sandbox.Server
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	sb, err := sandbox.Start()
	require.NoError(t, err)
	t.Cleanup(sb.Close)
	logger := slog.New(slog.DiscardHandler)
	client, err := iocloud.New(iocloud.WithBaseURL(sb.URL()), iocloud.WithAPIKey(iocloud.Secret(sb.APIKey())),
		iocloud.WithJWT(iocloud.Secret(sb.JWT())), iocloud.WithSandbox(true), iocloud.WithLogger(logger))
	require.NoError(t, err)
	g := guard.New(guard.Config{Client: client, Logger: logger, Sandbox: true})
	srv, err := tools.NewServer(tools.Config{Catalog: client, Guard: g, Revoker: g, Confirm: tools.ConfirmToken, Sandbox: true, Logger: logger})
	require.NoError(t, err)
	fx := &fixture{client: client, guard: g, tools: map[string]map[string]any{}, sb: sb}
	for name, st := range srv.ListTools() {
		raw, err := json.Marshal(st.Tool)
		require.NoError(t, err)
		var decoded struct {
			InputSchema struct {
				Properties map[string]any `json:"properties"`
			} `json:"inputSchema"`
		}
		require.NoError(t, json.Unmarshal(raw, &decoded))
		fx.tools[name] = decoded.InputSchema.Properties
	}
	return fx
}

// property is one input property of a tool's schema, as clients see it.
func (fx *fixture) property(t *testing.T, tool, name string) map[string]any {
	t.Helper()
	props, ok := fx.tools[tool]
	require.True(t, ok, "no tool %s", tool)
	prop, ok := props[name].(map[string]any)
	require.True(t, ok, "%s has no property %s", tool, name)
	return prop
}

// console types lines into the Slack bot's console (as the key creator
// U-CONSOLE) and returns what it printed. Unanswered form prompts are left
// open; "quit" ends the session.
func (fx *fixture) console(t *testing.T, lines ...string) string {
	t.Helper()
	bot, err := slackbot.New(slackbot.Config{Reader: fx.client, Guard: fx.guard, Sandbox: true,
		KeyCreators: []string{"U-CONSOLE"}, Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	var out bytes.Buffer
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	require.NoError(t, bot.RunConsole(ctx, strings.NewReader(strings.Join(append(lines, "quit"), "\n")), &out))
	return out.String()
}

// loadCore reads config.Core from env alone, as the binaries do.
func loadCore(t *testing.T, env map[string]string) config.Core {
	t.Helper()
	var c config.Core
	require.NoError(t, config.Load(t.Context(), envconfig.MapLookuper(env), &c))
	return c
}

// envDefault is the "default=…" part of a config field's env tag.
func envDefault(t *testing.T, v any, field string) string {
	t.Helper()
	f, ok := reflect.TypeOf(v).FieldByName(field)
	require.True(t, ok, field)
	tag := f.Tag.Get("env")
	if i := strings.Index(tag, "default="); i >= 0 {
		return tag[i:] // the default is the tag's last option
	}
	return ""
}

func toAny(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}
