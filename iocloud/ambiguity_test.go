package iocloud

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A lost or unreadable answer to a request that changes something is typed
// by what it may have done (ErrMayBeCreated, ErrMayBeRevoked), so the
// advice and the guard decide with errors.Is, not by reading the text; a
// read carries neither.
func TestLostAnswersAreTypedByWhatTheyMayHaveDone(t *testing.T) {
	t.Parallel()
	drop := func(w http.ResponseWriter, _ *http.Request) {
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			_ = conn.Close()
		}
	}
	garbled := func(w http.ResponseWriter, _ *http.Request) { answerJSON(w, http.StatusCreated, `{"value":`) }
	for _, tt := range []struct {
		name    string
		handler http.HandlerFunc
		call    func(c *Client) error
		want    error
		advice  string
	}{
		{"create, connection dropped", drop, func(c *Client) error {
			_, err := c.CreateAPIKey(t.Context(), sampleKeyRequest())
			return err
		}, ErrMayBeCreated, "io.net did not answer properly to the key creation; " + ErrMayBeCreated.Error() + "."},
		{"create, truncated answer", garbled, func(c *Client) error {
			_, err := c.CreateAPIKey(t.Context(), sampleKeyRequest())
			return err
		}, ErrMayBeCreated, "io.net did not answer properly to the key creation; " + ErrMayBeCreated.Error() + "."},
		{"revoke, connection dropped", drop, func(c *Client) error {
			return c.RevokeAPIKey(t.Context(), "3f0c2a7e-1111-4222-8333-944455556666")
		}, ErrMayBeRevoked, "io.net did not answer properly to the revocation; " + ErrMayBeRevoked.Error() + "."},
		{"read, connection dropped", drop, func(c *Client) error {
			_, err := c.Hardware(t.Context())
			return err
		}, nil, "io.net is unavailable or timed out; try again in a minute."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			up := newUpstream(t, tt.handler)
			err := tt.call(newClientFor(t, up.URL, WithRetry(1, time.Millisecond, time.Millisecond, 5*time.Second)))
			require.ErrorIs(t, err, ErrUnavailable)
			for _, s := range []error{ErrMayBeCreated, ErrMayBeRevoked} {
				assert.Equal(t, errors.Is(tt.want, s), errors.Is(err, s), "errors.Is(%v)", s)
			}
			if tt.want != nil {
				assert.Contains(t, err.Error(), tt.want.Error(), "the text still says it")
			}
			assert.Equal(t, tt.advice, testHints.Advice(err))
		})
	}
}

// io.net's 400 {"key_set": true} is recognised from the body's structure.
func TestKeySetAnswerIsTyped(t *testing.T) {
	t.Parallel()
	for body, want := range map[string]bool{
		`{"key_set": true}`:           true,
		`{"key_set": false}`:          false,
		`{"detail":"key_set is bad"}`: false,
		`key_set`:                     false,
	} {
		up := newUpstream(t, func(w http.ResponseWriter, _ *http.Request) { answerJSON(w, http.StatusBadRequest, body) })
		_, err := newClientFor(t, up.URL).Hardware(t.Context())
		var api *APIError
		require.ErrorAs(t, err, &api, body)
		assert.Equal(t, want, api.KeySet, body)
		assert.Equal(t, want, strings.Contains(testHints.Advice(err), "400 key_set"), body)
	}
}
