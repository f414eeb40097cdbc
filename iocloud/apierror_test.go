package iocloud

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDecodeErrorBody(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body string
		detail     string
		fields     []FieldError
	}{
		{name: "empty", body: "", detail: ""},
		{name: "blank", body: " \n\t", detail: ""},
		{name: "string detail", body: `{"detail":"Invalid API key"}`, detail: "Invalid API key"},
		{name: "detail with newlines", body: `{"detail":"line one\nline\ttwo"}`, detail: "line one line two"},
		{name: "fastapi list", body: `{"detail":[{"loc":["query","hardware_id"],"msg":"Field required","type":"missing","input":null}]}`,
			fields: []FieldError{{Loc: []string{"query", "hardware_id"}, Msg: "Field required", Type: "missing"}}},
		{name: "int loc and ctx", body: `{"detail":[{"type":"enum","loc":["body","scopes",1],"msg":"bad","ctx":{"expected":"'all'"}}]}`,
			fields: []FieldError{{Loc: []string{"body", "scopes", "1"}, Msg: "bad", Type: "enum"}}},
		{name: "list item not an object", body: `{"detail":["just text", 3]}`,
			fields: []FieldError{{Msg: `"just text"`}, {Msg: "3"}}},
		{name: "empty list", body: `{"detail":[]}`, detail: ""},
		{name: "object detail", body: `{"detail":{"code":7,"reason":"x"}}`, detail: `{"code":7,"reason":"x"}`},
		{name: "null detail", body: `{"detail":null}`, detail: ""},
		{name: "message key", body: `{"message":"Internal error"}`, detail: "Internal error"},
		{name: "key_set", body: `{"key_set": true}`, detail: `{"key_set":true}`},
		{name: "json array", body: `[1, 2]`, detail: "[1,2]"},
		{name: "json string", body: `"oops"`, detail: `"oops"`},
		{name: "html title", body: "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>", detail: "502 Bad Gateway"},
		{name: "html without title", body: "<h1>Service\nUnavailable</h1><p>later</p>", detail: "Service Unavailable later"},
		{name: "plain text", body: "upstream timed out", detail: "upstream timed out"},
		{name: "control characters", body: "bad\x00\x1b[31mred\x7f", detail: "bad [31mred"},
		{name: "invalid utf-8", body: "caf\xe9", detail: "caf\uFFFD"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			detail, fields := decodeErrorBody([]byte(tt.body), nil)
			assert.Equal(t, tt.detail, detail)
			assert.Equal(t, tt.fields, fields)
		})
	}
}

func TestDecodeErrorBodyBoundsWhatItKeeps(t *testing.T) {
	t.Parallel()
	detail, _ := decodeErrorBody([]byte(`{"detail":"`+strings.Repeat("é", 5000)+`"}`), nil)
	assert.LessOrEqual(t, len(detail), maxDetail)
	assert.True(t, utf8.ValidString(detail), "cut at a rune boundary")
	assert.True(t, strings.HasSuffix(detail, "..."))

	items := strings.Repeat(`{"loc":["a","b","c","d","e","f","g","h"],"msg":"`+strings.Repeat("m", 500)+`","type":"t"},`, 100)
	_, fields := decodeErrorBody([]byte(`{"detail":[`+items+`{}]}`), nil)
	require.Len(t, fields, maxFields)
	assert.Len(t, fields[0].Loc, maxLocItems)
	assert.LessOrEqual(t, len(fields[0].Msg), maxFieldMsg)

	err := &APIError{StatusCode: 422, Method: "GET", Path: pathReplicas, Fields: fields}
	assert.LessOrEqual(t, len(err.Error()), maxErrorString)
	assert.Regexp(t, `; and \d+ more$`, err.Error())
}

func TestDecodeErrorBodyRedactsBeforeCutting(t *testing.T) {
	t.Parallel()
	secret := "io-v2-ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	redact := func(s string) string { return strings.ReplaceAll(s, secret, redacted) }
	body := `{"detail":"` + strings.Repeat("x", maxDetail-10) + secret + `"}`
	detail, _ := decodeErrorBody([]byte(body), redact)
	assert.NotContains(t, detail, "io-v2-A")
	assert.Contains(t, detail, redacted)
}

func TestAPIErrorText(t *testing.T) {
	t.Parallel()
	e := &APIError{StatusCode: 429, Method: "GET", Path: pathHardware, Detail: "Too Many Requests", RetryAfter: 1500 * time.Millisecond}
	assert.Equal(t, "io.net answered 429 Too Many Requests to GET "+pathHardware+": Too Many Requests (retry after 2s)", e.Error())
	e = &APIError{StatusCode: 422, Method: "POST", Path: pathCreateKey,
		Fields: []FieldError{{Loc: []string{"body", "scopes", "0"}, Msg: "Input should be 'all'"}, {Loc: []string{"body", "project"}}}}
	assert.Equal(t, "io.net answered 422 Unprocessable Entity to POST /v1/api-keys/: body.scopes.0: Input should be 'all'; body.project", e.Error())
	assert.Equal(t, "io.net answered 599", (&APIError{StatusCode: 599}).Error())
}

func TestAPIErrorIs(t *testing.T) {
	t.Parallel()
	sentinels := []error{ErrUnauthorized, ErrForbidden, ErrNotFound, ErrValidation, ErrRateLimited, ErrUnavailable}
	tests := map[int]error{
		400: ErrValidation, 401: ErrUnauthorized, 403: ErrForbidden, 404: ErrNotFound, 408: ErrUnavailable,
		409: nil, 422: ErrValidation, 429: ErrRateLimited, 500: ErrUnavailable, 502: ErrUnavailable,
		503: ErrUnavailable, 504: ErrUnavailable, 599: ErrUnavailable,
	}
	for status, want := range tests {
		var err error = &APIError{StatusCode: status}
		err = errors.Join(errors.New("wrapped"), err)
		for _, s := range sentinels {
			assert.Equal(t, errors.Is(s, want) && want != nil, errors.Is(err, s), "status %d, %v", status, s)
		}
		assert.NotErrorIs(t, err, ErrNoJWT)
	}
}

func TestInputError(t *testing.T) {
	t.Parallel()
	err := checkGPUsPerContainer(9)
	require.ErrorIs(t, err, ErrValidation)
	assert.Equal(t, "GPUs per container must be between 1 and 8, got 9", err.Error())
	assert.Equal(t, "GPUs per container must be between 1 and 8, got 9.", testHints.Advice(err))
	assert.Equal(t, "Scopes are empty; use all, read or write.", testHints.Advice(KeyRequest{Description: "d", ExpiresAt: time.Now(), Project: "p"}.validate()))
}

// FuzzDecodeErrorBody: whatever io.net or a proxy sends, decoding never
// panics, and the error built from it stays short and printable.
func FuzzDecodeErrorBody(f *testing.F) {
	for _, seed := range []string{
		`{"detail":"Invalid API key"}`,
		`{"detail":[{"loc":["query","hardware_id"],"msg":"Field required","type":"missing","input":null}]}`,
		`{"detail":[{"type":"greater_than_equal","loc":["query","hardware_qty"],"msg":"Input should be greater than or equal to 1","input":"0","ctx":{"ge":1}}]}`,
		`{"detail":[{"loc":["body","scopes",0],"msg":"x","type":"enum"},"text",7,null,[1]]}`,
		`{"detail":{"nested":{"deep":[1,2,3]}}}`,
		`{"key_set": true}`,
		"<html><head><title>502 Bad Gateway</title></head><body><h1>502</h1></body></html>",
		"<title>",
		"",
		"\x00\xff\xfe junk \u202e",
		`{"detail":"` + strings.Repeat("a", 2000) + `"}`,
		`[{"detail":1}]`,
		`{"detail":[{"loc":"not a list","msg":{"a":1},"type":[]}]}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		detail, fields := decodeErrorBody(body, nil)
		require.LessOrEqual(t, len(detail), maxDetail)
		require.LessOrEqual(t, len(fields), maxFields)
		err := &APIError{StatusCode: 422, Method: http.MethodGet, Path: pathReplicas, Detail: detail, Fields: fields, RetryAfter: time.Second}
		text := err.Error()
		require.LessOrEqual(t, len(text), maxErrorString)
		require.True(t, utf8.ValidString(text))
		require.NotContains(t, text, "\n")
		require.LessOrEqual(t, len(testHints.Advice(err)), 2*maxErrorString)
	})
}

func BenchmarkDecodeErrorBody(b *testing.B) {
	body := []byte(`{"detail":[{"type":"missing","loc":["query","hardware_id"],"msg":"Field required","input":null},` +
		`{"type":"greater_than_equal","loc":["query","hardware_qty"],"msg":"Input should be greater than or equal to 1","input":"0","ctx":{"ge":1}}]}`)
	for b.Loop() {
		decodeErrorBody(body, nil)
	}
}

func BenchmarkDecodeErrorBodyHTML(b *testing.B) {
	body := []byte("<html><head><title>502 Bad Gateway</title></head><body>" + strings.Repeat("<p>filler</p>", 500) + "</body></html>")
	for b.Loop() {
		decodeErrorBody(body, nil)
	}
}

func BenchmarkCachedRead(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(ionetHandler))
	defer srv.Close()
	c := newClientFor(b, srv.URL, WithCacheTTL(time.Hour))
	q := ReplicaQuery{HardwareID: 7, GPUsPerContainer: 1}
	if _, err := c.AvailableReplicas(b.Context(), q); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := c.AvailableReplicas(b.Context(), q); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUncachedRead(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(ionetHandler))
	defer srv.Close()
	c := newClientFor(b, srv.URL, WithCacheTTL(0))
	for b.Loop() {
		if _, err := c.Hardware(b.Context()); err != nil {
			b.Fatal(err)
		}
	}
}
