package config_test

import (
	"testing"

	"github.com/iocloud-chatops/iocloud/config"
	"github.com/sethvargo/go-envconfig"
	"github.com/stretchr/testify/assert"
)

func TestForeign(t *testing.T) {
	t.Parallel()
	env := envconfig.MapLookuper(map[string]string{
		"IOCLOUD_API_KEY":            "shared",      // both read it
		"IOCLOUD_SLACK_ADDR":         "not an addr", // Slack only, bad value: named, not checked
		"SLACK_SIGNING_SECRET":       "s",
		"IOCLOUD_SLACK_KEY_CREATORS": "", // empty counts as unset
		"IOCLOUD_MCP_TRANSPORT":      "carrier-pigeon",
		"IOCLOUD_KEY_OUTPUT_DIR":     "/nowhere",
		"SOMETHING_ELSE":             "x", // neither reads it
	})
	assert.Equal(t, []string{"IOCLOUD_SLACK_ADDR", "SLACK_SIGNING_SECRET"}, config.Foreign(env, &config.MCP{}, &config.Slack{}))
	assert.Equal(t, []string{"IOCLOUD_KEY_OUTPUT_DIR", "IOCLOUD_MCP_TRANSPORT"}, config.Foreign(env, &config.Slack{}, &config.MCP{}))
	assert.Empty(t, config.Foreign(env, &config.MCP{}, &config.MCP{}))
	assert.Empty(t, config.Foreign(envconfig.MapLookuper(nil), &config.MCP{}, &config.Slack{}))
}
