package good

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStatus(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusTeapot)
	}))
	defer srv.Close()

	code, err := Status(t.Context(), srv.Client(), srv.URL)
	require.NoError(t, err)
	assert.Equal(t, http.StatusTeapot, code)

	tok, err := NewToken()
	require.NoError(t, err)
	assert.Len(t, tok, 32)
	assert.True(t, IsEnd(io.EOF))
}
