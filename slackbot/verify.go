package slackbot

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net/http"

	"github.com/iocloud-chatops/iocloud/iocloud"
	"github.com/slack-go/slack"
)

// MaxBodyBytes is the largest request body accepted from Slack. Slack's own
// payloads are a few KiB.
const MaxBodyBytes = 1 << 20

// verified lets a request through only when Slack signed it with the
// signing secret (slack.NewSecretsVerifier: HMAC-SHA256 over
// "v0:<timestamp>:<raw body>", timestamp within 5 minutes either way). The
// raw body is read through a 1 MiB limit, checked, then restored for the
// form parsers. Every failure is an opaque 401 (413 for a body over the
// limit), logged without detail an attacker could use, and nothing else
// happens.
func verified(secret iocloud.Secret, log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sv, err := slack.NewSecretsVerifier(r.Header, secret.Reveal())
		if err != nil {
			reject(w, r, log, http.StatusUnauthorized, reason(err))
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				reject(w, r, log, http.StatusRequestEntityTooLarge, "body over 1 MiB")
				return
			}
			reject(w, r, log, http.StatusUnauthorized, "body unreadable")
			return
		}
		if _, err := sv.Write(body); err != nil {
			reject(w, r, log, http.StatusUnauthorized, "body unreadable")
			return
		}
		if err := sv.Ensure(); err != nil {
			reject(w, r, log, http.StatusUnauthorized, reason(err))
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		next.ServeHTTP(w, r)
	})
}

// reason names a verification failure for the operator log.
func reason(err error) string {
	switch {
	case errors.Is(err, slack.ErrMissingHeaders):
		return "missing signature headers"
	case errors.Is(err, slack.ErrExpiredTimestamp):
		return "timestamp outside 5 minutes"
	case errors.Is(err, slack.ErrInvalidConfiguration):
		return "no signing secret configured"
	}
	return "bad signature"
}

func reject(w http.ResponseWriter, r *http.Request, log *slog.Logger, status int, why string) {
	log.WarnContext(r.Context(), "slack request rejected", "path", r.URL.Path, "status", status, "reason", why)
	if status == http.StatusRequestEntityTooLarge {
		w.Header().Set("Connection", "close")
	}
	http.Error(w, http.StatusText(status), status)
}
