package guard_test

import (
	"bytes"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/iocloud-chatops/iocloud/internal/testutil"
	"github.com/iocloud-chatops/iocloud/iocloud"
	"github.com/iocloud-chatops/iocloud/iocloud/guard"
)

// syncBuffer is a bytes.Buffer safe for concurrent writers and readers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func sampleEvent() guard.AuditEvent {
	return guard.AuditEvent{
		Frontend: "slack",
		Actor:    "slack:T1/U1",
		Action:   "create_api_key",
		Outcome:  iocloud.OutcomeCreated,
		Request: &iocloud.KeyRequest{
			Description: "CI key",
			ExpiresAt:   time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC),
			Project:     "io-cloud",
			Scopes:      []string{"read"},
		},
		KeyID:   "7f3c2a10-0000-4000-8000-000000000001",
		Display: "io-v2-abcd...wxyz",
		Sandbox: true,
	}
}

func TestAuditWritesJSONLines(t *testing.T) {
	t.Parallel()
	var out syncBuffer
	audit := guard.NewAudit(&out, slog.New(slog.DiscardHandler))

	at := time.Date(2026, 11, 5, 13, 0, 0, 0, time.FixedZone("CET", 3600))
	ev := sampleEvent()
	ev.Time = at
	audit.Record(t.Context(), ev)
	before := time.Now()
	audit.Record(t.Context(), guard.AuditEvent{Frontend: "mcp", Actor: "mcp:s1", Action: "create_api_key", Outcome: guard.OutcomeRefused, Reason: "description: is empty"})

	lines := auditLines(t, out.String())
	require.Len(t, lines, 2)
	assert.Equal(t, map[string]any{
		"time":     "2026-11-05T12:00:00Z",
		"frontend": "slack",
		"actor":    "slack:T1/U1",
		"action":   "create_api_key",
		"outcome":  "created",
		"request": map[string]any{
			"description": "CI key",
			"expires_at":  "2026-12-05T12:00:00Z",
			"project":     "io-cloud",
			"scopes":      []any{"read"},
		},
		"key_id":  "7f3c2a10-0000-4000-8000-000000000001",
		"display": "io-v2-abcd...wxyz",
		"sandbox": true,
	}, lines[0])

	assert.Equal(t, "refused", lines[1]["outcome"])
	assert.Equal(t, "description: is empty", lines[1]["reason"])
	assert.NotContains(t, lines[1], "request")
	assert.NotContains(t, lines[1], "key_id")
	stamped, err := time.Parse(time.RFC3339Nano, lines[1]["time"].(string))
	require.NoError(t, err)
	assert.WithinDuration(t, before, stamped, time.Minute, "a zero time is stamped")
	assert.True(t, strings.HasSuffix(lines[1]["time"].(string), "Z"), "times are UTC")
}

func TestAuditConcurrentRecordsStayWholeLines(t *testing.T) {
	t.Parallel()
	var out syncBuffer
	audit := guard.NewAudit(&out, nil)
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() { audit.Record(t.Context(), sampleEvent()) })
	}
	wg.Wait()
	assert.Len(t, auditLines(t, out.String()), 50)
}

func TestAuditToLogger(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	audit := guard.NewAudit(nil, slog.New(slog.NewJSONHandler(&logs, nil)))
	audit.Record(t.Context(), sampleEvent())

	lines := auditLines(t, logs.String())
	require.Len(t, lines, 1)
	rec := lines[0]
	assert.Equal(t, "INFO", rec["level"])
	assert.Equal(t, "audit", rec["msg"])
	for key, want := range map[string]any{
		"frontend":    "slack",
		"actor":       "slack:T1/U1",
		"action":      "create_api_key",
		"outcome":     "created",
		"description": "CI key",
		"project":     "io-cloud",
		"key_id":      "7f3c2a10-0000-4000-8000-000000000001",
		"display":     "io-v2-abcd...wxyz",
		"sandbox":     true,
	} {
		assert.Equal(t, want, rec[key], key)
	}
	assert.Equal(t, []any{"read"}, rec["scopes"])
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestAuditWriteErrorIsLoggedNotReturned(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	audit := guard.NewAudit(failingWriter{}, slog.New(slog.NewJSONHandler(&logs, nil)))
	audit.Record(t.Context(), sampleEvent())

	out := logs.String()
	assert.Contains(t, out, "disk full")
	assert.Contains(t, out, `"msg":"audit"`, "the event itself still reaches the log")
	assert.Contains(t, out, "7f3c2a10-0000-4000-8000-000000000001")
}

func TestAuditNilIsNoop(t *testing.T) {
	t.Parallel()
	var audit *guard.Audit
	assert.NotPanics(t, func() { audit.Record(t.Context(), sampleEvent()) })
}

func TestOpenAuditFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "audit.jsonl")

	for i := range 2 {
		f, err := guard.OpenAuditFile(path)
		require.NoError(t, err)
		guard.NewAudit(f, nil).Record(t.Context(), sampleEvent())
		require.NoError(t, f.Close(), "open %d", i)
	}
	info, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())

	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Len(t, auditLines(t, string(raw)), 2, "the second open appends")

	_, err = guard.OpenAuditFile(filepath.Join(t.TempDir(), "missing", "audit.jsonl"))
	require.Error(t, err)
}

// TestAuditEventHasNoSecretField guards the promise in AuditEvent's comment:
// no field of the event, however deep, can hold a Secret or a CreatedKey.
func TestAuditEventHasNoSecretField(t *testing.T) {
	t.Parallel()
	forbidden := map[reflect.Type]bool{
		reflect.TypeFor[iocloud.Secret]():     true,
		reflect.TypeFor[iocloud.CreatedKey](): true,
	}
	seen := map[reflect.Type]bool{}
	var walk func(typ reflect.Type, path string)
	walk = func(typ reflect.Type, path string) {
		for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice || typ.Kind() == reflect.Array || typ.Kind() == reflect.Map {
			typ = typ.Elem()
		}
		assert.False(t, forbidden[typ], "%s is a %s", path, typ)
		if typ.Kind() != reflect.Struct || seen[typ] {
			return
		}
		seen[typ] = true
		for f := range typ.Fields() {
			walk(f.Type, path+"."+f.Name)
		}
	}
	walk(reflect.TypeFor[guard.AuditEvent](), "AuditEvent")
	assert.True(t, seen[reflect.TypeFor[iocloud.KeyRequest]()], "the walk reached the request")
}

// auditLines decodes the audit's JSON lines.
func auditLines(t *testing.T, out string) []map[string]any { return testutil.JSONLines(t, out) }
