package tools_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/iocloud-chatops/iocloud/tools"
)

// A refusal says what really happened: another caller, a ticket from an
// earlier run of the server, an expired request. None of them blames
// "another person" when the cause is a restart, and none creates anything.
func TestRefusalsNameTheRealCause(t *testing.T) {
	t.Parallel()
	for _, mode := range []tools.ConfirmMode{tools.ConfirmToken, tools.ConfirmAuto} {
		t.Run(string(mode), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, withMode(mode))
			first := callAs(t, e.srv, &alice, "create_api_key", ciKey)
			token, _ := structuredOf(t, first)["confirmation_token"].(string)
			require.NotEmpty(t, token, textOf(first))

			res := callAs(t, e.srv, &bob, "create_api_key", withToken(ciKey, token))
			assert.True(t, res.IsError)
			assert.Contains(t, textOf(res), "issued to another caller")
			assert.Contains(t, textOf(res), "token:bob", "names who this request comes from")
			assert.Contains(t, textOf(res), "not by session or connection")

			restarted := newEnv(t, withMode(mode), withTicketSecret(strings.Repeat("r", 32)))
			res = callAs(t, restarted.srv, &alice, "create_api_key", withToken(ciKey, token))
			assert.True(t, res.IsError)
			assert.Contains(t, textOf(res), "earlier run of this server")
			assert.Contains(t, textOf(res), "over stdio every client start is a new server process")
			assert.Contains(t, textOf(res), "confirmation secret (IOCLOUD_CONFIRM_SECRET) and a durable state store (IOCLOUD_STATE)")
			assert.NotContains(t, textOf(res), "another caller")
			assert.NotContains(t, strings.ToLower(textOf(res)), "person")

			e.clock.Advance(11 * time.Minute)
			res = callAs(t, e.srv, &alice, "create_api_key", withToken(ciKey, token))
			assert.True(t, res.IsError)
			assert.Contains(t, textOf(res), "expired")
			assert.NotContains(t, textOf(res), "another caller")

			assert.Equal(t, 0, e.createdKeys()+restarted.createdKeys())
		})
	}
}

func TestRevokeRefusalsNameTheRealCause(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withMode(tools.ConfirmToken))
	key := e.existingKey(t)
	args := map[string]any{"key_id": key.KeyID}
	token, _ := structuredOf(t, callAs(t, e.srv, &alice, "revoke_api_key", args))["confirmation_token"].(string)
	require.NotEmpty(t, token)
	res := callAs(t, e.srv, &bob, "revoke_api_key", withToken(args, token))
	assert.True(t, res.IsError)
	assert.Contains(t, textOf(res), "Not revoked: this confirmation_token was issued to another caller")
	restarted := newEnv(t, withMode(tools.ConfirmToken), withTicketSecret(strings.Repeat("r", 32)))
	res = callAs(t, restarted.srv, &alice, "revoke_api_key", withToken(args, token))
	assert.Contains(t, textOf(res), "Not revoked: this confirmation_token was issued by an earlier run of this server")
	assert.Equal(t, 0, e.revokes())
}
