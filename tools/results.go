package tools

import (
	"strconv"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
)

// structured returns a result whose structuredContent is v (matching the
// tool's outputSchema) with text as the short readable rendering.
func structured(v any, text string) *mcp.CallToolResult {
	return mcp.NewToolResultStructured(v, text)
}

// dataSource is the tag every readable answer carries, so neither a person
// nor a model mistakes simulator output for io.net's.
func dataSource(sandbox bool) string {
	if sandbox {
		return "sandbox data, not real io.net"
	}
	return "live io.net data"
}

// stamp renders a time for people: UTC, to the second.
func stamp(t time.Time) string {
	return t.UTC().Format(time.RFC3339)
}

// orNow keeps a zero time from reaching a client as 0001-01-01.
func orNow(t time.Time, now func() time.Time) time.Time {
	if t.IsZero() {
		return now().UTC()
	}
	return t.UTC()
}

// nonNil keeps JSON arrays arrays: the output schemas say "array", never null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// plural renders "1 GPU type" / "3 GPU types".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
