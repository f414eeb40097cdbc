package slackbot

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"time"
)

// replayWindow is how long a signature is remembered: Slack's 5-minute
// timestamp window either way, plus a minute of clock skew.
const replayWindow = 11 * time.Minute

// onlyOnce runs a verified request only the first time its signature is
// seen. A replay inside the window (after which verification refuses it
// anyway) is acknowledged with an empty 200 and does nothing. If the store
// cannot be reached, the request runs: reads must keep working, and key
// actions are still single use through their tickets.
func (b *Bot) onlyOnce(next http.Handler) http.Handler {
	if b.replays == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The signature's hex is checked without regard to case, so it is
		// remembered in one case: v0=ABC… is the same request as v0=abc….
		sig := strings.ToLower(strings.TrimSpace(r.Header.Get("X-Slack-Signature")))
		sum := sha256.Sum256([]byte(sig))
		first, err := b.replays.Once(r.Context(), "slack-sig:"+hex.EncodeToString(sum[:]), replayWindow)
		switch {
		case err != nil:
			b.log.WarnContext(r.Context(), "slack replay check unavailable; serving the request", "error", err.Error())
		case !first:
			b.log.InfoContext(r.Context(), "slack request replayed; acknowledged, not run again", "path", r.URL.Path)
			w.WriteHeader(http.StatusOK)
			return
		}
		next.ServeHTTP(w, r)
	})
}
