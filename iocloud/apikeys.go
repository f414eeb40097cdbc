package iocloud

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// pathAPIKeys is the collection of the session's API keys (list with GET);
// one key is pathAPIKeys + its uuid (revoke with DELETE). The trailing slash
// matters, as for creation.
const pathAPIKeys = "/v1/api-keys/" //nolint:gosec // a URL path, not a credential

// ErrKeyNotFound says io.net has no key with the id given (404 to a revoke):
// it never existed, belongs to another account, or was revoked already.
var ErrKeyNotFound = errors.New("io.net has no API key with this id")

// KeyList is the answer of Client.ListAPIKeys: every key of the session's
// account, expired ones included (IsExpired), in io.net's order. It never
// holds a secret: io.net's list has none, and the client reads none.
type KeyList struct {
	Keys      []APIKey  `json:"keys"`
	FetchedAt time.Time `json:"fetched_at"`
}

// noJWTError is ErrNoJWT for a key action other than creation, so the advice
// names what the missing token blocks.
type noJWTError struct{ action string }

func (e *noJWTError) Error() string        { return ErrNoJWT.Error() + " (needed for " + e.action + ")" }
func (e *noJWTError) Is(target error) bool { return target == ErrNoJWT }

// keyToken checks the session token before a key call, without calling
// io.net: missing is ErrNoJWT, past its exp is ErrJWTExpired.
func (c *Client) keyToken(action string) error {
	st := c.JWTStatus()
	if !st.Present {
		return &noJWTError{action: action}
	}
	if st.Expired {
		return fmt.Errorf("%w (it expired on %s)", ErrJWTExpired, st.ExpiresAt.UTC().Format(time.RFC3339))
	}
	return nil
}

// ListAPIKeys lists the account's API keys (GET /v1/api-keys/ with the
// session token). Retried like every read, but never cached: it is how a
// caller finds out what a create or revoke whose answer was lost really did,
// so it must show io.net's state now.
func (c *Client) ListAPIKeys(ctx context.Context) (*KeyList, error) {
	if err := c.keyToken("listing API keys"); err != nil {
		return nil, err
	}
	cl := call{method: http.MethodGet, path: pathAPIKeys, cred: credJWT, retry: true}
	var w wireKeyList
	if err := c.do(ctx, cl, &w); err != nil {
		return nil, err
	}
	list, err := w.list()
	if err != nil {
		return nil, c.malformed(cl, c.base.Path+pathAPIKeys, err.Error())
	}
	list.FetchedAt = c.now()
	return list, nil
}

// RevokeAPIKey revokes one key (DELETE /v1/api-keys/{key_id} with the
// session token). Exactly one request, never retried and never redirected:
// whether io.net acted on a request whose answer was lost is for a fresh
// ListAPIKeys to tell, not for a second DELETE. Any 2xx is success (io.net
// documents no body). A 404 matches ErrKeyNotFound (and ErrNotFound).
func (c *Client) RevokeAPIKey(ctx context.Context, keyID string) error {
	if err := c.keyToken("revoking an API key"); err != nil {
		return err
	}
	id, err := CheckKeyID(keyID)
	if err != nil {
		return err
	}
	cl := call{method: http.MethodDelete, path: pathAPIKeys + id, cred: credJWT}
	err = c.do(ctx, cl, nil)
	var apiErr *APIError
	if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
		return fmt.Errorf("%w (%s): %w", ErrKeyNotFound, id, err)
	}
	return err
}

// CheckKeyID validates an io.net key id (a UUID) and returns it in
// lower case, as io.net writes it. The error is an *InputError.
func CheckKeyID(keyID string) (string, error) {
	id := strings.TrimSpace(keyID)
	if !uuidPattern.MatchString(id) {
		return "", &InputError{Field: "key id", Problem: "must be the key's UUID, such as 3f0c2a7e-1111-4222-8333-944455556666 (list the keys to find it)"}
	}
	return strings.ToLower(id), nil
}

// Matching returns the listed keys that could be the one req asked io.net
// to create, oldest first: same description and project, the same expiry to
// the second (the client sends whole seconds), and created at or after
// since. A key io.net lists without created_at cannot be ruled out, so it is
// kept. since is io.net's clock, not ours: callers allow for skew.
func (l *KeyList) Matching(req KeyRequest, since time.Time) []APIKey {
	var out []APIKey
	for _, k := range l.Keys {
		switch {
		case strings.TrimSpace(k.Description) != strings.TrimSpace(req.Description):
		case req.Project != "" && k.Project != "" && k.Project != req.Project:
		case !k.ExpiresAt.Truncate(time.Second).Equal(req.ExpiresAt.Truncate(time.Second)):
		case !k.CreatedAt.IsZero() && k.CreatedAt.Before(since):
		default:
			out = append(out, k)
		}
	}
	slices.SortStableFunc(out, func(a, b APIKey) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return out
}

// Find returns the listed key with id keyID (any case).
func (l *KeyList) Find(keyID string) (APIKey, bool) {
	for _, k := range l.Keys {
		if strings.EqualFold(k.KeyID, strings.TrimSpace(keyID)) {
			return k, true
		}
	}
	return APIKey{}, false
}

// wireKeyList is the answer of GET /v1/api-keys/: {"keys":[SingleApiKey]}.
type wireKeyList struct {
	Keys *[]wireKey `json:"keys"`
}

func (w *wireKeyList) list() (*KeyList, error) {
	if w.Keys == nil {
		return nil, &problemError{msg: `no "keys" list`}
	}
	out := &KeyList{Keys: make([]APIKey, 0, len(*w.Keys))}
	for i, k := range *w.Keys {
		if strings.TrimSpace(k.KeyID) == "" {
			return nil, &problemError{msg: fmt.Sprintf("key %d has no key_id", i)}
		}
		out.Keys = append(out.Keys, k.apiKey())
	}
	return out, nil
}

// apiKey is the client's view of a SingleApiKey (its description may be
// null).
func (k wireKey) apiKey() APIKey {
	out := APIKey{
		KeyID:     k.KeyID,
		Display:   k.Display,
		Project:   k.Project,
		Scopes:    append([]string{}, k.Scopes...),
		CreatedAt: k.CreatedAt.Time,
		ExpiresAt: k.ExpiresAt.Time,
		IsExpired: k.IsExpired,
	}
	if k.Description != nil {
		out.Description = *k.Description
	}
	return out
}

// IsKeyID reports whether s has the shape of an io.net key_id (a UUID), so
// a frontend can refuse a mistyped id before anything else happens.
func IsKeyID(s string) bool { return uuidPattern.MatchString(s) }
