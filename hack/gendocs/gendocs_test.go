package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/iocloud-chatops/iocloud/config"
	"github.com/iocloud-chatops/iocloud/iocloud"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const root = "../.."

// The generated docs in docs/ are what their sources say now. This is the
// docs check of make test: a config variable, a description or a tool
// schema changed without `make docs` fails here.
func TestGeneratedDocsAreCurrent(t *testing.T) {
	t.Parallel()
	docs, err := generate(root)
	require.NoError(t, err)
	require.NoError(t, checkDocs(root, docs))
}

// The check bites: a planted stale copy (one line of a generated doc
// changed) and a missing doc are both reported by name, and a fresh copy
// passes.
func TestStaleDocIsCaught(t *testing.T) {
	t.Parallel()
	docs, err := generate(root)
	require.NoError(t, err)
	dir := t.TempDir()
	require.NoError(t, writeDocs(dir, docs))
	require.NoError(t, checkDocs(dir, docs))

	stale := filepath.Join(dir, "docs", "configuration.md")
	text, err := os.ReadFile(stale)
	require.NoError(t, err)
	planted := strings.Replace(string(text), "`15s`", "`30s`", 1) // IOCLOUD_TIMEOUT's default as it might have been
	require.NotEqual(t, string(text), planted)
	require.NoError(t, os.WriteFile(stale, []byte(planted), 0o600))
	require.NoError(t, os.Remove(filepath.Join(dir, "docs", "tools.md")))

	err = checkDocs(dir, docs)
	require.ErrorIs(t, err, errStale)
	assert.Contains(t, err.Error(), "docs/configuration.md differs from its sources")
	assert.Contains(t, err.Error(), "docs/tools.md is missing")
	assert.Contains(t, err.Error(), "make docs")
}

// The docs carry what their sources say: every variable with its default,
// every tool with its limits.
func TestDocsCarryTheirSources(t *testing.T) {
	t.Parallel()
	docs, err := generate(root)
	require.NoError(t, err)
	conf := string(docs["docs/configuration.md"])
	for _, v := range config.Variables() {
		assert.Contains(t, conf, "`"+v.Name+"`")
		if v.Default != "" {
			assert.Contains(t, conf, "`"+v.Default+"`", v.Name)
		}
	}
	assert.Contains(t, conf, "`IOCLOUD_MCP_ADDR` / `--addr`")

	tools := string(docs["docs/tools.md"])
	for _, name := range []string{"list_hardware", "list_available_replicas", "quote_price", "list_api_keys", "create_api_key", "revoke_api_key"} {
		assert.Contains(t, tools, "\n## "+name+"\n")
	}
	assert.Contains(t, tools, "| `description` | string | yes | 1 to "+strconv.Itoa(iocloud.MaxDescriptionLength)+" characters |")
	assert.Contains(t, tools, "| `gpus_per_container` | integer | no | 1 to "+strconv.Itoa(iocloud.MaxGPUsPerContainer)+"; default `1` |")
	assert.Contains(t, tools, "`hardware[].locations[].available_replicas`", "nested output fields are flattened")
	assert.Contains(t, tools, "| [`revoke_api_key`](#revoke_api_key) | Revoke an io.net API key | no | yes | no | yes |")
}
