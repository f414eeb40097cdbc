package iocloud

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func jwtWithPayload(payload string) string {
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(`{"alg":"HS256"}`)) + "." + enc.EncodeToString([]byte(payload)) + ".sig"
}

func TestParseJWTExpiry(t *testing.T) {
	t.Parallel()
	got, err := ParseJWTExpiry(mintTestJWT(time.Unix(1_800_000_000, 0)))
	require.NoError(t, err)
	assert.Equal(t, time.Unix(1_800_000_000, 0).UTC(), got)

	got, err = ParseJWTExpiry(jwtWithPayload(`{"exp":1800000000.5}`))
	require.NoError(t, err)
	assert.Equal(t, time.Unix(1_800_000_000, 500_000_000).UTC(), got)

	padded := strings.Replace(jwtWithPayload(`{"exp":1800000000}`), ".sig", "", 1)
	padded += "==.sig" // some encoders pad
	_, err = ParseJWTExpiry(padded)
	require.NoError(t, err)

	for name, token := range map[string]string{
		"two parts":    "abc.def",
		"not base64":   "a.!!!.c",
		"not json":     jwtWithPayload("not json"),
		"no exp":       jwtWithPayload(`{"sub":"u"}`),
		"exp text":     jwtWithPayload(`{"exp":"soon"}`),
		"exp negative": jwtWithPayload(`{"exp":-1}`),
		"exp huge":     jwtWithPayload(`{"exp":1e300}`),
		"empty":        "",
		"too long":     strings.Repeat("a", 20<<10),
	} {
		_, err := ParseJWTExpiry(token)
		require.Error(t, err, name)
		assert.Contains(t, err.Error(), "session token", name)
		if len(token) > 8 && len(token) < 100 {
			assert.NotContains(t, err.Error(), token, "errors never quote the token")
		}
	}
}

func TestJWTStatus(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 5, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		token string
		want  JWTStatus
	}{
		{"absent", "", JWTStatus{}},
		{"fresh", mintTestJWT(now.Add(21 * 24 * time.Hour)), JWTStatus{Present: true, ExpiresAt: now.Add(21 * 24 * time.Hour)}},
		{"three days left", mintTestJWT(now.Add(72 * time.Hour)), JWTStatus{Present: true, ExpiresAt: now.Add(72 * time.Hour), ExpiresSoon: true}},
		{"just over three days", mintTestJWT(now.Add(72*time.Hour + time.Second)), JWTStatus{Present: true, ExpiresAt: now.Add(72*time.Hour + time.Second)}},
		{"expired now", mintTestJWT(now), JWTStatus{Present: true, ExpiresAt: now, Expired: true}},
		{"expired long ago", mintTestJWT(now.Add(-time.Hour)), JWTStatus{Present: true, ExpiresAt: now.Add(-time.Hour), Expired: true}},
		{"opaque token", "not-a-jwt-at-all", JWTStatus{Present: true}},
	}
	for _, tt := range tests {
		c, err := New(WithJWT(Secret(tt.token)), WithClock(func() time.Time { return now }))
		require.NoError(t, err)
		assert.Equal(t, tt.want, c.JWTStatus(), tt.name)
	}
}

func TestJWTWarning(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 5, 12, 0, 0, 0, time.UTC)
	status := func(exp time.Time) JWTStatus { return jwtStatus(mintTestJWT(exp), now) }

	assert.Empty(t, JWTStatus{}.Warning(now, nil))
	assert.Empty(t, JWTStatus{Present: true}.Warning(now, nil), "an unreadable token does not warn")
	assert.Empty(t, status(now.Add(10*24*time.Hour)).Warning(now, nil))

	w := status(now.Add(2*24*time.Hour+time.Hour)).Warning(now, Hints{SettingJWT: "SESSION_VAR"})
	assert.Contains(t, w, "expires in 2 days (on 2026-11-07 13:00 UTC)")
	assert.Contains(t, w, "The io.net session token (SESSION_VAR) expires", "the hint names the setting")
	assert.Contains(t, w, "configure it as the server's io.net session token (SESSION_VAR);", "and the how-to too")
	assert.NotContains(t, status(now.Add(5*time.Hour)).Warning(now, nil), "SESSION_VAR", "no hints, no names")
	assert.Contains(t, w, "developer tools")
	assert.Contains(t, w, "21 days")

	assert.Contains(t, status(now.Add(5*time.Hour)).Warning(now, nil), "expires in 5 hours")
	assert.Contains(t, status(now.Add(90*time.Second)).Warning(now, nil), "expires in 1 minute")
	assert.Contains(t, status(now.Add(-time.Hour)).Warning(now, nil), "expired on 2026-11-05 11:00 UTC")
	// Warning uses the time it is given, not the flags of when the status was taken.
	assert.Contains(t, status(now.Add(time.Hour)).Warning(now.Add(2*time.Hour), nil), "expired on")
}

func TestCreateAPIKeyChecksTheJWTBeforeCallingIONet(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 5, 12, 0, 0, 0, time.UTC)
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get(headerToken) == "" {
			answerJSON(w, http.StatusUnauthorized, `{"detail":"Not authenticated"}`)
			return
		}
		answerJSON(w, http.StatusCreated, `{"value":"io-v2-x","key":null}`)
	})
	clock := WithClock(func() time.Time { return now })

	c := newClientFor(t, up.URL, WithJWT(""), clock)
	_, err := c.CreateAPIKey(t.Context(), sampleKeyRequest())
	require.ErrorIs(t, err, ErrNoJWT)
	assert.Contains(t, testHints.Advice(err), "session token (IOCLOUD_JWT)")

	expired := mintTestJWT(now.Add(-time.Minute))
	c = newClientFor(t, up.URL, WithJWT(Secret(expired)), clock)
	_, err = c.CreateAPIKey(t.Context(), sampleKeyRequest())
	require.ErrorIs(t, err, ErrJWTExpired)
	assert.Contains(t, err.Error(), "2026-11-05T11:59:00Z")
	assert.NotContains(t, err.Error(), expired)
	assert.Contains(t, testHints.Advice(err), "get a new one")
	assert.Equal(t, 0, up.count(pathCreateKey), "neither reaches io.net")

	// An opaque token is not blocked: io.net decides.
	c = newClientFor(t, up.URL, WithJWT("opaque-session-token"), clock)
	key, err := c.CreateAPIKey(t.Context(), sampleKeyRequest())
	require.NoError(t, err)
	assert.Equal(t, 1, up.count(pathCreateKey))
	assert.Equal(t, "io-v2-x", key.Secret.Reveal())
	assert.Equal(t, sampleKeyRequest().Description, key.Key.Description, `"key": null falls back to the request`)
}

func TestCreateAPIKeyRefusesIncompleteRequests(t *testing.T) {
	t.Parallel()
	up := newUpstream(t, ionetHandler)
	c := newClientFor(t, up.URL)
	for name, mutate := range map[string]func(*KeyRequest){
		"description": func(r *KeyRequest) { r.Description = " " },
		"expiry":      func(r *KeyRequest) { r.ExpiresAt = time.Time{} },
		"project":     func(r *KeyRequest) { r.Project = "" },
		"scopes":      func(r *KeyRequest) { r.Scopes = nil },
	} {
		req := sampleKeyRequest()
		mutate(&req)
		_, err := c.CreateAPIKey(t.Context(), req)
		require.ErrorIs(t, err, ErrValidation, name)
		assert.Contains(t, err.Error(), name)
	}
	assert.Equal(t, 0, up.count(pathCreateKey))
}

func TestCreateAPIKeyDecodesTheAnswer(t *testing.T) {
	t.Parallel()
	up := newUpstream(t, ionetHandler)
	c := newClientFor(t, up.URL)
	key, err := c.CreateAPIKey(t.Context(), sampleKeyRequest())
	require.NoError(t, err)
	assert.Equal(t, "io-v2-NEWSECRET-0123456789abcdef", key.Secret.Reveal())
	assert.Equal(t, APIKey{
		KeyID:       "3f0c2a7e-1111-4222-8333-944455556666",
		Display:     "io-v2-NEWS...cdef",
		Description: "ci",
		Project:     "io-cloud",
		Scopes:      []string{"all"},
		CreatedAt:   time.Date(2025, 5, 6, 14, 37, 48, 605_000_000, time.UTC),
		ExpiresAt:   time.Date(2026, 8, 20, 0, 0, 0, 0, time.UTC),
	}, key.Key)
}

func TestParseTimestamp(t *testing.T) {
	t.Parallel()
	utc := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339Nano, s)
		require.NoError(t, err)
		return v
	}
	for in, want := range map[string]time.Time{
		"2025-05-06T14:37:48.605Z":    utc("2025-05-06T14:37:48.605Z"),
		"2026-08-20T00:00:00":         utc("2026-08-20T00:00:00Z"),
		"2026-08-20T00:00:00.123456":  utc("2026-08-20T00:00:00.123456Z"),
		"2026-08-20T02:00:00+02:00":   utc("2026-08-20T00:00:00Z"),
		"2026-08-20 00:00:00":         utc("2026-08-20T00:00:00Z"),
		"2026-08-20 00:00:00.5+00:00": utc("2026-08-20T00:00:00.5Z"),
		"2026-08-20":                  utc("2026-08-20T00:00:00Z"),
		"":                            {},
	} {
		got, err := parseTimestamp(in)
		require.NoError(t, err, in)
		assert.True(t, want.Equal(got), "%q: %v", in, got)
	}
	_, err := parseTimestamp("next tuesday")
	require.Error(t, err)
}
