package wire

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/iocloud-chatops/iocloud/internal/testutil"

	"github.com/iocloud-chatops/iocloud/config"
	"github.com/iocloud-chatops/iocloud/iocloud"
	"github.com/iocloud-chatops/iocloud/iocloud/guard"
	"github.com/sethvargo/go-envconfig"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// coreFrom loads config.Core the way the binaries do, from env on top of the
// defaults.
func coreFrom(t *testing.T, env map[string]string) config.Core {
	t.Helper()
	var c config.Core
	require.NoError(t, config.Load(t.Context(), envconfig.MapLookuper(env), &c))
	return c
}

// fakeJWT is an unsigned token whose exp is at; only its shape matters here.
func fakeJWT(at time.Time) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." +
		enc(fmt.Appendf(nil, `{"sub":"user-1","exp":%d}`, at.Unix())) + "." +
		enc([]byte("not-a-real-signature-0123456789"))
}

func TestBuildSandbox(t *testing.T) {
	t.Parallel()
	logs := &testutil.SyncBuffer{}
	cfg := coreFrom(t, map[string]string{
		// Real-looking credentials that must never reach the simulator or the log.
		"IOCLOUD_API_KEY": "io-v2-real-key-must-not-be-used",
	})
	app, err := Build(t.Context(), cfg, Options{Sandbox: true, Logger: NewLogger(logs, slog.LevelDebug), UserAgent: "wire-test/1"})
	require.NoError(t, err)
	t.Cleanup(app.Close)

	require.NotNil(t, app.Sandbox)
	assert.True(t, strings.HasPrefix(app.Sandbox.URL(), "http://127.0.0.1:"))
	assert.True(t, app.Client.Sandbox())

	hw, err := app.Client.Hardware(t.Context())
	require.NoError(t, err, "the client talks to the sandbox with the sandbox's key")
	assert.NotEmpty(t, hw.Hardware)

	// The guard is wired to the same client, with the sandbox's session token.
	require.NoError(t, app.Guard.Preflight())
	actor := iocloud.Actor{Frontend: "test", ID: "u1"}
	pending, err := app.Guard.Prepare(t.Context(), actor, iocloud.KeyAsk{Description: "wire test"}, "")
	require.NoError(t, err)
	assert.Equal(t, cfg.KeyDefaultTTL, time.Until(pending.Request.ExpiresAt).Round(time.Hour), "policy comes from the config")
	created, err := app.Guard.Confirm(t.Context(), actor, pending.Token, "", "")
	require.NoError(t, err)
	require.Len(t, app.Sandbox.CreatedKeys(), 1)
	assert.Equal(t, app.Sandbox.CreatedKeys()[0].Value, created.Secret.Reveal())

	out := logs.String()
	assert.Contains(t, out, "sandbox")
	assert.Contains(t, out, "key creation available")
	assert.NotContains(t, out, "io-v2-real-key-must-not-be-used")
	assert.NotContains(t, out, app.Sandbox.APIKey())
	assert.NotContains(t, out, app.Sandbox.JWT())
	assert.NotContains(t, out, created.Secret.Reveal())
}

func TestBuildAuditFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	app, err := Build(t.Context(), coreFrom(t, map[string]string{"IOCLOUD_AUDIT_LOG": path}), Options{Sandbox: true})
	require.NoError(t, err)

	info, err := os.Stat(path)
	require.NoError(t, err, "the audit file is created at start")
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())

	actor := iocloud.Actor{Frontend: "test", ID: "u1"}
	pending, err := app.Guard.Prepare(t.Context(), actor, iocloud.KeyAsk{Description: "audited"}, "")
	require.NoError(t, err)
	created, err := app.Guard.Confirm(t.Context(), actor, pending.Token, "", "")
	require.NoError(t, err)
	app.Close()
	app.Close() // twice is harmless

	raw, err := os.ReadFile(filepath.Clean(path))
	require.NoError(t, err)
	assert.NotContains(t, string(raw), created.Secret.Reveal(), "the audit file never holds the secret")
	var outcomes []string
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for sc.Scan() {
		var ev guard.AuditEvent
		require.NoError(t, json.Unmarshal(sc.Bytes(), &ev))
		assert.True(t, ev.Sandbox)
		outcomes = append(outcomes, ev.Outcome)
	}
	assert.Equal(t, []string{guard.OutcomePending, guard.OutcomeCreating, iocloud.OutcomeCreated}, outcomes)
}

func TestBuildAuditFileUnopenable(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "missing-dir", "audit.jsonl")
	app, err := Build(t.Context(), coreFrom(t, map[string]string{"IOCLOUD_AUDIT_LOG": path}), Options{Sandbox: true})
	require.Error(t, err)
	assert.Nil(t, app)
	assert.Equal(t, `IOCLOUD_AUDIT_LOG: cannot open "`+path+`" for appending: no such file or directory`, err.Error())
}

func TestBuildJWTWarnings(t *testing.T) {
	t.Parallel()
	now := time.Now()
	tests := []struct {
		name     string
		jwt      string
		wantWarn string // "" means no warning at all
		wantInfo string
	}{
		{name: "missing", jwt: "", wantWarn: "IOCLOUD_JWT is not set: key creation is unavailable"},
		{name: "expired", jwt: fakeJWT(now.Add(-time.Hour)), wantWarn: "IOCLOUD_JWT has expired"},
		{name: "expiring within 3 days", jwt: fakeJWT(now.Add(36 * time.Hour)), wantWarn: "IOCLOUD_JWT expires soon"},
		{name: "no readable expiry", jwt: "opaque-session-token-0123456789", wantWarn: "IOCLOUD_JWT has no readable expiry"},
		{name: "valid for weeks", jwt: fakeJWT(now.Add(20 * 24 * time.Hour)), wantInfo: "key creation available"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			logs := &testutil.SyncBuffer{}
			cfg := coreFrom(t, map[string]string{
				"IOCLOUD_API_KEY":  "io-v2-apikey-0123456789",
				"IOCLOUD_JWT":      tt.jwt,
				"IOCLOUD_BASE_URL": "http://127.0.0.1:9", // Build calls nothing
			})
			app, err := Build(t.Context(), cfg, Options{Logger: NewLogger(logs, slog.LevelInfo)})
			require.NoError(t, err)
			t.Cleanup(app.Close)
			assert.Nil(t, app.Sandbox)
			assert.False(t, app.Client.Sandbox())

			out := logs.String()
			if tt.wantWarn != "" {
				assert.Contains(t, out, "level=WARN")
				assert.Contains(t, out, tt.wantWarn)
			} else {
				assert.NotContains(t, out, "level=WARN")
				assert.Contains(t, out, tt.wantInfo)
			}
			if tt.jwt != "" {
				assert.NotContains(t, out, tt.jwt, "the token itself is never logged")
				assert.NotContains(t, out, strings.Split(tt.jwt, ".")[0]+".", "nor a part of it")
			}
			assert.NotContains(t, out, "io-v2-apikey-0123456789")
		})
	}
}

func TestBuildConfirmSecretShared(t *testing.T) {
	t.Parallel()
	// Two replicas with the same IOCLOUD_CONFIRM_SECRET and one store accept
	// each other's confirmations: the point of setting it.
	redis := testutil.StartRedis(t)
	cfg := coreFrom(t, map[string]string{"IOCLOUD_CONFIRM_SECRET": strings.Repeat("k", 32), "IOCLOUD_STATE": redis.URL()})
	a, err := Build(t.Context(), cfg, Options{Sandbox: true})
	require.NoError(t, err)
	t.Cleanup(a.Close)
	b, err := Build(t.Context(), cfg, Options{Sandbox: true})
	require.NoError(t, err)
	t.Cleanup(b.Close)

	actor := iocloud.Actor{Frontend: "test", ID: "u1"}
	pending, err := a.Guard.Prepare(t.Context(), actor, iocloud.KeyAsk{Description: "shared"}, "")
	require.NoError(t, err)
	_, err = b.Guard.Confirm(t.Context(), actor, pending.Token, "", "")
	require.NoError(t, err)
	assert.Len(t, b.Sandbox.CreatedKeys(), 1)

	// The same secret over a store of its own (one that never saw the
	// ticket's use) does not accept it: it could not keep it single-use.
	own, err := Build(t.Context(), coreFrom(t, map[string]string{"IOCLOUD_CONFIRM_SECRET": strings.Repeat("k", 32)}), Options{Sandbox: true})
	require.NoError(t, err)
	t.Cleanup(own.Close)
	_, err = own.Guard.Confirm(t.Context(), actor, pending.Token, "", "")
	require.ErrorIs(t, err, iocloud.ErrTicketStale)
	assert.Empty(t, own.Sandbox.CreatedKeys())

	// Without a shared secret each process has its own random key.
	c, err := Build(t.Context(), coreFrom(t, nil), Options{Sandbox: true})
	require.NoError(t, err)
	t.Cleanup(c.Close)
	pending, err = a.Guard.Prepare(t.Context(), actor, iocloud.KeyAsk{Description: "not shared"}, "")
	require.NoError(t, err)
	_, err = c.Guard.Confirm(t.Context(), actor, pending.Token, "", "")
	require.Error(t, err)
	assert.Empty(t, c.Sandbox.CreatedKeys())
}

func TestBuildClosesSandbox(t *testing.T) {
	t.Parallel()
	app, err := Build(t.Context(), coreFrom(t, nil), Options{Sandbox: true})
	require.NoError(t, err)
	_, err = app.Client.Hardware(t.Context())
	require.NoError(t, err)
	app.Close()
	// After Close nothing listens on the sandbox's port any more.
	client, err := iocloud.New(iocloud.WithBaseURL(app.Sandbox.URL()), iocloud.WithAPIKey(iocloud.Secret(app.Sandbox.APIKey())),
		iocloud.WithCacheTTL(0), iocloud.WithRetry(1, 0, 0, time.Second))
	require.NoError(t, err)
	_, err = client.Hardware(t.Context())
	require.Error(t, err)
}

func TestNewLogger(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	l := NewLogger(&buf, slog.LevelWarn)
	l.Info("hidden")
	l.Warn("shown", "k", "v")
	assert.NotContains(t, buf.String(), "hidden")
	assert.Contains(t, buf.String(), "level=WARN msg=shown k=v")
}
