package main

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/iocloud-chatops/iocloud/config"
	"github.com/iocloud-chatops/iocloud/iocloud"
	"github.com/iocloud-chatops/iocloud/tools"
)

// errTokenExpired and errTokenRefused are why a presented bearer token did
// not identify anyone; both answer 401 with error="invalid_token".
var (
	errTokenExpired = errors.New("the access token has expired")
	errTokenRefused = errors.New("the token is not accepted by this server")
)

// authenticator says who an HTTP request comes from, from its
// "Authorization: Bearer" header: the shared IOCLOUD_MCP_AUTH_TOKEN
// (token:shared), a named token from IOCLOUD_MCP_TOKENS_FILE (token:<name>) or
// an OAuth access token from IOCLOUD_MCP_OAUTH_ISSUER (oauth:<sub>). With none
// of them configured every request is the local user (the listener is then on
// loopback: config refuses anything else).
type authenticator struct {
	shared *[sha256.Size]byte
	named  []config.NamedToken
	oauth  *oauthVerifier // nil without an issuer
	// metadataURL is the RFC 9728 document every 401 points to; "" without
	// OAuth, where there is no authorization server to discover.
	metadataURL string
}

func newAuthenticator(shared iocloud.Secret, named []config.NamedToken, oauth *oauthVerifier, metadataURL string) *authenticator {
	a := &authenticator{named: named, oauth: oauth, metadataURL: metadataURL}
	if shared.IsSet() {
		sum := sha256.Sum256([]byte(shared.Reveal()))
		a.shared = &sum
	}
	return a
}

// enabled reports whether requests must carry a token at all.
func (a *authenticator) enabled() bool {
	return a.shared != nil || len(a.named) > 0 || a.oauth != nil
}

// identify maps a presented token to a caller. Tokens are compared by their
// SHA-256 in constant time, so neither the token's length nor its content
// shows in the timing; every named token is compared, not just up to a match.
func (a *authenticator) identify(ctx context.Context, token string) (tools.Caller, error) {
	sum := sha256.Sum256([]byte(token))
	if a.shared != nil && subtle.ConstantTimeCompare(sum[:], a.shared[:]) == 1 {
		return tools.Caller{ID: "token:shared", Name: "shared token"}, nil
	}
	match := -1
	for i := range a.named {
		if subtle.ConstantTimeCompare(sum[:], a.named[i].SHA256[:]) == 1 {
			match = i
		}
	}
	if match >= 0 {
		name := a.named[match].Name
		return tools.Caller{ID: "token:" + name, Name: name}, nil
	}
	if a.oauth != nil && strings.Count(token, ".") == 2 {
		return a.oauth.identify(ctx, token)
	}
	return tools.Caller{}, errTokenRefused
}

type callerKey struct{}

// requestCaller is the caller the authenticator established for r.
func requestCaller(r *http.Request) (tools.Caller, bool) {
	c, ok := r.Context().Value(callerKey{}).(tools.Caller)
	return c, ok
}

// middleware lets a request through only once it knows who sent it, and
// records that in the request's context (see callerForTools). OPTIONS
// (CORS preflight) carries no credentials by definition and passes; it
// reaches nothing but the CORS answer.
func (a *authenticator) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions {
			next.ServeHTTP(w, r)
			return
		}
		caller := tools.LocalCaller
		if a.enabled() {
			if len(r.Header.Values("Authorization")) > 1 {
				// Which one would count is a guess (a proxy may have
				// added its own); RFC 6750 calls this a malformed request.
				w.Header().Set("WWW-Authenticate", `Bearer realm="iocloud-mcp", error="invalid_request"`)
				http.Error(w, "bad request: send exactly one Authorization header", http.StatusBadRequest)
				return
			}
			token := bearer(r.Header.Get("Authorization"))
			if token == "" {
				a.challenge(w, nil)
				return
			}
			var err error
			caller, err = a.identify(r.Context(), token)
			if err != nil {
				a.challenge(w, err)
				return
			}
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), callerKey{}, caller)))
	})
}

// challenge answers 401 with the WWW-Authenticate header RFC 6750 and RFC
// 9728 describe: where to learn how to get a token (with OAuth), and, when a
// token was sent, that it was refused. The body says the same to a person.
func (a *authenticator) challenge(w http.ResponseWriter, refused error) {
	params := []string{`realm="iocloud-mcp"`}
	if a.metadataURL != "" {
		params = append(params, "resource_metadata="+strconv.Quote(a.metadataURL))
	}
	text := "unauthorized: send Authorization: Bearer <token>"
	switch {
	case a.oauth != nil && a.shared == nil && len(a.named) == 0:
		text += " with an access token from " + a.oauth.issuer
	case a.oauth != nil:
		text += " with an access token from " + a.oauth.issuer + " or a token the operator gave you"
	default:
		text += " with the token the operator gave you"
	}
	if refused != nil {
		params = append(params, `error="invalid_token"`, "error_description="+strconv.Quote(refused.Error()))
		text = "unauthorized: " + refused.Error() + "; " + strings.TrimPrefix(text, "unauthorized: ")
	}
	w.Header().Set("WWW-Authenticate", "Bearer "+strings.Join(params, ", "))
	w.Header().Set("Cache-Control", "no-store")
	// The body of a request refused here is never read; closing the
	// connection keeps net/http from waiting for it (see bodyDeadline).
	w.Header().Set("Connection", "close")
	http.Error(w, text, http.StatusUnauthorized)
}

// bearer extracts the credentials of a Bearer authorization header (the
// scheme is case-insensitive); "" when there are none.
func bearer(header string) string {
	scheme, cred, ok := strings.Cut(strings.TrimSpace(header), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(cred)
}
