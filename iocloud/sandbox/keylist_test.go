package sandbox_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/iocloud-chatops/iocloud/internal/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/iocloud-chatops/iocloud/iocloud/sandbox"
)

type listBody struct {
	Keys []map[string]any `json:"keys"`
}

func listKeys(t *testing.T, s *sandbox.Server) (answer, listBody) {
	t.Helper()
	a := mustSend(t, http.MethodGet, s.URL()+sandbox.PathListKeys, "", "token", s.JWT())
	var body listBody
	if a.Status == http.StatusOK {
		a.decode(t, &body)
	}
	return a, body
}

func revoke(t *testing.T, s *sandbox.Server, id string) answer {
	t.Helper()
	return mustSend(t, http.MethodDelete, s.URL()+sandbox.KeyPath(id), "", "token", s.JWT())
}

func TestListAndRevokeKeys(t *testing.T) {
	c := testutil.NewClock(t0)
	s := start(t, sandbox.WithClock(c.Now))

	a, _ := listKeys(t, s)
	require.Equal(t, http.StatusOK, a.Status, a.Body)
	assert.JSONEq(t, `{"keys":[]}`, a.Body, "a fresh sandbox has no keys")

	short := createKey(t, s, `{"description":"short","expires_at":"2026-11-26T10:00:00Z","project":"io-cloud","scopes":["read"]}`)
	require.Equal(t, http.StatusCreated, short.Status, short.Body)
	long := createKey(t, s, `{"description":"long <!channel>","expires_at":"2027-11-25T10:00:00Z","project":"io-cloud","scopes":["all"]}`)
	require.Equal(t, http.StatusCreated, long.Status, long.Body)
	var shortKey, longKey createdBody
	short.decode(t, &shortKey)
	long.decode(t, &longKey)
	c.Advance(48 * time.Hour) // "short" has expired

	a, body := listKeys(t, s)
	require.Len(t, body.Keys, 2)
	for _, k := range body.Keys {
		for _, f := range []string{"key_id", "user_id", "user_email", "description", "display", "created_at", "expires_at", "project", "scopes", "is_expired"} {
			assert.Contains(t, k, f)
		}
		assert.NotContains(t, k, "value", "the list never carries a secret")
	}
	for _, secret := range []string{shortKey.Value, longKey.Value} {
		assert.NotContains(t, a.Body, secret)
	}
	assert.Equal(t, shortKey.Key.KeyID, body.Keys[0]["key_id"], "oldest first")
	assert.Equal(t, true, body.Keys[0]["is_expired"])
	assert.Equal(t, false, body.Keys[1]["is_expired"])
	assert.Equal(t, "long <!channel>", body.Keys[1]["description"])
	assert.Equal(t, longKey.Key.Display, body.Keys[1]["display"])
	assert.Equal(t, "2026-11-25T10:00:00.123456", body.Keys[0]["created_at"])

	// The long key opens the read routes until it is revoked.
	assert.Equal(t, http.StatusOK, mustSend(t, http.MethodGet, s.URL()+sandbox.PathHardware, "", "x-api-key", longKey.Value).Status)
	a = revoke(t, s, strings.ToUpper(longKey.Key.KeyID))
	require.Equal(t, http.StatusOK, a.Status, a.Body)
	assert.JSONEq(t, `{"status":"succeeded"}`, a.Body)
	_, body = listKeys(t, s)
	require.Len(t, body.Keys, 1, "a revoked key leaves the list")
	assert.Equal(t, shortKey.Key.KeyID, body.Keys[0]["key_id"])
	assert.Equal(t, http.StatusUnauthorized, mustSend(t, http.MethodGet, s.URL()+sandbox.PathHardware, "", "x-api-key", longKey.Value).Status)
	assert.True(t, s.CreatedKeys()[1].Revoked)
	assert.False(t, s.CreatedKeys()[0].Revoked)

	// A second revocation finds nothing.
	a = revoke(t, s, longKey.Key.KeyID)
	assert.Equal(t, http.StatusNotFound, a.Status)
	assert.JSONEq(t, `{"detail":"API key not found"}`, a.Body)

	assert.Equal(t, 3, s.Requests(sandbox.RouteListKeys))
	assert.Equal(t, 2, s.Requests(sandbox.RouteRevokeKey))
	assert.Equal(t, 2, s.Requests(sandbox.RouteCreateKey))
}

func TestRevokeErrors(t *testing.T) {
	s := start(t)
	a := revoke(t, s, "0a0b0c0d-2222-4333-8444-955566667777")
	assert.Equal(t, http.StatusNotFound, a.Status)
	assert.JSONEq(t, `{"detail":"API key not found"}`, a.Body)

	for _, bad := range []string{"not-a-uuid", "0a0b0c0d22224333844495556666777", "{0a0b0c0d-2222-4333-8444-955566667777}"} {
		a = revoke(t, s, bad)
		assert.Equal(t, http.StatusUnprocessableEntity, a.Status, bad)
		var fe fieldErrors
		a.decode(t, &fe)
		require.Len(t, fe.Detail, 1)
		assert.Equal(t, "uuid_parsing", fe.Detail[0].Type)
		assert.Equal(t, []any{"path", "key_id"}, fe.Detail[0].Loc)
		assert.Equal(t, bad, fe.Detail[0].Input)
	}

	// The token comes first, whatever the id.
	for _, tok := range []string{"", "wrong"} {
		a = mustSend(t, http.MethodDelete, s.URL()+sandbox.KeyPath("not-a-uuid"), "", "token", tok)
		assert.Equal(t, http.StatusUnauthorized, a.Status)
		a = mustSend(t, http.MethodGet, s.URL()+sandbox.PathListKeys, "", "token", tok)
		assert.Equal(t, http.StatusUnauthorized, a.Status)
	}
	// The API key does not open the key routes.
	a = mustSend(t, http.MethodGet, s.URL()+sandbox.PathListKeys, "", "x-api-key", s.APIKey())
	assert.Equal(t, http.StatusUnauthorized, a.Status)
}
