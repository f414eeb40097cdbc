// Package oidcprovider runs a real OpenID provider on loopback for tests:
// zitadel/oidc's certified op package with its example storage, extended
// only with service clients that get JWT access tokens through the
// client_credentials grant. Tests use it to show that iocloud-mcp discovers
// a real issuer and checks the tokens it issues; nothing here mints a token
// by hand.
package oidcprovider

import (
	"context"
	"crypto/rand"
	"errors"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/zitadel/oidc/v3/example/server/storage"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/oauth2/clientcredentials"
)

// Client is a service account that gets access tokens with its own
// id and secret (client_credentials). The token's subject is Subject.
type Client struct {
	ID, Secret string
	Subject    string
	// Audience is what the token is for (its aud claim).
	Audience []string
	// Email, when set, goes into the token as a verified email.
	Email string
	// Lifetime of its access tokens; 0 is the example storage's 5 minutes.
	Lifetime time.Duration
}

// Provider is the running provider.
type Provider struct {
	// Issuer is its issuer URL, http://127.0.0.1:PORT.
	Issuer string
	// TokenURL is its token endpoint.
	TokenURL string
	store    *store
	srv      *http.Server
	done     chan struct{}
}

// Start serves a provider on a free loopback port. issuer, when not empty,
// is the issuer it writes into tokens instead of its own URL: a second
// provider posing as the first, with its own signing key.
func Start(issuer string, clients ...Client) (*Provider, error) {
	var lc net.ListenConfig
	ln, err := lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	self := "http://" + ln.Addr().String()
	if issuer == "" {
		issuer = self
	}
	var cryptoKey [32]byte
	if _, err := rand.Read(cryptoKey[:]); err != nil {
		_ = ln.Close()
		return nil, err
	}
	st := &store{Storage: storage.NewStorage(storage.NewUserStore(issuer)), clients: map[string]Client{}}
	for _, c := range clients {
		st.add(c)
	}
	provider, err := op.NewOpenIDProvider(issuer, &op.Config{ //nolint:staticcheck // NewProvider needs an issuer func; the fixed loopback issuer is what the test wants
		CryptoKey:      cryptoKey,
		CodeMethodS256: true,
		AuthMethodPost: true,
	}, st, op.WithAllowInsecure())
	if err != nil {
		_ = ln.Close()
		return nil, err
	}
	p := &Provider{
		Issuer:   issuer,
		TokenURL: self + "/oauth/token",
		store:    st,
		srv:      &http.Server{Handler: provider, ReadHeaderTimeout: 5 * time.Second},
		done:     make(chan struct{}),
	}
	go func() {
		defer close(p.done)
		_ = p.srv.Serve(ln)
	}()
	return p, nil
}

// AddClient registers (or replaces) a service client, for audiences only
// known once the server under test runs.
func (p *Provider) AddClient(c Client) { p.store.add(c) }

// Token gets an access token for the client through the token endpoint,
// as any OAuth client would.
func (p *Provider) Token(ctx context.Context, c Client) (string, error) {
	cfg := clientcredentials.Config{ClientID: c.ID, ClientSecret: c.Secret, TokenURL: p.TokenURL}
	tok, err := cfg.Token(ctx)
	if err != nil {
		return "", err
	}
	if tok.AccessToken == "" {
		return "", errors.New("oidcprovider: empty access token")
	}
	return tok.AccessToken, nil
}

// Close stops the provider.
func (p *Provider) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = p.srv.Shutdown(ctx)
	<-p.done
}

// store is the example storage with service clients of our own: the
// example's single one gets opaque tokens, and its audience is fixed.
type store struct {
	*storage.Storage
	mu      sync.Mutex
	clients map[string]Client
}

func (s *store) add(c Client) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clients[c.ID] = c
}

func (s *store) client(id string) (Client, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.clients[id]
	return c, ok
}

func (s *store) bySubject(sub string) (Client, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.clients {
		if c.Subject == sub {
			return c, true
		}
	}
	return Client{}, false
}

func (s *store) ClientCredentials(_ context.Context, id, secret string) (op.Client, error) {
	c, ok := s.client(id)
	if !ok || c.Secret != secret {
		return nil, errors.New("wrong client id or secret")
	}
	return serviceClient{id: id}, nil
}

func (s *store) ClientCredentialsTokenRequest(_ context.Context, id string, scopes []string) (op.TokenRequest, error) {
	c, ok := s.client(id)
	if !ok {
		return nil, errors.New("wrong client id")
	}
	return &oidc.JWTTokenRequest{Subject: c.Subject, Audience: c.Audience, Scopes: scopes}, nil
}

// CreateAccessToken keeps the example storage's bookkeeping and applies the
// client's lifetime.
func (s *store) CreateAccessToken(ctx context.Context, req op.TokenRequest) (string, time.Time, error) {
	id, exp, err := s.Storage.CreateAccessToken(ctx, req)
	if err != nil {
		return "", time.Time{}, err
	}
	if c, ok := s.bySubject(req.GetSubject()); ok && c.Lifetime > 0 {
		exp = time.Now().Add(c.Lifetime)
	}
	return id, exp, nil
}

// GetPrivateClaimsFromScopes adds a service client's verified email to its
// JWT access tokens.
func (s *store) GetPrivateClaimsFromScopes(ctx context.Context, subject, clientID string, scopes []string) (map[string]any, error) {
	if c, ok := s.client(clientID); ok && c.Email != "" {
		return map[string]any{"email": c.Email, "email_verified": true}, nil
	}
	return s.Storage.GetPrivateClaimsFromScopes(ctx, subject, clientID, scopes)
}

// serviceClient is a confidential client allowed only client_credentials,
// whose access tokens are JWTs.
type serviceClient struct{ id string }

func (c serviceClient) GetID() string                      { return c.id }
func (serviceClient) RedirectURIs() []string               { return nil }
func (serviceClient) PostLogoutRedirectURIs() []string     { return nil }
func (serviceClient) ApplicationType() op.ApplicationType  { return op.ApplicationTypeWeb }
func (serviceClient) AuthMethod() oidc.AuthMethod          { return oidc.AuthMethodBasic }
func (serviceClient) ResponseTypes() []oidc.ResponseType   { return nil }
func (serviceClient) LoginURL(string) string               { return "" }
func (serviceClient) AccessTokenType() op.AccessTokenType  { return op.AccessTokenTypeJWT }
func (serviceClient) IDTokenLifetime() time.Duration       { return 5 * time.Minute }
func (serviceClient) DevMode() bool                        { return false }
func (serviceClient) IsScopeAllowed(string) bool           { return false }
func (serviceClient) IDTokenUserinfoClaimsAssertion() bool { return false }
func (serviceClient) ClockSkew() time.Duration             { return 0 }
func (serviceClient) GrantTypes() []oidc.GrantType {
	return []oidc.GrantType{oidc.GrantTypeClientCredentials}
}
func (serviceClient) RestrictAdditionalIdTokenScopes() func([]string) []string { //nolint:revive // zitadel's interface name
	return func(s []string) []string { return s }
}
func (serviceClient) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
