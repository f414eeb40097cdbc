package testutil

import (
	"bufio"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// JSONLines decodes JSON-lines text (an audit log), failing on any line
// that is not a JSON object.
func JSONLines(t testing.TB, text string) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		var m map[string]any
		require.NoError(t, json.Unmarshal(sc.Bytes(), &m), "line %q", sc.Text())
		out = append(out, m)
	}
	require.NoError(t, sc.Err())
	return out
}

// AuditFile reads the records of a JSON-lines audit file.
func AuditFile(t testing.TB, path string) []map[string]any {
	t.Helper()
	raw, err := os.ReadFile(path) //nolint:gosec // G304: a path the test itself chose
	require.NoError(t, err)
	return JSONLines(t, string(raw))
}
