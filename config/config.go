// Package config reads iocloud's configuration from the environment
// (go-envconfig). Only cmd/* import it; it turns strings into typed values
// and says, in one line naming the variable, what is wrong.
package config

// SKELETON (struct fields are the contract; validation is being filled in)

import (
	"context"
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

// Load fills target (a *MCP or *Slack) from l (envconfig.OsLookuper() in main,
// envconfig.MapLookuper in tests).
func Load(ctx context.Context, l envconfig.Lookuper, target any) error {
	return envconfig.ProcessWith(ctx, &envconfig.Config{Target: target, Lookuper: l})
}
