package config

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every variable has a description and every description a variable, so
// docs/configuration.md can neither miss a setting nor keep a removed one.
func TestEveryVariableIsDescribed(t *testing.T) {
	t.Parallel()
	vars := Variables()
	require.NotEmpty(t, vars)
	seen := map[string]bool{}
	for _, v := range vars {
		assert.NotEmpty(t, v.Description, "%s: add it to descriptions in describe.go", v.Name)
		assert.False(t, seen[v.Name], "%s listed twice", v.Name)
		seen[v.Name] = true
	}
	for name := range descriptions {
		assert.True(t, seen[name], "descriptions names %s, which no config struct reads", name)
	}
	for name := range flags {
		assert.True(t, seen[name], "flags names %s, which no config struct reads", name)
	}
}

func TestVariablesSaysWhoReadsWhat(t *testing.T) {
	t.Parallel()
	byName := map[string]Variable{}
	for _, v := range Variables() {
		byName[v.Name] = v
	}
	assert.Equal(t, []string{"iocloud-mcp", "iocloud-slackbot"}, byName["IOCLOUD_TIMEOUT"].Binaries)
	assert.Equal(t, "15s", byName["IOCLOUD_TIMEOUT"].Default)
	assert.Equal(t, "duration", byName["IOCLOUD_TIMEOUT"].Type)
	assert.Equal(t, "all,read,write", byName["IOCLOUD_KEY_SCOPES"].Default, "a list default keeps its commas")
	assert.Equal(t, []string{"iocloud-mcp"}, byName["IOCLOUD_MCP_ADDR"].Binaries)
	assert.Equal(t, "--addr", byName["IOCLOUD_MCP_ADDR"].Flag)
	assert.Equal(t, []string{"iocloud-slackbot"}, byName["SLACK_BOT_TOKEN"].Binaries)
	assert.Equal(t, "secret", byName["SLACK_BOT_TOKEN"].Type)
	assert.Equal(t, "text", byName["IOCLOUD_LOG_LEVEL"].Type, "a level is written as a word, though an int underneath")
	assert.Equal(t, "number", byName["IOCLOUD_KEY_MAX_PENDING"].Type)
	vars := Variables()
	last := slices.IndexFunc(vars, func(v Variable) bool { return len(v.Binaries) == 1 })
	assert.Equal(t, "IOCLOUD_API_KEY", vars[0].Name, "shared settings come first, in struct order")
	assert.Positive(t, last)
}
