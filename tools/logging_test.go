package tools_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/iocloud-chatops/iocloud/tools"
	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// logCollector keeps every notifications/message a client receives.
type logCollector struct {
	mu   sync.Mutex
	msgs []mcp.JSONRPCNotification
}

func (l *logCollector) on(n mcp.JSONRPCNotification) {
	if n.Method != "notifications/message" {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.msgs = append(l.msgs, n)
}

func (l *logCollector) take() []mcp.JSONRPCNotification {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.msgs
	l.msgs = nil
	return out
}

func levels(msgs []mcp.JSONRPCNotification) []string {
	out := []string{}
	for _, m := range msgs {
		// In process the fields keep their Go types (mcp.LoggingLevel).
		out = append(out, fmt.Sprint(m.Params.AdditionalFields["level"]))
	}
	return out
}

func setLevel(t *testing.T, c *client.Client, level mcp.LoggingLevel) error {
	t.Helper()
	var req mcp.SetLevelRequest
	req.Params.Level = level
	// Deprecated for 2026-07-28 (SEP-2577), but what 2025-era clients use.
	return c.SetLevel(context.Background(), req) //nolint:staticcheck // testing the 2025-era method on purpose
}

// settle gives in-process notifications time to arrive.
func settle() { time.Sleep(100 * time.Millisecond) }

func TestToolCallsLogAtTheClientsLevel(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	logs := &logCollector{}
	c := connect(t, e.srv, client.WithProtocolVersion(mcp.ProtocolVersion20250618))
	c.OnNotification(logs.on)

	call(t, c, "list_hardware", nil)
	settle()
	assert.Empty(t, logs.take(), "nothing before the client asks (mcp-go's default level is error)")

	require.NoError(t, setLevel(t, c, mcp.LoggingLevelDebug))
	call(t, c, "list_hardware", nil)
	settle()
	got := logs.take()
	assert.Equal(t, []string{"debug", "info"}, levels(got))
	require.Len(t, got, 2)
	data, _ := got[1].Params.AdditionalFields["data"].(map[string]any)
	assert.Equal(t, "list_hardware", data["tool"])
	assert.Equal(t, "ok", data["outcome"])
	assert.Equal(t, "iocloud", fmt.Sprint(got[1].Params.AdditionalFields["logger"]))

	require.NoError(t, setLevel(t, c, mcp.LoggingLevelWarning))
	call(t, c, "list_hardware", nil)
	res := call(t, c, "list_available_replicas", map[string]any{"hardware": "H999"})
	require.True(t, res.IsError)
	settle()
	got = logs.take()
	assert.Equal(t, []string{"warning"}, levels(got), "only the failed call, at warning")

	err := setLevel(t, c, mcp.LoggingLevel("loud"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "invalid logging level")
}

// A whole key creation at debug level sends nothing secret: not the new
// key, not the confirmation token, not the credentials, not even the
// description (arguments are never logged).
func TestLogMessagesCarryNoSecrets(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withMode(tools.ConfirmToken))
	logs := &logCollector{}
	c := connect(t, e.srv, client.WithProtocolVersion(mcp.ProtocolVersion20250618))
	c.OnNotification(logs.on)
	require.NoError(t, setLevel(t, c, mcp.LoggingLevelDebug))

	first := call(t, c, "create_api_key", ciKey)
	token, _ := structuredOf(t, first)["confirmation_token"].(string)
	require.NotEmpty(t, token)
	second := call(t, c, "create_api_key", withToken(ciKey, token))
	require.False(t, second.IsError, textOf(second))
	secret, _ := structuredOf(t, second)["api_key"].(string)
	require.NotEmpty(t, secret)
	settle()

	got := logs.take()
	require.Len(t, got, 4, "debug and info for each call")
	raw, err := json.Marshal(got)
	require.NoError(t, err)
	for what, s := range map[string]string{
		"the new key": secret, "the confirmation token": token, "the JWT": e.sb.JWT(),
		"the API key": e.sb.APIKey(), "the description": ciKey["description"].(string),
	} {
		assert.NotContainsf(t, string(raw), s, "%s leaked into notifications/message", what)
	}
	assert.Contains(t, string(raw), "create_api_key answered in")
}
