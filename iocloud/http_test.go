package iocloud

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every error status io.net (or a proxy in front of it) may send becomes an
// *APIError that matches the right sentinel and keeps what matters.
func TestErrorAnswersBecomeAPIErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		status      int
		body, ctype string
		retryAfter  string
		sentinel    error
		detail      string
		fields      []string // FieldError.Name() of each item
		retryWait   time.Duration
		advice      string
	}{
		{name: "401 text detail", status: 401, body: `{"detail":"Invalid API key"}`, sentinel: ErrUnauthorized,
			detail: "Invalid API key", advice: "check the configured io.net API key (IOCLOUD_API_KEY)"},
		{name: "403", status: 403, body: `{"detail":"API key is not valid for io-cloud"}`, sentinel: ErrForbidden,
			detail: "API key is not valid for io-cloud", advice: "io-cloud project"},
		{name: "404", status: 404, body: `{"detail":"Not Found"}`, sentinel: ErrNotFound, detail: "Not Found", advice: "404"},
		{name: "422 pydantic v2 list", status: 422, sentinel: ErrValidation,
			body: `{"detail":[{"type":"missing","loc":["query","hardware_id"],"msg":"Field required","input":null},` +
				`{"type":"greater_than_equal","loc":["query","hardware_qty"],"msg":"Input should be greater than or equal to 1","input":"0","ctx":{"ge":1}}]}`,
			fields: []string{"hardware_id", "hardware_qty"}, advice: "hardware_id (Field required); hardware_qty (Input should be greater than or equal to 1)"},
		{name: "422 int loc items", status: 422, sentinel: ErrValidation,
			body:   `{"detail":[{"loc":["body","scopes",0],"msg":"Input should be 'all', 'read' or 'write'","type":"enum","url":"https://errors.pydantic.dev"}]}`,
			fields: []string{"0"}, advice: "0 (Input should be 'all', 'read' or 'write')"},
		{name: "400 key_set", status: 400, body: `{"key_set": true}`, sentinel: ErrValidation, detail: `{"key_set":true}`, advice: "io-cloud project"},
		{name: "429 with Retry-After", status: 429, body: `{"detail":"Too Many Requests"}`, retryAfter: "7", sentinel: ErrRateLimited,
			detail: "Too Many Requests", retryWait: 7 * time.Second, advice: "wait 7 s"},
		{name: "429 without Retry-After", status: 429, body: ``, sentinel: ErrRateLimited, advice: "wait 5 s"},
		{name: "502 HTML from a proxy", status: 502, ctype: "text/html", sentinel: ErrUnavailable, detail: "502 Bad Gateway",
			body:   "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>",
			advice: "try again in a minute"},
		{name: "503 plain text", status: 503, ctype: "text/plain", body: "upstream connect error\n\tor disconnect", sentinel: ErrUnavailable,
			detail: "upstream connect error or disconnect", advice: "try again in a minute"},
		{name: "500 empty", status: 500, sentinel: ErrUnavailable, advice: "try again in a minute"},
		{name: "418 other JSON", status: 418, body: `{"message":"I'm a teapot"}`, detail: "I'm a teapot", advice: "I'm a teapot"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			up := newUpstream(t, func(w http.ResponseWriter, _ *http.Request) {
				ct := tt.ctype
				if ct == "" {
					ct = "application/json"
				}
				w.Header().Set("Content-Type", ct)
				if tt.retryAfter != "" {
					w.Header().Set("Retry-After", tt.retryAfter)
				}
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			})
			c := newClientFor(t, up.URL, WithRetry(1, 0, 0, 5*time.Second))
			_, err := c.AvailableReplicas(t.Context(), ReplicaQuery{HardwareID: 7, GPUsPerContainer: 1})
			require.Error(t, err)

			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tt.status, apiErr.StatusCode)
			assert.Equal(t, http.MethodGet, apiErr.Method)
			assert.Equal(t, pathReplicas, apiErr.Path, "the path never carries the query")
			assert.Equal(t, tt.detail, apiErr.Detail)
			var names []string
			for _, f := range apiErr.Fields {
				names = append(names, f.Name())
			}
			assert.Equal(t, tt.fields, names)
			assert.Equal(t, tt.retryWait, apiErr.RetryAfter)
			for _, s := range []error{ErrUnauthorized, ErrForbidden, ErrNotFound, ErrValidation, ErrRateLimited, ErrUnavailable} {
				assert.Equal(t, errors.Is(s, tt.sentinel) && tt.sentinel != nil, errors.Is(err, s), "errors.Is(err, %v)", s)
			}
			assert.Contains(t, testHints.Advice(err), tt.advice)
			assert.LessOrEqual(t, len(err.Error()), maxErrorString)
			assert.NotContains(t, err.Error(), "hardware_qty=1", "no query in error text")
		})
	}
}

func TestMalformedAnswersAreClearErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body, want string
	}{
		{"truncated", `{"data":{"hardware":[{"hardware_id":7,`, "ends early"},
		{"not json", `<html>ok</html>`, "invalid JSON"},
		{"no data", `{}`, `no "data"`},
		{"wrong type", `{"data":{"hardware":[{"hardware_id":"seven"}]}}`, "should be"},
		{"item without id", `{"data":{"hardware":[{"hardware_name":"X"}]}}`, "no id or name"},
		{"empty body", ``, "ends early"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			up := newUpstream(t, func(w http.ResponseWriter, _ *http.Request) { answerJSON(w, http.StatusOK, tt.body) })
			c := newClientFor(t, up.URL)
			_, err := c.Hardware(t.Context())
			require.ErrorIs(t, err, ErrUnavailable)
			assert.Contains(t, err.Error(), "malformed answer")
			assert.Contains(t, err.Error(), tt.want)
			assert.Equal(t, 1, up.count(pathHardware), "a malformed 200 is not retried")
		})
	}
}

func TestOversizedAnswersAreRefused(t *testing.T) {
	t.Parallel()
	huge := `{"data":[` + strings.Repeat(`{"id":1,"iso2":"DE","name":"Germany","available_replicas":1},`, 80_000) + `{}]}`
	require.Greater(t, len(huge), maxSuccessBody)
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == pathHardware {
			// An error body far above the 1 MiB limit still gives a short error.
			answerJSON(w, http.StatusInternalServerError, `{"detail":"`+strings.Repeat("x", 3<<20)+`"}`)
			return
		}
		answerJSON(w, http.StatusOK, huge)
	})
	c := newClientFor(t, up.URL, WithRetry(1, 0, 0, 5*time.Second))
	_, err := c.AvailableReplicas(t.Context(), ReplicaQuery{HardwareID: 7, GPUsPerContainer: 1})
	require.ErrorIs(t, err, ErrUnavailable)
	assert.Contains(t, err.Error(), "larger than 4 MiB")

	_, err = c.Hardware(t.Context())
	require.ErrorIs(t, err, ErrUnavailable)
	assert.LessOrEqual(t, len(err.Error()), maxErrorString)
}

func TestConnectionFailuresWrapUnavailable(t *testing.T) {
	t.Parallel()
	up := newUpstream(t, ionetHandler)
	url := up.URL
	up.Close() // nothing listens there any more
	c := newClientFor(t, url)
	_, err := c.Hardware(t.Context())
	require.ErrorIs(t, err, ErrUnavailable)
	assert.Contains(t, err.Error(), "got no answer")
	assert.Equal(t, "io.net is unavailable or timed out; try again in a minute.", testHints.Advice(err))
}

func TestSlowAnswersTimeOut(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
		ionetHandler(w, r)
	})
	defer close(release)
	c := newClientFor(t, up.URL, WithTimeout(50*time.Millisecond), WithRetry(1, 0, 0, 5*time.Second))
	start := time.Now()
	_, err := c.Hardware(t.Context())
	require.ErrorIs(t, err, ErrUnavailable)
	assert.Contains(t, err.Error(), "no answer in time")
	assert.Less(t, time.Since(start), 2*time.Second)
}

func TestCallerCancellationIsNotAnOutage(t *testing.T) {
	t.Parallel()
	up := newUpstream(t, func(_ http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body) // then the server notices the client leaving
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	c := newClientFor(t, up.URL)
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(20*time.Millisecond, cancel)
	_, err := c.CreateAPIKey(ctx, sampleKeyRequest())
	require.ErrorIs(t, err, context.Canceled)
	require.NotErrorIs(t, err, ErrUnavailable)
	assert.Equal(t, "The request was cancelled.", testHints.Advice(err))
}

// No error text, and no advice, ever holds a credential: not for answers,
// not for failures, and not when io.net echoes a credential back.
func TestErrorsNeverContainCredentials(t *testing.T) {
	t.Parallel()
	echo := func(r *http.Request) string {
		return r.Header.Get("x-api-key") + r.Header.Get("token")
	}
	scenarios := map[string]http.HandlerFunc{
		"401 echoing the key": func(w http.ResponseWriter, r *http.Request) {
			answerJSON(w, http.StatusUnauthorized, `{"detail":"Invalid API key `+echo(r)+`"}`)
		},
		"422 echoing the key as input": func(w http.ResponseWriter, r *http.Request) {
			answerJSON(w, http.StatusUnprocessableEntity, `{"detail":[{"loc":["header","x-api-key `+echo(r)+`"],"msg":"bad `+echo(r)+`","type":"x","input":"`+echo(r)+`"}]}`)
		},
		"502 HTML echoing the key": func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusBadGateway)
			_, _ = w.Write([]byte("<html><title>Bad gateway for " + echo(r) + "</title></html>"))
		},
		"long detail cut inside the key": func(w http.ResponseWriter, r *http.Request) {
			answerJSON(w, http.StatusBadRequest, `{"detail":"`+strings.Repeat("a", maxDetail-12)+echo(r)+`"}`)
		},
		"other JSON echoing the key": func(w http.ResponseWriter, r *http.Request) {
			answerJSON(w, http.StatusBadRequest, `{"key":"`+echo(r)+`"}`)
		},
		"malformed": func(w http.ResponseWriter, _ *http.Request) {
			answerJSON(w, http.StatusOK, `{"data":`)
		},
		"dropped connection": func(w http.ResponseWriter, _ *http.Request) {
			conn, _, err := http.NewResponseController(w).Hijack()
			if err == nil {
				_ = conn.Close()
			}
		},
	}
	for name, h := range scenarios {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			up := newUpstream(t, h)
			c := newClientFor(t, up.URL, WithRetry(2, time.Millisecond, time.Millisecond, 5*time.Second))
			_, errRead := c.Hardware(t.Context())
			_, errCreate := c.CreateAPIKey(t.Context(), sampleKeyRequest())
			for _, err := range []error{errRead, errCreate} {
				require.Error(t, err)
				for _, text := range []string{err.Error(), testHints.Advice(err)} {
					assert.NotContains(t, text, clientTestKey)
					assert.NotContains(t, text, clientTestJWT)
					assert.NotContains(t, text, clientTestKey[:8], "not even a prefix of the key")
					assert.NotContains(t, text, clientTestJWT[:20], "not even a prefix of the token")
				}
			}
		})
	}
}

func TestCreateKeyFailureWarnsTheKeyMayExist(t *testing.T) {
	t.Parallel()
	up := newUpstream(t, func(w http.ResponseWriter, _ *http.Request) { answerJSON(w, http.StatusCreated, `{"value":`) })
	c := newClientFor(t, up.URL)
	_, err := c.CreateAPIKey(t.Context(), sampleKeyRequest())
	require.ErrorIs(t, err, ErrUnavailable)
	assert.Contains(t, err.Error(), "may have been created")
	assert.Contains(t, testHints.Advice(err), "ai.io.net/ai/api-keys")
}

// The client's own logs, retryablehttp's included, never show a credential.
func TestLogsNeverContainCredentials(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&lockedWriter{mu: &mu, w: &buf}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	up := newUpstream(t, failFirst(2, http.StatusServiceUnavailable, ""))
	c := newClientFor(t, up.URL, WithLogger(logger))
	_, err := c.Hardware(t.Context())
	require.NoError(t, err)
	_, err = c.CreateAPIKey(t.Context(), sampleKeyRequest())
	require.NoError(t, err)

	mu.Lock()
	out := buf.String()
	mu.Unlock()
	assert.Contains(t, out, "retrying request", "retryablehttp logs through our logger")
	assert.Contains(t, out, "io.net answered")
	assert.NotContains(t, out, clientTestKey)
	assert.NotContains(t, out, clientTestJWT)
	assert.NotContains(t, out, "io-v2-NEWSECRET")
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
