package sandbox_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/iocloud-chatops/iocloud/iocloud/sandbox"
)

func TestSlashlessKeysPathRedirects(t *testing.T) {
	s := start(t)
	a := mustSend(t, http.MethodPost, s.URL()+"/v1/api-keys?x=1", `{}`, "token", s.JWT())
	require.Equal(t, http.StatusTemporaryRedirect, a.Status)
	assert.Equal(t, s.URL()+"/v1/api-keys/?x=1", a.Header.Get("Location"))
	assert.Empty(t, a.Body)
	assert.Zero(t, s.Requests(sandbox.RouteCreateKey), "a redirect does not reach the route")
	assert.Empty(t, s.CreatedKeys())

	// The other direction too, as Starlette's redirect_slashes does.
	a = mustSend(t, http.MethodGet, s.URL()+sandbox.PathHardware+"/", "", "x-api-key", s.APIKey())
	require.Equal(t, http.StatusTemporaryRedirect, a.Status)
	assert.Equal(t, s.URL()+sandbox.PathHardware, a.Header.Get("Location"))
}

func TestUnknownRouteAndWrongMethod(t *testing.T) {
	s := start(t)
	a := mustSend(t, http.MethodGet, s.URL()+"/enterprise/v1/io-cloud/caas/nope", "", "x-api-key", s.APIKey())
	assert.Equal(t, http.StatusNotFound, a.Status)
	assert.JSONEq(t, `{"detail":"Not Found"}`, a.Body)
	assert.Equal(t, "application/json", a.Header.Get("Content-Type"))

	a = mustSend(t, http.MethodPost, s.URL()+sandbox.PathHardware, "", "x-api-key", s.APIKey())
	assert.Equal(t, http.StatusMethodNotAllowed, a.Status)
	assert.JSONEq(t, `{"detail":"Method Not Allowed"}`, a.Body)
	assert.Equal(t, http.MethodGet, a.Header.Get("Allow"))

	a = mustSend(t, http.MethodPut, s.URL()+sandbox.PathCreateKey, "", "token", s.JWT())
	assert.Equal(t, http.StatusMethodNotAllowed, a.Status)
	assert.Equal(t, "POST, GET", a.Header.Get("Allow"))

	a = mustSend(t, http.MethodGet, s.URL()+sandbox.KeyPath("3f0c2a7e-1111-4222-8333-944455556666"), "", "token", s.JWT())
	assert.Equal(t, http.StatusMethodNotAllowed, a.Status)
	assert.Equal(t, http.MethodDelete, a.Header.Get("Allow"))

	// One key's path with a trailing slash redirects like any other route.
	a = mustSend(t, http.MethodDelete, s.URL()+sandbox.KeyPath("3f0c2a7e-1111-4222-8333-944455556666")+"/", "", "token", s.JWT())
	assert.Equal(t, http.StatusTemporaryRedirect, a.Status)
	assert.Equal(t, s.URL()+sandbox.KeyPath("3f0c2a7e-1111-4222-8333-944455556666"), a.Header.Get("Location"))

	assert.Zero(t, s.Requests(sandbox.RouteHardware))
	assert.Zero(t, s.Requests(sandbox.RouteCreateKey))
	assert.Zero(t, s.Requests(sandbox.RouteListKeys))
	assert.Zero(t, s.Requests(sandbox.RouteRevokeKey))
}

func TestHandlerWithoutListening(t *testing.T) {
	s := sandbox.New()
	defer s.Close()
	assert.Empty(t, s.URL())
	req := httptest.NewRequestWithContext(t.Context(), http.MethodGet, sandbox.PathHardware, nil)
	req.Header.Set("x-api-key", s.APIKey())
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, 1, s.Requests(sandbox.RouteHardware))
}

func TestStartListensOnLoopbackAndCloses(t *testing.T) {
	s, err := sandbox.Start()
	require.NoError(t, err)
	assert.Regexp(t, `^http://127\.0\.0\.1:\d+$`, s.URL())
	assert.Equal(t, http.StatusOK, getWithKey(t, s, sandbox.PathHardware).Status)
	s.Close()
	s.Close() // idempotent
	_, err = send(t.Context(), http.MethodGet, s.URL()+sandbox.PathHardware, "")
	require.Error(t, err)
}

func TestCredentialsAreStable(t *testing.T) {
	a, b := sandbox.New(), sandbox.New()
	assert.Equal(t, "sandbox-io-cloud-api-key-0000", a.APIKey())
	assert.Equal(t, a.APIKey(), b.APIKey())
	assert.Equal(t, sandbox.NodePoolID, a.NodePoolID())
}
