package tools_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/iocloud-chatops/iocloud/tools"
	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func getPrompt(c *client.Client, name string, args map[string]string) (string, error) {
	var req mcp.GetPromptRequest
	req.Params.Name = name
	req.Params.Arguments = args
	res, err := c.GetPrompt(context.Background(), req)
	if err != nil {
		return "", err
	}
	var parts []string
	for _, m := range res.Messages {
		if tc, ok := m.Content.(mcp.TextContent); ok {
			parts = append(parts, tc.Text)
		}
	}
	return strings.Join(parts, "\n"), nil
}

// toolLike finds what reads as a tool name: a verb, an underscore, more
// words (list_hardware, create_api_key). Argument names such as
// gpus_per_container or key_id do not start with a verb.
var toolLike = regexp.MustCompile(`\b(?:list|create|revoke|quote|get|delete|update|set|find|read)_[a-z0-9_]+\b`)

// Every tool a prompt's messages name is in tools/list for that very
// session: with all tools, and under --read-only where the key tools are
// absent. The prompts are built from what is registered, so this holds
// whatever tools a build adds.
func TestPromptsNameOnlyToolsInToolsList(t *testing.T) {
	t.Parallel()
	cases := map[string][]envOption{
		"all tools":          nil,
		"read-only":          {readOnly()},
		"not a key creator":  {withKeyCreators("token:carol")}, // the in-process caller is local
		"token confirmation": {withMode(tools.ConfirmToken)},
	}
	for name, opts := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, opts...)
			c := connect(t, e.srv)
			listed := map[string]bool{}
			for _, n := range toolNames(t, c) {
				listed[n] = true
			}

			prompts, err := c.ListPrompts(context.Background(), mcp.ListPromptsRequest{})
			require.NoError(t, err)
			require.Len(t, prompts.Prompts, 2)
			for _, p := range prompts.Prompts {
				assert.NotEmpty(t, p.Description, p.Name)
			}

			gpus, err := getPrompt(c, "find-gpus", map[string]string{"hardware": "H200", "gpus": "2", "country": "DE"})
			require.NoError(t, err)
			rotate, err := getPrompt(c, "rotate-key", map[string]string{"description": "ci runner"})
			require.NoError(t, err)
			for prompt, text := range map[string]string{"find-gpus": gpus, "rotate-key": rotate} {
				for _, tool := range toolLike.FindAllString(text, -1) {
					assert.Truef(t, listed[tool], "%s names %s, which is not in tools/list %v:\n%s", prompt, tool, listed, text)
				}
			}
			// The check above is not vacuous: the read tools are always named.
			assert.Contains(t, gpus, "list_hardware")
			assert.Contains(t, gpus, "list_available_replicas")
			if listed["create_api_key"] {
				assert.Contains(t, rotate, "create_api_key")
				assert.Contains(t, rotate, "never approve it for me")
			} else {
				assert.Contains(t, rotate, "cannot create the new key")
			}
			if listed["revoke_api_key"] {
				assert.Contains(t, rotate, "revoke_api_key")
			} else {
				assert.Contains(t, rotate, "revoke the old key in io.net's console")
			}
		})
	}
}

func TestFindGPUsCarriesItsArguments(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := connect(t, e.srv)

	text, err := getPrompt(c, "find-gpus", map[string]string{"hardware": "H200 141GB HBM3e", "gpus": "4", "country": "Germany"})
	require.NoError(t, err)
	assert.Contains(t, text, `GPU type "H200 141GB HBM3e"`)
	assert.Contains(t, text, "gpus_per_container 4")
	assert.Contains(t, text, `country "Germany"`)
	assert.Contains(t, text, "sandbox data")
	assert.Less(t, strings.Index(text, "list_hardware"), strings.Index(text, "list_available_replicas"), "hardware first, then replicas")

	text, err = getPrompt(c, "find-gpus", nil)
	require.NoError(t, err)
	assert.Contains(t, text, "any GPU type with free GPUs")
	assert.Contains(t, text, "gpus_per_container 1")
	assert.NotContains(t, text, "country")
}

func TestPromptArgumentsAreChecked(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := connect(t, e.srv)
	for _, tc := range []struct {
		prompt string
		args   map[string]string
		want   string
	}{
		{"find-gpus", map[string]string{"gpus": "9"}, "send a whole number from 1 to 8"},
		{"find-gpus", map[string]string{"gpus": "two"}, "send a whole number from 1 to 8"},
		{"find-gpus", map[string]string{"region": "EU"}, `no argument "region"; it takes hardware, gpus, country`},
		{"rotate-key", nil, "send description"},
		{"rotate-key", map[string]string{"description": strings.Repeat("x", 101)}, "1-100 characters"},
		{"no-such-prompt", nil, "not found"},
	} {
		_, err := getPrompt(c, tc.prompt, tc.args)
		require.Errorf(t, err, "%s %v", tc.prompt, tc.args)
		assert.Contains(t, err.Error(), tc.want)
	}
}
