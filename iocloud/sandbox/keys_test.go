package sandbox_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/iocloud-chatops/iocloud/internal/testutil"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/iocloud-chatops/iocloud/iocloud/sandbox"
)

var t0 = time.Date(2026, 11, 25, 10, 0, 0, 123456789, time.UTC)

type createdBody struct {
	Value string `json:"value"`
	Key   struct {
		KeyID       string   `json:"key_id"`
		UserID      string   `json:"user_id"`
		UserEmail   string   `json:"user_email"`
		Description string   `json:"description"`
		Display     string   `json:"display"`
		CreatedAt   string   `json:"created_at"`
		ExpiresAt   string   `json:"expires_at"`
		Project     string   `json:"project"`
		Scopes      []string `json:"scopes"`
		IsExpired   bool     `json:"is_expired"`
	} `json:"key"`
}

func createKey(t *testing.T, s *sandbox.Server, body string) answer {
	t.Helper()
	return mustSend(t, http.MethodPost, s.URL()+sandbox.PathCreateKey, body,
		"token", s.JWT(), "Content-Type", "application/json")
}

func TestCreateKey(t *testing.T) {
	c := testutil.NewClock(t0)
	s := start(t, sandbox.WithClock(c.Now))

	a := createKey(t, s, `{"description":"ci runner","expires_at":"2026-12-25T10:00:00Z","project":"io-cloud","scopes":["read"]}`)
	require.Equal(t, http.StatusCreated, a.Status, a.Body)
	assert.Equal(t, "application/json", a.Header.Get("Content-Type"))

	// Every field of SingleApiKey is present.
	var raw struct {
		Value string         `json:"value"`
		Key   map[string]any `json:"key"`
	}
	require.NoError(t, json.Unmarshal([]byte(a.Body), &raw))
	for _, f := range []string{"key_id", "user_id", "user_email", "description", "display", "created_at", "expires_at", "project", "scopes", "is_expired"} {
		assert.Contains(t, raw.Key, f)
	}

	var got createdBody
	a.decode(t, &got)
	assert.True(t, strings.HasPrefix(got.Value, "io-v2-"), got.Value)
	assert.Greater(t, len(got.Value), 40)
	_, err := uuid.Parse(got.Key.KeyID)
	require.NoError(t, err)
	_, err = uuid.Parse(got.Key.UserID)
	require.NoError(t, err)
	assert.Equal(t, "sandbox@example.com", got.Key.UserEmail)
	assert.Equal(t, "ci runner", got.Key.Description)
	assert.Equal(t, "io-cloud", got.Key.Project)
	assert.Equal(t, []string{"read"}, got.Key.Scopes)
	assert.False(t, got.Key.IsExpired)
	// created_at has no zone, expires_at has "Z": clients must parse both.
	assert.Equal(t, "2026-11-25T10:00:00.123456", got.Key.CreatedAt)
	assert.Equal(t, "2026-12-25T10:00:00Z", got.Key.ExpiresAt)
	// display: prefix, 4 characters, "...", the last 4; never the secret.
	assert.Regexp(t, `^io-v2-[A-Za-z0-9_-]{4}\.\.\.[A-Za-z0-9_-]{4}$`, got.Key.Display)
	assert.Equal(t, got.Value[:10], got.Key.Display[:10])
	assert.Equal(t, got.Value[len(got.Value)-4:], got.Key.Display[len(got.Key.Display)-4:])

	keys := s.CreatedKeys()
	require.Len(t, keys, 1)
	assert.Equal(t, sandbox.CreatedKey{
		KeyID: got.Key.KeyID, Value: got.Value, Description: "ci runner", Project: "io-cloud",
		Scopes: []string{"read"}, ExpiresAt: time.Date(2026, 12, 25, 10, 0, 0, 0, time.UTC),
	}, keys[0])
	assert.Equal(t, 1, s.Requests(sandbox.RouteCreateKey))
}

func TestCreateKeyAcceptsNaiveAndOffsetExpiry(t *testing.T) {
	c := testutil.NewClock(t0)
	s := start(t, sandbox.WithClock(c.Now))
	for _, exp := range []string{"2027-01-31T00:00:00", "2027-01-31T02:00:00+02:00", "2027-01-31T00:00:00.000Z", "2027-01-31"} {
		a := createKey(t, s, `{"description":"d","expires_at":"`+exp+`","project":"io-cloud","scopes":["all"]}`)
		require.Equal(t, http.StatusCreated, a.Status, exp+": "+a.Body)
		var got createdBody
		a.decode(t, &got)
		assert.Equal(t, "2027-01-31T00:00:00Z", got.Key.ExpiresAt, exp)
	}
	assert.Len(t, s.CreatedKeys(), 4)
}

func TestCreatedKeysAreDistinctAndOrdered(t *testing.T) {
	s := start(t)
	exp := time.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339)
	var values []string
	for _, d := range []string{"first", "second", "third"} {
		var got createdBody
		createKey(t, s, `{"description":"`+d+`","expires_at":"`+exp+`","project":"io-cloud","scopes":["all"]}`).decode(t, &got)
		values = append(values, got.Value)
	}
	keys := s.CreatedKeys()
	require.Len(t, keys, 3)
	for i, d := range []string{"first", "second", "third"} {
		assert.Equal(t, d, keys[i].Description)
		assert.Equal(t, values[i], keys[i].Value)
	}
	assert.NotEqual(t, values[0], values[1])
	assert.NotEqual(t, keys[0].KeyID, keys[1].KeyID)

	keys[0].Scopes[0] = "mutated"
	assert.Equal(t, []string{"all"}, s.CreatedKeys()[0].Scopes, "CreatedKeys hands out copies")
}

func TestCreateKeyValidation(t *testing.T) {
	c := testutil.NewClock(t0)
	s := start(t, sandbox.WithClock(c.Now))
	cases := []struct {
		name, body string
		wantLocs   [][]any
		wantTypes  []string
	}{
		{"empty body", ``, [][]any{{"body"}}, []string{"missing"}},
		{"not json", `{"description":`, nil, []string{"json_invalid"}},
		{"not an object", `["a"]`, [][]any{{"body"}}, []string{"model_attributes_type"}},
		{"all missing", `{}`, [][]any{{"body", "description"}, {"body", "expires_at"}, {"body", "project"}, {"body", "scopes"}},
			[]string{"missing", "missing", "missing", "missing"}},
		{"empty description", `{"description":"","expires_at":"2027-01-01T00:00:00Z","project":"io-cloud","scopes":["all"]}`,
			[][]any{{"body", "description"}}, []string{"string_too_short"}},
		{"description not a string", `{"description":5,"expires_at":"2027-01-01T00:00:00Z","project":"io-cloud","scopes":["all"]}`,
			[][]any{{"body", "description"}}, []string{"string_type"}},
		{"unparsable expiry", `{"description":"d","expires_at":"next tuesday","project":"io-cloud","scopes":["all"]}`,
			[][]any{{"body", "expires_at"}}, []string{"datetime_from_date_parsing"}},
		{"past expiry", `{"description":"d","expires_at":"2026-11-25T09:59:59Z","project":"io-cloud","scopes":["all"]}`,
			[][]any{{"body", "expires_at"}}, []string{"value_error"}},
		{"bad project", `{"description":"d","expires_at":"2027-01-01T00:00:00Z","project":"io-explorer","scopes":["all"]}`,
			[][]any{{"body", "project"}}, []string{"literal_error"}},
		{"bad scope", `{"description":"d","expires_at":"2027-01-01T00:00:00Z","project":"io-cloud","scopes":["read","admin"]}`,
			[][]any{{"body", "scopes", float64(1)}}, []string{"literal_error"}},
		{"no scopes", `{"description":"d","expires_at":"2027-01-01T00:00:00Z","project":"io-cloud","scopes":[]}`,
			[][]any{{"body", "scopes"}}, []string{"too_short"}},
		{"scopes not a list", `{"description":"d","expires_at":"2027-01-01T00:00:00Z","project":"io-cloud","scopes":"all"}`,
			[][]any{{"body", "scopes"}}, []string{"list_type"}},
	}
	for _, tc := range cases {
		a := createKey(t, s, tc.body)
		require.Equal(t, http.StatusUnprocessableEntity, a.Status, tc.name+": "+a.Body)
		var fe fieldErrors
		a.decode(t, &fe)
		require.Len(t, fe.Detail, len(tc.wantTypes), tc.name)
		for i, d := range fe.Detail {
			assert.Equal(t, tc.wantTypes[i], d.Type, tc.name)
			assert.NotEmpty(t, d.Msg, tc.name)
			if tc.wantLocs != nil {
				assert.Equal(t, tc.wantLocs[i], d.Loc, tc.name)
			} else {
				assert.Equal(t, "body", d.Loc[0], tc.name)
			}
		}
	}
	assert.Empty(t, s.CreatedKeys(), "no invalid request creates a key")
}

func TestCreateKeyLiteralMessage(t *testing.T) {
	s := start(t)
	a := createKey(t, s, `{"description":"d","expires_at":"2999-01-01T00:00:00Z","project":"x","scopes":["all"]}`)
	require.Equal(t, http.StatusUnprocessableEntity, a.Status)
	assert.JSONEq(t, `{"detail":[{"type":"literal_error","loc":["body","project"],"msg":"Input should be 'io-cloud' or 'io-intelligence'",
		"input":"x","ctx":{"expected":"'io-cloud' or 'io-intelligence'"}}]}`, a.Body)
}

func TestCreateKeyAuth(t *testing.T) {
	c := testutil.NewClock(t0)
	s := start(t, sandbox.WithClock(c.Now))
	body := `{"description":"d","expires_at":"2027-06-01T00:00:00Z","project":"io-cloud","scopes":["all"]}`
	url := s.URL() + sandbox.PathCreateKey

	a := mustSend(t, http.MethodPost, url, body)
	assert.Equal(t, http.StatusUnauthorized, a.Status)
	assert.JSONEq(t, `{"detail":"Not authenticated"}`, a.Body)

	a = mustSend(t, http.MethodPost, url, body, "token", s.JWT()+"x")
	assert.Equal(t, http.StatusUnauthorized, a.Status)
	assert.JSONEq(t, `{"detail":"Invalid token"}`, a.Body)

	// The API key is not a session token.
	a = mustSend(t, http.MethodPost, url, body, "x-api-key", s.APIKey())
	assert.Equal(t, http.StatusUnauthorized, a.Status)

	a = mustSend(t, http.MethodPost, url, body, "TOKEN", s.JWT())
	assert.Equal(t, http.StatusCreated, a.Status, a.Body)

	c.Advance(21*24*time.Hour + time.Second)
	a = mustSend(t, http.MethodPost, url, body, "token", s.JWT())
	assert.Equal(t, http.StatusUnauthorized, a.Status)
	assert.JSONEq(t, `{"detail":"Token has expired"}`, a.Body)

	assert.Len(t, s.CreatedKeys(), 1)
	assert.Equal(t, 5, s.Requests(sandbox.RouteCreateKey))
}

func TestJWTLooksReal(t *testing.T) {
	c := testutil.NewClock(t0)
	s := sandbox.New(sandbox.WithClock(c.Now))
	parts := strings.Split(s.JWT(), ".")
	require.Len(t, parts, 3)
	var header map[string]any
	hb, err := base64.RawURLEncoding.DecodeString(parts[0])
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(hb, &header))
	assert.Equal(t, "HS256", header["alg"])

	var claims struct {
		Sub   string `json:"sub"`
		Email string `json:"email"`
		Exp   int64  `json:"exp"`
	}
	pb, err := base64.RawURLEncoding.DecodeString(parts[1])
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(pb, &claims))
	assert.Equal(t, "sandbox-user", claims.Sub)
	assert.Equal(t, "sandbox@example.com", claims.Email)
	wantExp := t0.Add(21 * 24 * time.Hour).Unix()
	assert.Equal(t, wantExp, claims.Exp)
	assert.Equal(t, claims.Exp, s.JWTExpiresAt().Unix())

	_, err = base64.RawURLEncoding.DecodeString(parts[2])
	require.NoError(t, err)
	assert.Equal(t, s.JWT(), sandbox.New(sandbox.WithClock(c.Now)).JWT(), "deterministic for a given clock")
}

func TestCreatedKeysOpenReads(t *testing.T) {
	c := testutil.NewClock(t0)
	s := start(t, sandbox.WithClock(c.Now))
	mk := func(project string) string {
		var got createdBody
		createKey(t, s, `{"description":"d","expires_at":"2026-11-26T10:00:00Z","project":"`+project+`","scopes":["read"]}`).decode(t, &got)
		require.NotEmpty(t, got.Value)
		return got.Value
	}
	cloud, intelligence := mk("io-cloud"), mk("io-intelligence")
	url := s.URL() + sandbox.PathHardware

	assert.Equal(t, http.StatusOK, mustSend(t, http.MethodGet, url, "", "x-api-key", cloud).Status)
	a := mustSend(t, http.MethodGet, url, "", "x-api-key", intelligence)
	assert.Equal(t, http.StatusForbidden, a.Status)
	assert.JSONEq(t, `{"detail":"API key is not valid for io-cloud"}`, a.Body)

	c.Advance(25 * time.Hour)
	a = mustSend(t, http.MethodGet, url, "", "x-api-key", cloud)
	assert.Equal(t, http.StatusUnauthorized, a.Status, "an expired key is invalid")
	assert.JSONEq(t, `{"detail":"Invalid API key"}`, a.Body)
}
