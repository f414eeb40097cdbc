package iocloud

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const listedSecret = "io-v2-LISTED-SECRET-must-never-surface-0123"

// keyListJSON has one live key, one expired key with a null description and
// zone-less times, and a "value" io.net does not document on this route: the
// client must not pick it up.
const keyListJSON = `{"keys":[` +
	`{"key_id":"3f0c2a7e-1111-4222-8333-944455556666","user_id":"u","user_email":"a@b.c","description":"ci","display":"io-v2-abcd...wxyz",` +
	`"created_at":"2026-11-05T11:00:00.5Z","expires_at":"2026-12-05T11:00:00Z","project":"io-cloud","scopes":["read"],"is_expired":false,"value":"` + listedSecret + `"},` +
	`{"key_id":"0a0b0c0d-2222-4333-8444-955566667777","user_id":"u","user_email":"a@b.c","description":null,"display":"io-v2-efgh...1234",` +
	`"created_at":"2025-01-01T00:00:00","expires_at":"2025-02-01T00:00:00","project":"io-cloud","scopes":["all"],"is_expired":true}]}`

func TestListAPIKeysDecodesAndIsNeverCached(t *testing.T) {
	t.Parallel()
	var seen []http.Header
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, http.MethodGet, r.Method)
		assert.Equal(t, pathAPIKeys, r.URL.Path)
		seen = append(seen, r.Header.Clone())
		answerJSON(w, http.StatusOK, keyListJSON)
	})
	c := newClientFor(t, up.URL, WithCacheTTL(time.Hour))

	list, err := c.ListAPIKeys(t.Context())
	require.NoError(t, err)
	require.Len(t, list.Keys, 2)
	assert.Equal(t, APIKey{
		KeyID: "3f0c2a7e-1111-4222-8333-944455556666", Display: "io-v2-abcd...wxyz", Description: "ci",
		Project: "io-cloud", Scopes: []string{"read"},
		CreatedAt: time.Date(2026, 11, 5, 11, 0, 0, 5e8, time.UTC), ExpiresAt: time.Date(2026, 12, 5, 11, 0, 0, 0, time.UTC),
	}, list.Keys[0])
	assert.Empty(t, list.Keys[1].Description, "a null description")
	assert.True(t, list.Keys[1].IsExpired)
	assert.Equal(t, time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC), list.Keys[1].ExpiresAt, "zone-less times are UTC")
	assert.False(t, list.FetchedAt.IsZero())
	raw, err := json.Marshal(list)
	require.NoError(t, err)
	assert.NotContains(t, string(raw), listedSecret, "a listed key never carries a secret")

	_, err = c.ListAPIKeys(t.Context())
	require.NoError(t, err)
	assert.Equal(t, 2, up.count(pathAPIKeys), "the list is fresh every time, even with the cache on")
	for _, h := range seen {
		assert.Equal(t, clientTestJWT, h.Get("token"))
		assert.Empty(t, h.Get("x-api-key"), "the list takes the session token, not the API key")
	}
}

func TestListAPIKeysIsRetriedLikeAnyRead(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	up := newUpstream(t, func(w http.ResponseWriter, _ *http.Request) {
		if n.Add(1) == 1 {
			answerJSON(w, http.StatusServiceUnavailable, `{"detail":"Service Unavailable"}`)
			return
		}
		answerJSON(w, http.StatusOK, keyListJSON)
	})
	c := newClientFor(t, up.URL)
	list, err := c.ListAPIKeys(t.Context())
	require.NoError(t, err)
	assert.Len(t, list.Keys, 2)
	assert.Equal(t, 2, up.count(pathAPIKeys))
}

func TestListAPIKeysFailures(t *testing.T) {
	t.Parallel()
	up := newUpstream(t, func(w http.ResponseWriter, _ *http.Request) { answerJSON(w, http.StatusOK, `{"data":[]}`) })

	c := newClientFor(t, up.URL)
	_, err := c.ListAPIKeys(t.Context())
	require.ErrorIs(t, err, ErrUnavailable)
	assert.Contains(t, err.Error(), `no "keys" list`)
	assert.NotContains(t, err.Error(), "may have been", "a read changes nothing")

	noJWT := newClientFor(t, up.URL, WithJWT(""))
	_, err = noJWT.ListAPIKeys(t.Context())
	require.ErrorIs(t, err, ErrNoJWT)
	assert.True(t, strings.HasPrefix(testHints.Advice(err), "Listing API keys needs an io.net session token"), testHints.Advice(err))

	expired := newClientFor(t, up.URL, WithJWT(Secret(mintTestJWT(time.Now().Add(-time.Hour)))))
	_, err = expired.ListAPIKeys(t.Context())
	require.ErrorIs(t, err, ErrJWTExpired)
	assert.Equal(t, 1, up.count(pathAPIKeys), "no request without a usable token")

	unauthorized := newUpstream(t, func(w http.ResponseWriter, _ *http.Request) {
		answerJSON(w, http.StatusUnauthorized, `{"detail":"Not authenticated"}`)
	})
	_, err = newClientFor(t, unauthorized.URL).ListAPIKeys(t.Context())
	require.ErrorIs(t, err, ErrUnauthorized)
	assert.Contains(t, testHints.Advice(err), "IOCLOUD_JWT")
}

func TestRevokeAPIKey(t *testing.T) {
	t.Parallel()
	const id = "3F0C2A7E-1111-4222-8333-944455556666"
	tests := []struct {
		name     string
		status   int
		body     string
		sentinel error
		advice   string
	}{
		{name: "200 with a body", status: 200, body: `{"status":"succeeded"}`},
		{name: "200 without a body", status: 200},
		{name: "204", status: 204},
		{name: "404", status: 404, body: `{"detail":"API key not found"}`, sentinel: ErrKeyNotFound, advice: "no API key with that id"},
		{name: "503 is not retried", status: 503, body: `{"detail":"Service Unavailable"}`, sentinel: ErrUnavailable, advice: "may have been revoked anyway"},
		{name: "429 is not retried", status: 429, sentinel: ErrRateLimited, advice: "wait"},
		{name: "401", status: 401, body: `{"detail":"Invalid token"}`, sentinel: ErrUnauthorized, advice: "IOCLOUD_JWT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
				assert.Equal(t, http.MethodDelete, r.Method)
				assert.Equal(t, clientTestJWT, r.Header.Get("token"))
				assert.Empty(t, r.Header.Get("x-api-key"))
				if tt.body == "" {
					w.WriteHeader(tt.status)
					return
				}
				answerJSON(w, tt.status, tt.body)
			})
			c := newClientFor(t, up.URL, WithRetry(10, time.Millisecond, time.Millisecond, 5*time.Second))
			err := c.RevokeAPIKey(t.Context(), " "+id+" ")
			assert.Equal(t, 1, up.count(pathAPIKeys+strings.ToLower(id)), "exactly one DELETE, to the lower-cased id")
			assert.EqualValues(t, 1, up.total.Load())
			if tt.sentinel == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.sentinel)
			assert.Contains(t, testHints.Advice(err), tt.advice)
			if errors.Is(tt.sentinel, ErrKeyNotFound) {
				require.ErrorIs(t, err, ErrNotFound)
				var apiErr *APIError
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, "API key not found", apiErr.Detail)
			}
		})
	}
}

func TestRevokeAPIKeyRefusesBeforeCalling(t *testing.T) {
	t.Parallel()
	up := newUpstream(t, func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	c := newClientFor(t, up.URL)
	for _, bad := range []string{"", "not-a-uuid", "3f0c2a7e-1111-4222-8333-94445555666", "../../v1/api-keys/", "3f0c2a7e-1111-4222-8333-944455556666/x"} {
		err := c.RevokeAPIKey(t.Context(), bad)
		require.ErrorIs(t, err, ErrValidation, "%q", bad)
		var in *InputError
		require.ErrorAs(t, err, &in)
		assert.Equal(t, "key id", in.Field)
	}
	err := newClientFor(t, up.URL, WithJWT("")).RevokeAPIKey(t.Context(), "3f0c2a7e-1111-4222-8333-944455556666")
	require.ErrorIs(t, err, ErrNoJWT)
	assert.True(t, strings.HasPrefix(testHints.Advice(err), "Revoking an API key needs an io.net session token"), testHints.Advice(err))
	assert.Zero(t, up.total.Load())
}

func TestRevokeAPIKeyLostAnswerIsNotRetried(t *testing.T) {
	t.Parallel()
	up := newUpstream(t, func(w http.ResponseWriter, _ *http.Request) {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			_ = conn.Close()
		}
	})
	c := newClientFor(t, up.URL, WithRetry(10, time.Millisecond, time.Millisecond, 5*time.Second))
	err := c.RevokeAPIKey(t.Context(), "3f0c2a7e-1111-4222-8333-944455556666")
	require.ErrorIs(t, err, ErrUnavailable)
	assert.Contains(t, testHints.Advice(err), "may have been revoked anyway")
	assert.EqualValues(t, 1, up.total.Load())
}

// A request that changes something follows no redirect at all, not even a
// same-origin 307/308 to the very same path: it is sent exactly once.
func TestWritesNeverFollowRedirects(t *testing.T) {
	t.Parallel()
	for _, status := range []int{http.StatusMovedPermanently, http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, r.URL.Path, status) // same origin, same path
		})
		c := newClientFor(t, up.URL)

		_, err := c.CreateAPIKey(t.Context(), sampleKeyRequest())
		require.ErrorIs(t, err, ErrRedirect, "%d", status)
		assert.Contains(t, err.Error(), fmt.Sprintf("answered %d to POST", status))
		assert.Equal(t, 1, up.count(pathCreateKey), "%d: one POST", status)

		err = c.RevokeAPIKey(t.Context(), "3f0c2a7e-1111-4222-8333-944455556666")
		require.ErrorIs(t, err, ErrRedirect, "%d", status)
		assert.EqualValues(t, 2, up.total.Load(), "%d: one DELETE", status)
		assert.Contains(t, testHints.Advice(err), "IOCLOUD_BASE_URL")
	}
}

func TestKeyListMatching(t *testing.T) {
	t.Parallel()
	since := time.Date(2026, 11, 5, 12, 0, 0, 0, time.UTC)
	req := KeyRequest{Description: "ci", ExpiresAt: time.Date(2026, 12, 5, 12, 0, 0, 700, time.UTC), Project: "io-cloud", Scopes: []string{"all"}}
	mk := func(id, desc string, created, expires time.Time) APIKey {
		return APIKey{KeyID: id, Description: desc, Project: "io-cloud", CreatedAt: created, ExpiresAt: expires}
	}
	exp := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	list := &KeyList{Keys: []APIKey{
		mk("late", "ci", since.Add(2*time.Second), exp),
		mk("before", "ci", since.Add(-time.Second), exp),
		mk("other-desc", "cd", since.Add(time.Second), exp),
		mk("other-expiry", "ci", since.Add(time.Second), exp.Add(time.Second)),
		mk("no-created-at", "ci", time.Time{}, exp),
		mk("early", " ci ", since, exp),
	}}
	var ids []string
	for _, k := range list.Matching(req, since) {
		ids = append(ids, k.KeyID)
	}
	assert.Equal(t, []string{"no-created-at", "early", "late"}, ids)

	k, ok := list.Find("LATE")
	assert.True(t, ok)
	assert.Equal(t, "late", k.KeyID)
	_, ok = list.Find("missing")
	assert.False(t, ok)
}
