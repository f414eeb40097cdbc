package iocloud

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// JWTStatus describes the configured io.net session token, read from its
// "exp" claim without verifying it.
type JWTStatus struct {
	Present     bool
	ExpiresAt   time.Time // zero when the token has no readable exp
	Expired     bool
	ExpiresSoon bool // within 3 days
}

// jwtSoon is how early an expiring session token is reported.
const jwtSoon = 3 * 24 * time.Hour

// JWTHowTo tells a person how to get a session token (io.net's CaaS
// getting-started guide), in the core's terms; Hints.JWTHowTo also names
// the setting.
const JWTHowTo = "To get one, sign in at https://ai.io.net, open the browser's developer tools (Network tab), " +
	"copy the value of the \"token\" header from a request to api.io.solutions, and configure it as the server's io.net session token; " +
	"a token is valid for 21 days."

// JWTHowTo is JWTHowTo naming where the session token is configured.
func (h Hints) JWTHowTo() string {
	return strings.Replace(JWTHowTo, "session token;", "session token"+h.Of(SettingJWT)+";", 1)
}

// JWTStatus reports on the configured session token without calling io.net.
// A token whose exp cannot be read is reported as present with no expiry:
// io.net, not this client, has the last word on it.
func (c *Client) JWTStatus() JWTStatus { return jwtStatus(c.jwt.Reveal(), c.now()) }

func jwtStatus(token string, now time.Time) JWTStatus {
	if token == "" {
		return JWTStatus{}
	}
	exp, err := ParseJWTExpiry(token)
	if err != nil {
		return JWTStatus{Present: true}
	}
	left := exp.Sub(now)
	return JWTStatus{Present: true, ExpiresAt: exp, Expired: left <= 0, ExpiresSoon: left > 0 && left <= jwtSoon}
}

// ParseJWTExpiry reads the "exp" claim of a JWT without verifying its
// signature (only io.net can). Errors describe the token's shape, never its
// content.
func ParseJWTExpiry(token string) (time.Time, error) {
	token = strings.TrimSpace(token)
	if len(token) > 16<<10 {
		return time.Time{}, errors.New("the session token is too long to be a JWT")
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return time.Time{}, errors.New("the session token is not a JWT (expected three dot-separated parts)")
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return time.Time{}, errors.New("the session token's payload is not base64url")
	}
	var claims struct {
		Exp *json.Number `json:"exp"`
	}
	if err := json.Unmarshal(payload, &claims); err != nil {
		return time.Time{}, errors.New("the session token's payload is not a JSON object")
	}
	if claims.Exp == nil {
		return time.Time{}, errors.New("the session token has no exp claim")
	}
	secs, err := claims.Exp.Float64()
	if err != nil || secs <= 0 || secs > 1e11 || math.IsNaN(secs) {
		return time.Time{}, errors.New("the session token's exp claim is not a valid time")
	}
	whole, frac := math.Modf(secs)
	return time.Unix(int64(whole), int64(frac*1e9)).UTC(), nil
}

// Warning is a sentence for a person when the token has expired or expires
// within 3 days of now, and "" otherwise (also when there is no token or its
// expiry cannot be read).
func (s JWTStatus) Warning(now time.Time, h Hints) string {
	if !s.Present || s.ExpiresAt.IsZero() {
		return ""
	}
	on := s.ExpiresAt.UTC().Format("2006-01-02 15:04 MST")
	left := s.ExpiresAt.Sub(now)
	switch {
	case left <= 0:
		return fmt.Sprintf("The io.net session token%s expired on %s, so keys cannot be created; get a new one. %s", h.Of(SettingJWT), on, h.JWTHowTo())
	case left <= jwtSoon:
		return fmt.Sprintf("The io.net session token%s expires in %s (on %s); get a new one before then. %s", h.Of(SettingJWT), humanDuration(left), on, h.JWTHowTo())
	}
	return ""
}

// humanDuration rounds down to whole days, hours or minutes.
func humanDuration(d time.Duration) string {
	unit := func(n int64, word string) string {
		if n == 1 {
			return "1 " + word
		}
		return fmt.Sprintf("%d %ss", n, word)
	}
	switch {
	case d >= 48*time.Hour:
		return unit(int64(d/(24*time.Hour)), "day")
	case d >= 2*time.Hour:
		return unit(int64(d/time.Hour), "hour")
	case d >= time.Minute:
		return unit(int64(d/time.Minute), "minute")
	}
	return "less than a minute"
}
