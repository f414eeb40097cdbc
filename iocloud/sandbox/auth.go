package sandbox

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"time"
)

// The sandbox's credentials are public fakes: they open nothing but the
// sandbox, and tests search logs for them to prove secrets never leak.
const (
	sandboxAPIKey     = "sandbox-io-cloud-api-key-0000"
	sandboxJWTSignKey = "iocloud-sandbox-jwt-signing"
	sandboxUserID     = "3f1c2b7a-9d4e-4c6b-8a2f-5e7d9c1b0a42"
	sandboxUserEmail  = "sandbox@example.com"
	jwtLifetime       = 21 * 24 * time.Hour // io.net's console tokens live 21 days
)

// Answers to bad credentials. io.net does not document them (reference §10,
// marked G); these are the sandbox's choice.
const (
	msgNotAuthenticated = "Not authenticated"
	msgInvalidAPIKey    = "Invalid API key" //nolint:gosec // an error text, not a credential
	msgWrongProject     = "API key is not valid for io-cloud"
	msgInvalidToken     = "Invalid token"
	msgExpiredToken     = "Token has expired"
)

// mintJWT builds a real-looking HS256 JWT for the sandbox user, expiring
// 21 days after now (whole seconds, as the exp claim is).
func mintJWT(now time.Time) (string, time.Time) {
	exp := now.Add(jwtLifetime).Truncate(time.Second)
	enc := base64.RawURLEncoding
	header := enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
	claims, _ := json.Marshal(struct { // cannot fail: plain strings and an int
		Sub   string `json:"sub"`
		Email string `json:"email"`
		Exp   int64  `json:"exp"`
	}{Sub: "sandbox-user", Email: sandboxUserEmail, Exp: exp.Unix()})
	signingInput := header + "." + enc.EncodeToString(claims)
	mac := hmac.New(sha256.New, []byte(sandboxJWTSignKey))
	mac.Write([]byte(signingInput))
	return signingInput + "." + enc.EncodeToString(mac.Sum(nil)), exp
}

// checkAPIKey authorizes a read route. x-api-key is a FastAPI header
// parameter, so its name is case-insensitive (Go canonicalizes it); an
// Authorization header is ignored, as io.net ignores it. Valid: APIKey,
// WithAPIKeys, and unexpired io-cloud keys created through the sandbox. A
// created key of another project gets 403. It writes the refusal and
// reports false.
func (s *Server) checkAPIKey(w http.ResponseWriter, r *http.Request) bool {
	key := r.Header.Get("X-Api-Key")
	switch {
	case key == "":
		writeDetail(w, http.StatusUnauthorized, msgNotAuthenticated)
		return false
	case key == s.apiKey || s.extraKeys[key]:
		return true
	}
	k, ok := s.createdKeyByValue(key)
	switch {
	case !ok || !s.now().Before(k.ExpiresAt):
		writeDetail(w, http.StatusUnauthorized, msgInvalidAPIKey)
		return false
	case k.Project != "io-cloud":
		writeDetail(w, http.StatusForbidden, msgWrongProject)
		return false
	}
	return true
}

// checkToken authorizes key creation: header token must be exactly JWT and
// not expired by the server's clock.
func (s *Server) checkToken(w http.ResponseWriter, r *http.Request) bool {
	tok := r.Header.Get("Token")
	switch {
	case tok == "":
		writeDetail(w, http.StatusUnauthorized, msgNotAuthenticated)
		return false
	case !hmac.Equal([]byte(tok), []byte(s.jwt)):
		writeDetail(w, http.StatusUnauthorized, msgInvalidToken)
		return false
	case !s.now().Before(s.jwtExp):
		writeDetail(w, http.StatusUnauthorized, msgExpiredToken)
		return false
	}
	return true
}
