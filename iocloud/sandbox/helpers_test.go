package sandbox_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/iocloud-chatops/iocloud/iocloud/sandbox"
)

// noRedirects lets tests see the 307 itself.
var noRedirects = &http.Client{
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	Timeout:       5 * time.Second,
}

func start(t *testing.T, opts ...sandbox.Option) *sandbox.Server {
	t.Helper()
	s, err := sandbox.Start(opts...)
	require.NoError(t, err)
	t.Cleanup(s.Close)
	return s
}

type answer struct {
	Status int
	Header http.Header
	Body   string
}

func (a answer) decode(t *testing.T, v any) {
	t.Helper()
	require.NoError(t, json.Unmarshal([]byte(a.Body), v), "body: %s", a.Body)
}

// send makes one raw request; headers alternate name, value. It makes no
// assertions, so goroutines may call it.
func send(ctx context.Context, method, url, body string, headers ...string) (answer, error) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return answer{}, err
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := noRedirects.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return answer{}, err
	}
	return answer{Status: resp.StatusCode, Header: resp.Header, Body: string(b)}, nil
}

func mustSend(t *testing.T, method, url, body string, headers ...string) answer {
	t.Helper()
	a, err := send(t.Context(), method, url, body, headers...)
	require.NoError(t, err)
	return a
}

func getWithKey(t *testing.T, s *sandbox.Server, pathAndQuery string) answer {
	t.Helper()
	return mustSend(t, http.MethodGet, s.URL()+pathAndQuery, "", "x-api-key", s.APIKey())
}

// fieldErrors decodes a FastAPI 422 body.
type fieldErrors struct {
	Detail []struct {
		Type  string         `json:"type"`
		Loc   []any          `json:"loc"`
		Msg   string         `json:"msg"`
		Input any            `json:"input"`
		Ctx   map[string]any `json:"ctx"`
	} `json:"detail"`
}

func (f fieldErrors) locs() [][]any {
	out := make([][]any, 0, len(f.Detail))
	for _, d := range f.Detail {
		out = append(out, d.Loc)
	}
	return out
}
