package slackbot_test

import (
	"bytes"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/iocloud-chatops/iocloud/internal/testutil"
	"github.com/iocloud-chatops/iocloud/iocloud/sandbox"
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

// create → keys → revoke at the console: the key id is read off the keys
// answer, as a person would copy it, and confirm presses the revocation's
// buttons, not create-key's.
func TestConsoleCreateListRevoke(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withCreators("U-CONSOLE", "U0SOMEONE"))
	in, typed := io.Pipe()
	out := &testutil.SyncBuffer{}
	done := make(chan error, 1)
	go func() { done <- e.bot.RunConsole(t.Context(), in, out) }()
	typeLines := func(lines ...string) {
		t.Helper()
		_, err := io.WriteString(typed, strings.Join(lines, "\n")+"\n")
		require.NoError(t, err)
	}

	typeLines("create-key ci-bot --expires 30d", "confirm", "keys")
	require.Eventually(t, func() bool { return strings.Contains(out.String(), "io.net API keys: 1 active") }, wait, 10*time.Millisecond)
	require.Len(t, e.sb.CreatedKeys(), 1)
	key := e.sb.CreatedKeys()[0]
	listed := regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`).FindAllString(out.String()[strings.Index(out.String(), "io.net API keys:"):], -1)
	require.Equal(t, []string{key.KeyID}, listed, "keys shows the id to revoke")

	typeLines(
		"revoke "+listed[0],
		"user U0SOMEONE",
		"confirm", // a key creator, but not the requester
		"user U-CONSOLE",
		"confirm",
		"confirm", // already used
		"keys --all",
		"quit",
	)
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(wait):
		require.FailNow(t, "the console did not stop")
	}
	_ = typed.Close()
	text := out.String()
	t.Log(text)
	preview := text[strings.Index(text, "Revoke this io.net API key?"):]
	assert.Contains(t, preview, "Description: ci-bot\n", "the preview names the key")
	assert.Contains(t, preview, "Key ID: "+key.KeyID)
	assert.Contains(t, preview, "(in 30 days)")
	for _, want := range []string{
		"Only the person who asked to revoke this key",
		"[replaces the preview]\nio.net API key revoked",
		"Nothing was revoked.\nThis request was already confirmed or cancelled",
		"io.net API keys: 0 active",
	} {
		assert.Contains(t, text, want)
	}
	assert.Equal(t, 1, e.sb.Requests(sandbox.RouteRevokeKey), "one DELETE")
	assert.True(t, e.sb.CreatedKeys()[0].Revoked)
	assert.Equal(t, 1, strings.Count(text, key.Value), "the secret was printed once, when it was created")
	assert.Contains(t, e.audit.String(), `"via":"console"`)
	e.requireNoSecrets(t)
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
