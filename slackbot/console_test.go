package slackbot_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestConsoleCreatesAKeyAfterConfirm(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withCreators("U-CONSOLE", "U0SOMEONE"))
	in := strings.Join([]string{
		"/iocloud help",
		"hardware",
		`/iocloud replicas "H100 80GB HBM3" --gpus 2`,
		"confirm", // nothing to press yet
		"/iocloud create-key ci-bot --expires 30d --scopes read",
		"user U0OUTSIDER",
		"confirm", // not a key creator
		"user U0SOMEONE",
		"confirm", // a key creator, but not the requester
		"user U-CONSOLE",
		"confirm",
		"confirm", // already used
		"quit",
		"hardware", // never read
	}, "\n")
	var out bytes.Buffer
	require.NoError(t, e.bot.RunConsole(t.Context(), strings.NewReader(in), &out))
	text := out.String()
	t.Log(text)

	require.Len(t, e.sb.CreatedKeys(), 1)
	key := e.sb.CreatedKeys()[0]
	assert.Equal(t, "ci-bot", key.Description)
	assert.Equal(t, []string{"read"}, key.Scopes)
	assert.Equal(t, 1, strings.Count(text, key.Value), "the secret is printed once, to the requester")
	for _, want := range []string{
		"/iocloud create-key <description>", // help
		"H100 80GB PCIe",                    // hardware
		"Containers with 2 GPUs",            // replicas
		"There are no buttons to press yet",
		"Create this io.net API key?",
		"You may not create io.net API keys",
		"Only the person who asked",
		"[replaces the preview]",
		"io.net API key created",
		"already confirmed or cancelled",
		"Sandbox data",
	} {
		assert.Contains(t, text, want)
	}
	assert.Equal(t, 1, strings.Count(text, "io.net GPU types:"), "nothing runs after quit")
	e.requireNoSecrets(t)
}

func TestConsoleCancel(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withCreators("U-CONSOLE"))
	var out bytes.Buffer
	require.NoError(t, e.bot.RunConsole(t.Context(), strings.NewReader("create-key temp\ncancel\nconfirm\n"), &out))
	assert.Contains(t, out.String(), "Cancelled, nothing was created.")
	assert.Contains(t, out.String(), "already confirmed or cancelled")
	assert.Empty(t, e.sb.CreatedKeys())
}

// A blank line is nothing at the prompt (it once crashed the console), and
// within the form it is the documented "empty for the default".
func TestConsoleBlankLines(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withCreators("U-CONSOLE"))
	in := strings.Join([]string{
		"",
		"   ",
		"/iocloud create-key",
		"ci bot",
		"", // expires: the default
		"", // scopes: the default
		"confirm",
		"quit",
	}, "\n")
	var out bytes.Buffer
	require.NoError(t, e.bot.RunConsole(t.Context(), strings.NewReader(in), &out))
	t.Log(out.String())
	require.Len(t, e.sb.CreatedKeys(), 1)
	assert.Equal(t, "ci bot", e.sb.CreatedKeys()[0].Description)
}
