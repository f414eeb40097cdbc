// Package config reads iocloud's configuration from the environment
// (go-envconfig). Only cmd/* import it; it turns strings into typed values
// and says, in one line naming the variable, what is wrong.
package config

import (
	"context"
	"errors"
	"log/slog"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/iocloud-chatops/iocloud/iocloud"
	"github.com/sethvargo/go-envconfig"
)

// Secret is the core's redacting type, so a value read here can be handed to
// the client without being revealed on the way.
type Secret = iocloud.Secret

// Core is what both servers need to reach io.net and guard key creation.
type Core struct {
	APIKey        Secret        `env:"IOCLOUD_API_KEY"`
	JWT           Secret        `env:"IOCLOUD_JWT"`
	BaseURL       string        `env:"IOCLOUD_BASE_URL, default=https://api.io.solutions"`
	Timeout       time.Duration `env:"IOCLOUD_TIMEOUT, default=15s"`
	CacheTTL      time.Duration `env:"IOCLOUD_CACHE_TTL, default=10s"`
	KeyDefaultTTL time.Duration `env:"IOCLOUD_KEY_DEFAULT_TTL, default=720h"`
	KeyMaxTTL     time.Duration `env:"IOCLOUD_KEY_MAX_TTL, default=4320h"`
	KeyScopes     []string      `env:"IOCLOUD_KEY_SCOPES, default=all,read,write"`
	AuditLog      string        `env:"IOCLOUD_AUDIT_LOG"`
	ConfirmSecret Secret        `env:"IOCLOUD_CONFIRM_SECRET"`
	// State names the guard's store; a Secret because a Redis URL may
	// carry a password.
	State         Secret `env:"IOCLOUD_STATE, default=memory"`
	KeyMaxPending int    `env:"IOCLOUD_KEY_MAX_PENDING, default=5"`
	KeyMaxPerDay  int    `env:"IOCLOUD_KEY_MAX_PER_DAY, default=20"`
	// LogLevel is the operator log's level: debug shows a line per MCP
	// request and per io.net request; info shows a summary a minute.
	LogLevel slog.Level `env:"IOCLOUD_LOG_LEVEL, default=info"`
}

// MCP configures cmd/iocloud-mcp. Flags (--transport, --addr, --read-only)
// override the environment before Validate.
type MCP struct {
	Core
	Transport    string `env:"IOCLOUD_MCP_TRANSPORT, default=stdio"`
	Addr         string `env:"IOCLOUD_MCP_ADDR, default=127.0.0.1:8080"`
	ReadOnly     bool   `env:"IOCLOUD_MCP_READ_ONLY, default=false"`
	AuthToken    Secret `env:"IOCLOUD_MCP_AUTH_TOKEN"`
	Confirm      string `env:"IOCLOUD_MCP_CONFIRM, default=auto"`
	KeyOutputDir string `env:"IOCLOUD_KEY_OUTPUT_DIR"`
	// ApprovalAddr is the approval page's listener under stdio (under HTTP
	// the page is served on Addr).
	ApprovalAddr string `env:"IOCLOUD_MCP_APPROVAL_ADDR, default=127.0.0.1:0"`
	// Identity over HTTP (see identity.go).
	PublicURL      string   `env:"IOCLOUD_MCP_PUBLIC_URL"`
	OAuthIssuer    string   `env:"IOCLOUD_MCP_OAUTH_ISSUER"`
	OAuthAudience  string   `env:"IOCLOUD_MCP_OAUTH_AUDIENCE"`
	TokensFile     string   `env:"IOCLOUD_MCP_TOKENS_FILE"`
	KeyCreators    []string `env:"IOCLOUD_MCP_KEY_CREATORS"`
	AllowedOrigins []string `env:"IOCLOUD_MCP_ALLOWED_ORIGINS"`
	// ValidateOutput checks every tool answer against its outputSchema
	// (a debug switch; the tests always do).
	ValidateOutput bool `env:"IOCLOUD_MCP_VALIDATE_OUTPUT, default=false"`
}

// Slack configures cmd/iocloud-slackbot.
type Slack struct {
	Core
	SigningSecret   Secret   `env:"SLACK_SIGNING_SECRET"`
	BotToken        Secret   `env:"SLACK_BOT_TOKEN"`
	AppToken        Secret   `env:"SLACK_APP_TOKEN"`
	Addr            string   `env:"IOCLOUD_SLACK_ADDR, default=127.0.0.1:3000"`
	KeyCreators     []string `env:"IOCLOUD_SLACK_KEY_CREATORS"`
	AllowedTeams    []string `env:"IOCLOUD_SLACK_ALLOWED_TEAMS"`
	AllowedChannels []string `env:"IOCLOUD_SLACK_ALLOWED_CHANNELS"`
	AuditChannel    string   `env:"IOCLOUD_SLACK_AUDIT_CHANNEL"`
	APIURL          string   `env:"IOCLOUD_SLACK_API_URL"`
}

// Load fills target (a *MCP, *Slack or *Core) from l (envconfig.OsLookuper()
// in main, envconfig.MapLookuper in tests).
//
// A variable set to the empty string counts as unset, so its default applies
// (container tooling often exports FOO= for "not configured"). List values
// are split on commas, trimmed, and empty items dropped. A value that does not
// parse comes back as a one-line *Error naming the variable; the value itself
// is quoted only when it cannot be a secret.
func Load(ctx context.Context, l envconfig.Lookuper, target any) error {
	vars, err := variablesOf(target)
	if err != nil {
		return err
	}
	lookuper := emptyIsUnset{l}
	var decoding decodingVar
	err = envconfig.ProcessWith(ctx, &envconfig.Config{
		Target:   target,
		Lookuper: lookuper,
		Mutators: []envconfig.Mutator{decoding.mutator()},
	})
	if err != nil {
		return explainDecodeError(err, decoding, vars, lookuper)
	}
	trimLists(reflect.ValueOf(target).Elem())
	return nil
}

// emptyIsUnset makes FOO= behave like an unset FOO.
type emptyIsUnset struct{ envconfig.Lookuper }

func (l emptyIsUnset) Lookup(key string) (string, bool) {
	v, ok := l.Lookuper.Lookup(key)
	if v == "" {
		return "", false
	}
	return v, ok
}

// decodingVar remembers which variable go-envconfig is converting. Its
// mutators run after the lookup and right before the type conversion, and
// processing stops at the first failure, so when ProcessWith fails the last
// variable seen here is the one whose value did not parse. go-envconfig's own
// errors name Go field paths ("Core: Timeout: ...") and may quote the value;
// neither is fit for an operator.
type decodingVar struct {
	key   string
	value string
}

func (d *decodingVar) mutator() envconfig.MutatorFunc {
	return func(_ context.Context, originalKey, _, _, currentValue string) (string, bool, error) {
		d.key, d.value = originalKey, currentValue
		return currentValue, false, nil
	}
}

// variable is one env-tagged field: its name and Go type.
type variable struct {
	name string
	typ  reflect.Type
}

// variablesOf lists target's env-tagged fields, embedded structs included.
func variablesOf(target any) ([]variable, error) {
	v := reflect.ValueOf(target)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return nil, errors.New("config: Load needs a pointer to a config struct")
	}
	var out []variable
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for f := range t.Fields() {
			name := envName(f)
			if name == "" && f.Anonymous && f.Type.Kind() == reflect.Struct {
				walk(f.Type)
				continue
			}
			if name != "" {
				out = append(out, variable{name: name, typ: f.Type})
			}
		}
	}
	walk(v.Elem().Type())
	return out, nil
}

// envName is the variable name in a field's env tag ("" when untagged).
func envName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("env"), ",")
	return strings.TrimSpace(name)
}

// trimLists trims every item of every []string field and drops empty ones,
// so "U1, U2," means [U1 U2] and "," means nothing (nil).
func trimLists(v reflect.Value) {
	for _, f := range v.Fields() {
		switch {
		case f.Kind() == reflect.Struct:
			trimLists(f)
		case f.Kind() == reflect.Slice && f.Type().Elem().Kind() == reflect.String && f.CanSet():
			if f.Len() == 0 {
				continue
			}
			items := make([]string, 0, f.Len())
			for j := range f.Len() {
				if s := strings.TrimSpace(f.Index(j).String()); s != "" {
					items = append(items, s)
				}
			}
			if len(items) == 0 {
				items = nil
			}
			f.Set(reflect.ValueOf(items).Convert(f.Type()))
		}
	}
}

// Policy is the key policy these settings describe.
func (c Core) Policy() iocloud.Policy {
	return iocloud.Policy{
		DefaultTTL:     c.KeyDefaultTTL,
		MaxTTL:         c.KeyMaxTTL,
		AllowedScopes:  slices.Clone(c.KeyScopes),
		DefaultProject: iocloud.ProjectIOCloud, // IO Cloud keys only work for this project
	}
}
