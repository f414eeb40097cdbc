package sandbox

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"slices"
	"time"

	"github.com/google/uuid"
)

// maxBodyBytes bounds a create-key body; anything larger is a 413.
const maxBodyBytes = 1 << 20

// Formats of timestamps in answers. io.net's examples show both naive and
// zoned times, so the sandbox answers created_at without a zone (as Python's
// isoformat of a naive UTC datetime) and expires_at in UTC with "Z": a
// client must parse both.
const naiveMicros = "2006-01-02T15:04:05.000000"

// CreatedKey is a key the sandbox created, secret included (for tests).
type CreatedKey struct {
	KeyID       string
	Value       string
	Description string
	Project     string
	Scopes      []string
	ExpiresAt   time.Time
	Revoked     bool // revoked through DELETE: no longer listed, no longer valid
}

type storedKey struct {
	CreatedKey
	CreatedAt time.Time
	Display   string
}

// singleAPIKey is io.net's SingleApiKey.
type singleAPIKey struct {
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
}

type createKeyAnswer struct {
	Value string       `json:"value"`
	Key   singleAPIKey `json:"key"`
}

// CreatedKeys lists every key created so far, oldest first.
func (s *Server) CreatedKeys() []CreatedKey {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]CreatedKey, 0, len(s.keys))
	for _, k := range s.keys {
		c := k.CreatedKey
		c.Scopes = slices.Clone(c.Scopes)
		out = append(out, c)
	}
	return out
}

func (s *Server) createdKeyByValue(value string) (CreatedKey, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range s.keys {
		if k.Value == value && !k.Revoked {
			return k.CreatedKey, true
		}
	}
	return CreatedKey{}, false
}

// serveCreateKey answers POST /v1/api-keys/: token first, then the body
// (every field error at once), then 201 with the secret in "value".
func (s *Server) serveCreateKey(w http.ResponseWriter, r *http.Request) {
	if !s.checkToken(w, r) {
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeDetail(w, http.StatusRequestEntityTooLarge, "Request Entity Too Large")
			return
		}
		writeDetail(w, http.StatusBadRequest, "There was an error parsing the body")
		return
	}
	req, errs := parseCreateKey(body, s.now())
	if len(errs) > 0 {
		write422(w, errs)
		return
	}

	now := s.now()
	value, display := newKeySecret()
	k := storedKey{
		CreatedKey: CreatedKey{
			KeyID:       uuid.NewString(),
			Value:       value,
			Description: req.Description,
			Project:     req.Project,
			Scopes:      req.Scopes,
			ExpiresAt:   req.ExpiresAt,
		},
		CreatedAt: now,
		Display:   display,
	}
	s.mu.Lock()
	s.keys = append(s.keys, k)
	s.mu.Unlock()

	writeJSON(w, http.StatusCreated, createKeyAnswer{Value: value, Key: k.single(now)})
}

// single is the key as io.net describes it (never its secret).
func (k storedKey) single(now time.Time) singleAPIKey {
	return singleAPIKey{
		KeyID:       k.KeyID,
		UserID:      sandboxUserID,
		UserEmail:   sandboxUserEmail,
		Description: k.Description,
		Display:     k.Display,
		CreatedAt:   k.CreatedAt.UTC().Format(naiveMicros),
		ExpiresAt:   k.ExpiresAt.UTC().Format(time.RFC3339Nano),
		Project:     k.Project,
		Scopes:      slices.Clone(k.Scopes),
		IsExpired:   !now.Before(k.ExpiresAt),
	}
}

// newKeySecret makes an "io-v2-" secret from 32 random bytes and its
// display form: the prefix, four characters, "...", the last four.
func newKeySecret() (value, display string) {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand since Go 1.24)
	token := base64.RawURLEncoding.EncodeToString(b)
	return "io-v2-" + token, "io-v2-" + token[:4] + "..." + token[len(token)-4:]
}
