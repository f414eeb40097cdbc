// Package bad holds one deliberate mistake per line marked "want: LINTER...";
// hack/lintcheck/check.sh fails unless golangci-lint, run with the repository's
// .golangci.yml, reports exactly those linters on exactly those lines.
package bad

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand"
	"net/http"
)

// Status forgets the context and never closes the body: two linters, one line.
func Status(url string) (int, error) {
	resp, err := http.Get(url) // want: bodyclose noctx gosec
	if err != nil {
		return 0, fmt.Errorf("status: %v", err) // want: errorlint
	}
	return resp.StatusCode, nil
}

// Create spells the method as a string literal.
func Create(ctx context.Context, url string) (*http.Request, error) {
	return http.NewRequestWithContext(ctx, "POST", url, nil) // want: usestdlibvars
}

// NewToken makes a secret from a predictable source.
func NewToken() string {
	return fmt.Sprintf("%016x", rand.Int63()) // want: gosec
}

// IsEnd compares errors with ==, which misses wrapped errors.
func IsEnd(err error) bool {
	return err == io.EOF // want: errorlint
}

// Logged mixes an attribute into key-value logging.
func Logged(id string) {
	slog.Info("key created", "project", "io-cloud", slog.String("id", id)) // want: sloglint
}

// Decode drops the error.
func Decode(b []byte, v any) {
	json.Unmarshal(b, v) // want: errcheck
}

// Refresh has a caller's context but starts a fresh one further down.
func Refresh(ctx context.Context) error {
	_ = ctx
	return refresh() // want: contextcheck
}

func refresh() error {
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, "http://127.0.0.1/", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// Receive is documented as able to recieve. // want: misspell
func Receive() {}

// Quiet silences a linter without naming it or saying why.
func Quiet() int {
	x := 1 //nolint // want: nolintlint
	return x
}

var  badlySpaced = 1 // want: gofmt goimports
