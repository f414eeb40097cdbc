package guard_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/iocloud-chatops/iocloud/iocloud"
	"github.com/iocloud-chatops/iocloud/iocloud/guard"
)

// knownSecret is what the fake io.net hands out; it must never be recorded.
const knownSecret = "io-v2-SECRET-5f1d0c9e7b2a4e68a1c3"

// fakeIONet stands in for io.net behind the client: it counts key creations
// and answers with a known secret (or a configured error).
type fakeIONet struct {
	mu    sync.Mutex
	calls int
	got   []iocloud.KeyRequest
	jwt   iocloud.JWTStatus
	err   error
	delay time.Duration
}

func (f *fakeIONet) CreateAPIKey(_ context.Context, req iocloud.KeyRequest) (*iocloud.CreatedKey, error) {
	f.mu.Lock()
	f.calls++
	f.got = append(f.got, req)
	err, delay := f.err, f.delay
	f.mu.Unlock()
	time.Sleep(delay)
	if err != nil {
		return nil, err
	}
	return &iocloud.CreatedKey{
		Key: iocloud.APIKey{
			KeyID:       "7f3c2a10-0000-4000-8000-000000000001",
			Display:     "io-v2-SECR...0c3",
			Description: req.Description,
			Project:     req.Project,
			Scopes:      req.Scopes,
			ExpiresAt:   req.ExpiresAt,
		},
		Secret: knownSecret,
	}, nil
}

func (f *fakeIONet) JWTStatus() iocloud.JWTStatus {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.jwt
}

func (f *fakeIONet) setJWT(st iocloud.JWTStatus) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.jwt = st
}

func (f *fakeIONet) Calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

type guardFixture struct {
	guard  *guard.Guard
	ionet  *fakeIONet
	clock  *fakeClock
	audit  *syncBuffer
	logs   *syncBuffer
	owner  iocloud.Actor
	ask    iocloud.KeyAsk
	wanted iocloud.KeyRequest
}

func newGuardFixture(t *testing.T) *guardFixture {
	t.Helper()
	clock := newFakeClock()
	tickets, err := guard.NewTickets(testSecret, nil, guard.WithTicketClock(clock.Now))
	require.NoError(t, err)
	fx := &guardFixture{
		ionet: &fakeIONet{jwt: iocloud.JWTStatus{Present: true, ExpiresAt: clock.Now().Add(20 * 24 * time.Hour)}},
		clock: clock,
		audit: &syncBuffer{},
		logs:  &syncBuffer{},
		owner: iocloud.Actor{Frontend: "slack", ID: "T1/U1"},
		ask:   iocloud.KeyAsk{Description: "CI key", ExpiresIn: 30 * 24 * time.Hour, Scopes: []string{"read"}},
		wanted: iocloud.KeyRequest{
			Description: "CI key",
			ExpiresAt:   clock.Now().Add(30 * 24 * time.Hour),
			Project:     "io-cloud",
			Scopes:      []string{"read"},
		},
	}
	logger := slog.New(slog.NewJSONHandler(fx.logs, nil))
	fx.guard = guard.New(guard.Config{
		Client:  fx.ionet,
		Policy:  iocloud.DefaultPolicy(),
		Tickets: tickets,
		Audit:   guard.NewAudit(fx.audit, logger),
		Now:     clock.Now,
		Sandbox: true,
	})
	t.Cleanup(func() {
		// Whatever a test did, the secret is in no record and no log.
		assert.NotContains(t, fx.audit.String(), knownSecret)
		assert.NotContains(t, fx.logs.String(), knownSecret)
	})
	return fx
}

func (fx *guardFixture) outcomes(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, line := range auditLines(t, fx.audit.String()) {
		out = append(out, line["outcome"].(string))
	}
	return out
}

func (fx *guardFixture) prepare(t *testing.T) *iocloud.Pending {
	t.Helper()
	p, err := fx.guard.Prepare(t.Context(), fx.owner, fx.ask, "")
	require.NoError(t, err)
	return p
}

func TestGuardPrepareThenConfirmCreatesOnce(t *testing.T) {
	t.Parallel()
	fx := newGuardFixture(t)

	pending, err := fx.guard.Prepare(t.Context(), fx.owner, fx.ask, "")
	require.NoError(t, err)
	assert.Equal(t, fx.wanted, pending.Request, "the preview is exactly what will be created")
	assert.Equal(t, fx.clock.Now().Add(guard.TicketTTL), pending.ExpiresAt)
	assert.NotEmpty(t, pending.Token)
	assert.True(t, pending.JWT.Present)
	assert.Equal(t, 0, fx.ionet.Calls(), "preparing creates nothing")

	key, err := fx.guard.Confirm(t.Context(), fx.owner, pending.Token, "", "")
	require.NoError(t, err)
	assert.Equal(t, knownSecret, key.Secret.Reveal(), "the requester gets the secret")
	assert.Equal(t, 1, fx.ionet.Calls())
	assert.Equal(t, []iocloud.KeyRequest{fx.wanted}, fx.ionet.got, "io.net is asked for exactly the previewed request")

	_, err = fx.guard.Confirm(t.Context(), fx.owner, pending.Token, "", "")
	require.ErrorIs(t, err, iocloud.ErrTicketUsed)
	assert.Equal(t, 1, fx.ionet.Calls(), "a second confirmation creates nothing")

	lines := auditLines(t, fx.audit.String())
	require.Len(t, lines, 4)
	assert.Equal(t, []string{"pending", "creating", "created", "rejected"}, fx.outcomes(t))
	assert.Equal(t, lines[0]["ticket_id"], lines[1]["ticket_id"], "the write-ahead record names the ticket")
	assert.Equal(t, lines[1]["ticket_id"], lines[2]["ticket_id"])
	created := lines[2]
	assert.Equal(t, "slack", created["frontend"])
	assert.Equal(t, "slack:T1/U1", created["actor"])
	assert.Equal(t, "create_api_key", created["action"])
	assert.Equal(t, "7f3c2a10-0000-4000-8000-000000000001", created["key_id"])
	assert.Equal(t, "io-v2-SECR...0c3", created["display"])
	assert.Equal(t, true, created["sandbox"])
	assert.Equal(t, "CI key", created["request"].(map[string]any)["description"])
	assert.NotEmpty(t, lines[0]["ticket_id"])
	assert.Equal(t, lines[0]["ticket_id"], created["ticket_id"], "pending and created are tied together")
	assert.NotContains(t, fx.audit.String(), pending.Token, "the token is not recorded")
	assert.Contains(t, lines[3]["reason"], "already been used")
}

func TestGuardPolicyRefusalNeverCallsIONet(t *testing.T) {
	t.Parallel()
	fx := newGuardFixture(t)
	ask := fx.ask
	ask.Scopes = []string{"admin"}

	pending, err := fx.guard.Prepare(t.Context(), fx.owner, ask, "")
	require.ErrorIs(t, err, iocloud.ErrPolicy)
	assert.Nil(t, pending)
	assert.Equal(t, 0, fx.ionet.Calls())

	lines := auditLines(t, fx.audit.String())
	require.Len(t, lines, 1)
	assert.Equal(t, "refused", lines[0]["outcome"])
	assert.Equal(t, err.Error(), lines[0]["reason"])
}

func TestGuardJWTPreflight(t *testing.T) {
	t.Parallel()
	fx := newGuardFixture(t)
	require.NoError(t, fx.guard.Preflight())

	fx.ionet.setJWT(iocloud.JWTStatus{})
	_, err := fx.guard.Prepare(t.Context(), fx.owner, fx.ask, "")
	require.ErrorIs(t, err, iocloud.ErrNoJWT)

	fx.ionet.setJWT(iocloud.JWTStatus{Present: true, Expired: true, ExpiresAt: time.Date(2026, 10, 1, 8, 30, 0, 0, time.UTC)})
	_, err = fx.guard.Prepare(t.Context(), fx.owner, fx.ask, "")
	require.ErrorIs(t, err, iocloud.ErrJWTExpired)
	assert.Contains(t, err.Error(), "2026-10-01 08:30 UTC")

	fx.ionet.setJWT(iocloud.JWTStatus{Present: true, Expired: true})
	require.ErrorIs(t, fx.guard.Preflight(), iocloud.ErrJWTExpired)

	fx.ionet.setJWT(iocloud.JWTStatus{Present: true, ExpiresSoon: true, ExpiresAt: fx.clock.Now().Add(24 * time.Hour)})
	pending, err := fx.guard.Prepare(t.Context(), fx.owner, fx.ask, "")
	require.NoError(t, err, "expiring soon is a warning, not a refusal")
	assert.True(t, pending.JWT.ExpiresSoon)

	assert.Equal(t, 0, fx.ionet.Calls())
	assert.Equal(t, []string{"refused", "refused", "pending"}, fx.outcomes(t))
}

func TestGuardJWTExpiringBeforeConfirmKeepsTicket(t *testing.T) {
	t.Parallel()
	fx := newGuardFixture(t)
	pending := fx.prepare(t)

	fx.ionet.setJWT(iocloud.JWTStatus{Present: true, Expired: true})
	_, err := fx.guard.Confirm(t.Context(), fx.owner, pending.Token, "", "")
	require.ErrorIs(t, err, iocloud.ErrJWTExpired)
	assert.Equal(t, 0, fx.ionet.Calls())

	fx.ionet.setJWT(iocloud.JWTStatus{Present: true})
	_, err = fx.guard.Confirm(t.Context(), fx.owner, pending.Token, "", "")
	require.NoError(t, err, "the ticket was not burnt")
	assert.Equal(t, 1, fx.ionet.Calls())
}

func TestGuardRejectedTicketsNeverCallIONet(t *testing.T) {
	t.Parallel()
	stranger := iocloud.Actor{Frontend: "slack", ID: "T1/U2"}
	sameIDOtherFrontend := iocloud.Actor{Frontend: "mcp", ID: "T1/U1"}
	tests := []struct {
		name    string
		confirm func(ctx context.Context, fx *guardFixture, token string) error
		want    error
	}{
		{"another user", func(ctx context.Context, fx *guardFixture, token string) error {
			_, err := fx.guard.Confirm(ctx, stranger, token, "", "")
			return err
		}, iocloud.ErrTicketWrongActor},
		{"same id on another frontend", func(ctx context.Context, fx *guardFixture, token string) error {
			_, err := fx.guard.Confirm(ctx, sameIDOtherFrontend, token, "", "")
			return err
		}, iocloud.ErrTicketWrongActor},
		{"expired", func(ctx context.Context, fx *guardFixture, token string) error {
			fx.clock.Advance(guard.TicketTTL)
			_, err := fx.guard.Confirm(ctx, fx.owner, token, "", "")
			return err
		}, iocloud.ErrTicketExpired},
		{"tampered", func(ctx context.Context, fx *guardFixture, token string) error {
			_, err := fx.guard.Confirm(ctx, fx.owner, "x"+token[1:], "", "")
			return err
		}, iocloud.ErrTicketInvalid},
		{"garbage", func(ctx context.Context, fx *guardFixture, _ string) error {
			_, err := fx.guard.Confirm(ctx, fx.owner, "confirm", "", "")
			return err
		}, iocloud.ErrTicketInvalid},
		{"other arguments", func(ctx context.Context, fx *guardFixture, token string) error {
			_, err := fx.guard.Confirm(ctx, fx.owner, token, iocloud.Digest("other"), "")
			return err
		}, iocloud.ErrTicketMismatch},
		{"after cancel", func(ctx context.Context, fx *guardFixture, token string) error {
			if _, err := fx.guard.Cancel(ctx, fx.owner, token, "", ""); err != nil {
				return err
			}
			_, err := fx.guard.Confirm(ctx, fx.owner, token, "", "")
			return err
		}, iocloud.ErrTicketUsed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fx := newGuardFixture(t)
			pending := fx.prepare(t)
			err := tc.confirm(t.Context(), fx, pending.Token)
			require.ErrorIs(t, err, tc.want)
			assert.Equal(t, 0, fx.ionet.Calls())
			outcomes := fx.outcomes(t)
			assert.Equal(t, "rejected", outcomes[len(outcomes)-1])
			// A genuine token's refusal names its ticket; a forged one names none.
			lines := auditLines(t, fx.audit.String())
			last := lines[len(lines)-1]
			if errors.Is(tc.want, iocloud.ErrTicketInvalid) {
				assert.NotContains(t, last, "ticket_id")
			} else {
				assert.Equal(t, pending.TicketID, last["ticket_id"])
			}
		})
	}
}

func TestGuardWrongActorLeavesTicketToOwner(t *testing.T) {
	t.Parallel()
	fx := newGuardFixture(t)
	pending := fx.prepare(t)

	_, err := fx.guard.Confirm(t.Context(), iocloud.Actor{Frontend: "slack", ID: "T1/U2"}, pending.Token, "", "")
	require.ErrorIs(t, err, iocloud.ErrTicketWrongActor)
	_, err = fx.guard.Cancel(t.Context(), iocloud.Actor{Frontend: "slack", ID: "T1/U2"}, pending.Token, "", "")
	require.ErrorIs(t, err, iocloud.ErrTicketWrongActor, "nor can they cancel it")

	_, err = fx.guard.Confirm(t.Context(), fx.owner, pending.Token, "", "")
	require.NoError(t, err)
	assert.Equal(t, 1, fx.ionet.Calls())

	lines := auditLines(t, fx.audit.String())
	require.Len(t, lines, 4)
	assert.Equal(t, "slack:T1/U2", lines[1]["actor"], "the rejection names who tried")
}

func TestGuardBindingMustMatch(t *testing.T) {
	t.Parallel()
	fx := newGuardFixture(t)
	args := map[string]any{"description": "CI key", "scopes": []any{"read"}}
	binding := iocloud.Digest(args)
	pending, err := fx.guard.Prepare(t.Context(), fx.owner, fx.ask, binding)
	require.NoError(t, err)

	_, err = fx.guard.Confirm(t.Context(), fx.owner, pending.Token, "", "")
	require.ErrorIs(t, err, iocloud.ErrTicketMismatch)
	_, err = fx.guard.Confirm(t.Context(), fx.owner, pending.Token, iocloud.Digest(map[string]any{"description": "CI key", "scopes": []any{"all"}}), "")
	require.ErrorIs(t, err, iocloud.ErrTicketMismatch)
	assert.Equal(t, 0, fx.ionet.Calls())

	_, err = fx.guard.Confirm(t.Context(), fx.owner, pending.Token, iocloud.Digest(map[string]any{"scopes": []any{"read"}, "description": "CI key"}), "")
	require.NoError(t, err)
	assert.Equal(t, 1, fx.ionet.Calls())
}

func TestGuardCancel(t *testing.T) {
	t.Parallel()
	fx := newGuardFixture(t)
	pending := fx.prepare(t)

	req, err := fx.guard.Cancel(t.Context(), fx.owner, pending.Token, "", "")
	require.NoError(t, err)
	assert.Equal(t, fx.wanted, req)
	_, err = fx.guard.Cancel(t.Context(), fx.owner, pending.Token, "", "")
	require.ErrorIs(t, err, iocloud.ErrTicketUsed)
	assert.Equal(t, 0, fx.ionet.Calls())
	assert.Equal(t, []string{"pending", "cancelled", "rejected"}, fx.outcomes(t))
}

func TestGuardIONetFailureIsNotRetried(t *testing.T) {
	t.Parallel()
	fx := newGuardFixture(t)
	fx.ionet.err = fmt.Errorf("%w: 503 Service Unavailable", iocloud.ErrUnavailable)
	pending := fx.prepare(t)

	key, err := fx.guard.Confirm(t.Context(), fx.owner, pending.Token, "", "")
	require.ErrorIs(t, err, iocloud.ErrUnavailable)
	assert.Nil(t, key)
	assert.Equal(t, 1, fx.ionet.Calls(), "exactly one attempt")

	fx.ionet.mu.Lock()
	fx.ionet.err = nil
	fx.ionet.mu.Unlock()
	_, err = fx.guard.Confirm(t.Context(), fx.owner, pending.Token, "", "")
	require.ErrorIs(t, err, iocloud.ErrTicketUsed, "a failed attempt still used the ticket")
	assert.Equal(t, 1, fx.ionet.Calls())

	lines := auditLines(t, fx.audit.String())
	require.Len(t, lines, 4)
	assert.Equal(t, "not_created", lines[2]["outcome"], "a 503 is looked up in the key list; the key is not there")
	assert.Equal(t, "io.net is unavailable: 503 Service Unavailable", lines[2]["reason"])
	assert.NotContains(t, lines[2], "key_id")
}

func TestGuardConcurrentConfirmsCreateOneKey(t *testing.T) {
	t.Parallel()
	fx := newGuardFixture(t)
	fx.ionet.delay = 20 * time.Millisecond // keep the winner busy while the others arrive
	pending := fx.prepare(t)

	var created, used atomic.Int32
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			key, err := fx.guard.Confirm(t.Context(), fx.owner, pending.Token, "", "")
			switch {
			case err == nil && key != nil:
				created.Add(1)
			case errors.Is(err, iocloud.ErrTicketUsed):
				used.Add(1)
			default:
				t.Errorf("unexpected: %v", err)
			}
		})
	}
	wg.Wait()
	assert.Equal(t, int32(1), created.Load())
	assert.Equal(t, int32(19), used.Load())
	assert.Equal(t, 1, fx.ionet.Calls())

	counts := map[string]int{}
	for _, o := range fx.outcomes(t) {
		counts[o]++
	}
	// 19 identical rejections within a minute are one record (a flood
	// of retries must not flood the audit); the summary counts the rest.
	assert.Equal(t, map[string]int{"pending": 1, "creating": 1, "created": 1, "rejected": 1}, counts)
}

func TestGuardErrorsNeverCarryTheSecret(t *testing.T) {
	t.Parallel()
	fx := newGuardFixture(t)
	pending := fx.prepare(t)
	key, err := fx.guard.Confirm(t.Context(), fx.owner, pending.Token, "", "")
	require.NoError(t, err)

	// The key printed or logged by mistake still hides the secret.
	for _, s := range []string{fmt.Sprintf("%v", key), fmt.Sprintf("%+v", key), fmt.Sprintf("%#v", key)} {
		assert.NotContains(t, s, knownSecret)
	}
	_, err = fx.guard.Confirm(t.Context(), fx.owner, pending.Token, "", "")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), knownSecret)
}

func TestGuardAuditsToLoggerWithoutFile(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	ionet := &fakeIONet{jwt: iocloud.JWTStatus{Present: true}}
	guard := guard.New(guard.Config{
		Client: ionet,
		Audit:  guard.NewAudit(nil, slog.New(slog.NewJSONHandler(&logs, nil))),
	}) // zero Policy: DefaultPolicy; no Tickets: a random key
	actor := iocloud.Actor{Frontend: "mcp", ID: "session-1"}
	pending, err := guard.Prepare(t.Context(), actor, iocloud.KeyAsk{Description: "k"}, "")
	require.NoError(t, err)
	assert.Equal(t, []string{"all"}, pending.Request.Scopes)
	_, err = guard.Confirm(t.Context(), actor, pending.Token, "", "")
	require.NoError(t, err)

	out := logs.String()
	assert.Equal(t, 3, strings.Count(out, `"msg":"audit"`), "pending, creating, created")
	assert.Contains(t, out, `"outcome":"created"`)
	assert.NotContains(t, out, knownSecret)
}

func TestGuardNeedsAnActor(t *testing.T) {
	t.Parallel()
	fx := newGuardFixture(t)
	_, err := fx.guard.Prepare(t.Context(), iocloud.Actor{Frontend: "slack"}, fx.ask, "")
	require.Error(t, err)
	assert.Equal(t, 0, fx.ionet.Calls())
}

func TestActorString(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "slack:T1/U1", iocloud.Actor{Frontend: "slack", ID: "T1/U1"}.String())
}

func (f *fakeIONet) ListAPIKeys(context.Context) (*iocloud.KeyList, error) {
	return &iocloud.KeyList{}, nil
}

func (f *fakeIONet) RevokeAPIKey(context.Context, string) error { return nil }
