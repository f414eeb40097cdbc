package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/iocloud-chatops/iocloud/tools"
	"github.com/mark3labs/mcp-go/server"
)

// asymmetricAlgs are the signatures an access token may carry. Listing them
// keeps HS256 (a token "signed" with a public key as the HMAC secret) and
// "none" out whatever the issuer's discovery document says.
var asymmetricAlgs = []string{
	oidc.RS256, oidc.RS384, oidc.RS512,
	oidc.ES256, oidc.ES384, oidc.ES512,
	oidc.PS256, oidc.PS384, oidc.PS512,
	oidc.EdDSA,
}

// oauthVerifier checks JWT access tokens from one OpenID issuer for one
// audience, with go-oidc: keys come from the issuer's JWKS (found through its
// discovery document, re-fetched when a token names an unknown key), and
// iss, aud, exp and nbf are checked along with the signature.
type oauthVerifier struct {
	issuer   string
	verifier *oidc.IDTokenVerifier
	logger   *slog.Logger
}

// newOAuthVerifier discovers issuer now, so a wrong or unreachable issuer
// stops start-up with one line instead of failing every request later.
// timeout bounds discovery and every later key fetch.
func newOAuthVerifier(ctx context.Context, issuer, audience string, timeout time.Duration, logger *slog.Logger) (*oauthVerifier, error) {
	// go-oidc keeps this context for its key fetches, so it must outlive
	// start-up: its values (the HTTP client) are what matters, not its end.
	keyCtx := oidc.ClientContext(context.WithoutCancel(ctx), &http.Client{Timeout: timeout})
	discoverCtx, cancel := context.WithTimeout(keyCtx, timeout)
	defer cancel()
	provider, err := oidc.NewProvider(discoverCtx, issuer)
	if err != nil {
		return nil, fmt.Errorf("IOCLOUD_MCP_OAUTH_ISSUER: OpenID discovery at %s/.well-known/openid-configuration failed: %w "+
			"(check the issuer URL, exactly as the provider writes it in its tokens' iss claim)", strings.TrimSuffix(issuer, "/"), err)
	}
	// NewProvider's verifier fetches keys with the context it was given,
	// which here is discoverCtx and ends with this function; build the key set
	// on keyCtx instead.
	var meta struct {
		JWKSURI string `json:"jwks_uri"`
	}
	if err := provider.Claims(&meta); err != nil || meta.JWKSURI == "" {
		return nil, fmt.Errorf("IOCLOUD_MCP_OAUTH_ISSUER: the discovery document of %s names no jwks_uri", issuer)
	}
	keys := oidc.NewRemoteKeySet(keyCtx, meta.JWKSURI)
	v := oidc.NewVerifier(issuer, keys, &oidc.Config{
		ClientID:             audience, // go-oidc's name for the audience a token must carry
		SupportedSigningAlgs: asymmetricAlgs,
	})
	return &oauthVerifier{issuer: issuer, verifier: v, logger: logger}, nil
}

// accessClaims are the claims read beyond the registered ones.
type accessClaims struct {
	Email             string `json:"email"`
	EmailVerified     any    `json:"email_verified"` // a boolean; some providers send "true"
	Name              string `json:"name"`
	PreferredUsername string `json:"preferred_username"`
}

// identify verifies token and names its subject. Why a token was refused
// goes to the operator log (it helps with a wrong audience or issuer); the
// caller only learns whether it had expired.
func (o *oauthVerifier) identify(ctx context.Context, token string) (tools.Caller, error) {
	t, err := o.verifier.Verify(ctx, token)
	if err != nil {
		var expired *oidc.TokenExpiredError
		if errors.As(err, &expired) {
			return tools.Caller{}, errTokenExpired
		}
		o.logger.InfoContext(ctx, "access token refused", "reason", err.Error())
		return tools.Caller{}, errTokenRefused
	}
	if t.Subject == "" {
		o.logger.InfoContext(ctx, "access token refused", "reason", "no sub claim")
		return tools.Caller{}, errTokenRefused
	}
	var c accessClaims
	if err := t.Claims(&c); err != nil {
		o.logger.InfoContext(ctx, "access token refused", "reason", "claims unreadable: "+err.Error())
		return tools.Caller{}, errTokenRefused
	}
	caller := tools.Caller{ID: "oauth:" + t.Subject}
	verified := c.EmailVerified == true || c.EmailVerified == "true"
	if c.Email != "" && verified {
		caller.Email = c.Email
	}
	// An address the provider did not vouch for is no better than any
	// name the caller chose; it is shown last, and marked.
	unverified := ""
	if c.Email != "" && !verified {
		unverified = c.Email + " (unverified)"
	}
	for _, name := range []string{caller.Email, c.Name, c.PreferredUsername, unverified} {
		if name != "" {
			caller.Name = name
			break
		}
	}
	return caller, nil
}

// protectedResource is the RFC 9728 metadata of the /mcp endpoint: which
// issuer's tokens it takes. resource is the public /mcp URL.
func (o *oauthVerifier) protectedResource(resource string) server.ProtectedResourceMetadataConfig {
	return server.ProtectedResourceMetadataConfig{
		Resource:               resource,
		AuthorizationServers:   []string{o.issuer},
		BearerMethodsSupported: []string{"header"},
		ResourceName:           binaryName + " (io.net IO Cloud)",
	}
}
