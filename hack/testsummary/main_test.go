package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// events is what go test -json writes for: a passing test with a passing and
// a skipped subtest; a failing test; a package that does not build; a
// package that times out outside any test; and a plain-text line.
const events = `{"Action":"start","Package":"ok/pkg"}
{"Action":"run","Package":"ok/pkg","Test":"TestA"}
{"Action":"output","Package":"ok/pkg","Test":"TestA","Output":"=== RUN   TestA\n"}
{"Action":"run","Package":"ok/pkg","Test":"TestA/sub"}
{"Action":"pass","Package":"ok/pkg","Test":"TestA/sub"}
{"Action":"skip","Package":"ok/pkg","Test":"TestA/skipped"}
{"Action":"pass","Package":"ok/pkg","Test":"TestA"}
{"Action":"pass","Package":"ok/pkg"}
{"Action":"run","Package":"bad/pkg","Test":"TestB"}
{"Action":"fail","Package":"bad/pkg","Test":"TestB"}
{"Action":"fail","Package":"bad/pkg"}
# broken/pkg
broken/pkg/x.go:3:1: syntax error
{"Action":"output","Package":"broken/pkg","Output":"FAIL\tbroken/pkg [build failed]\n"}
{"Action":"fail","Package":"broken/pkg"}
{"Action":"run","Package":"slow/pkg","Test":"TestC"}
{"Action":"pass","Package":"slow/pkg","Test":"TestC"}
{"Action":"output","Package":"slow/pkg","Output":"panic: test timed out after 10m0s\n"}
{"Action":"fail","Package":"slow/pkg"}
`

func write(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "unit.json")
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	return path
}

func TestCount(t *testing.T) {
	t.Parallel()
	c, err := count(strings.NewReader(events))
	require.NoError(t, err)
	// passed: TestA/sub, TestA, TestC; failed: TestB, plus broken/pkg and
	// slow/pkg, which failed without a failing test; bad/pkg's own failure
	// is TestB's, counted once.
	assert.Equal(t, counts{passed: 3, failed: 3, skipped: 1}, c)
}

func TestSummary(t *testing.T) {
	t.Parallel()
	path := write(t, events)
	line, err := summary(path, 0)
	require.NoError(t, err)
	assert.Equal(t, "3 passed, 3 failed, 1 skipped", line)

	green := write(t, `{"Action":"pass","Package":"p","Test":"TestA"}`+"\n")
	line, err = summary(green, 2)
	require.NoError(t, err)
	assert.Equal(t, "1 passed, 0 failed, 0 skipped — make test FAILED: see the first error above", line,
		"a failing step elsewhere is not hidden behind a green count")

	line, err = summary(filepath.Join(t.TempDir(), "missing.json"), 2)
	require.NoError(t, err)
	assert.Equal(t, "0 passed, 0 failed, 0 skipped (the unit tests did not run) — make test FAILED: see the first error above", line)
}
