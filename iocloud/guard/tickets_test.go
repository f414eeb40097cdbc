package guard_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/iocloud-chatops/iocloud/internal/testutil"
	"github.com/iocloud-chatops/iocloud/iocloud"
	"github.com/iocloud-chatops/iocloud/iocloud/guard"
	"github.com/iocloud-chatops/iocloud/iocloud/state"
)

// testSecret is a valid IOCLOUD_CONFIRM_SECRET for tests.
var testSecret = []byte("0123456789abcdef0123456789abcdef-test")

// fakeClock is the tests' hand-moved clock, started on a fixed day.
type fakeClock = testutil.Clock

func newFakeClock() *fakeClock {
	return testutil.NewClock(time.Date(2026, 11, 5, 12, 0, 0, 0, time.UTC))
}

func sampleTicket() guard.Ticket {
	return guard.Ticket{
		Action:  "create_api_key",
		Actor:   "slack:T1/U1",
		Binding: iocloud.Digest(map[string]any{"description": "CI key"}),
		Request: iocloud.KeyRequest{
			Description: "CI key",
			ExpiresAt:   time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC),
			Project:     "io-cloud",
			Scopes:      []string{"read"},
		},
	}
}

func checkFor(tk guard.Ticket) guard.TicketCheck {
	return guard.TicketCheck{Action: tk.Action, Actor: tk.Actor, Binding: tk.Binding}
}

// handEpoch is the store epoch of newTickets' store, so hand-sealed
// tickets (handTicket) belong to it.
const handEpoch = "hand-epoch"

func newTickets(t testing.TB, clock *fakeClock, opts ...guard.TicketOption) *guard.Tickets {
	t.Helper()
	store := state.NewMemory()
	require.NoError(t, store.Put(context.Background(), guard.EpochKey, []byte(handEpoch), time.Hour))
	tickets, err := guard.NewTickets(testSecret, store, append([]guard.TicketOption{guard.WithTicketClock(clock.Now)}, opts...)...)
	require.NoError(t, err)
	return tickets
}

func TestTicketOpensOnceThenUsed(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	tickets := newTickets(t, clock)

	token, sealed, err := tickets.Seal(context.Background(), sampleTicket())
	require.NoError(t, err)
	assert.NotEmpty(t, sealed.Nonce)
	assert.Equal(t, clock.Now().Add(guard.TicketTTL), sealed.ExpiresAt)

	opened, err := tickets.Open(t.Context(), token, checkFor(sealed))
	require.NoError(t, err)
	assert.Equal(t, sealed, opened)
	assert.Equal(t, sampleTicket().Request, opened.Request)

	_, err = tickets.Open(t.Context(), token, checkFor(sealed))
	require.ErrorIs(t, err, iocloud.ErrTicketUsed)
}

func TestTicketSealsDistinctTokens(t *testing.T) {
	t.Parallel()
	tickets := newTickets(t, newFakeClock())
	a, _, err := tickets.Seal(context.Background(), sampleTicket())
	require.NoError(t, err)
	b, _, err := tickets.Seal(context.Background(), sampleTicket())
	require.NoError(t, err)
	assert.NotEqual(t, a, b, "nonces make equal requests distinct tickets")
}

func TestTicketWrongActorDoesNotConsume(t *testing.T) {
	t.Parallel()
	tickets := newTickets(t, newFakeClock())
	token, sealed, err := tickets.Seal(context.Background(), sampleTicket())
	require.NoError(t, err)

	other := checkFor(sealed)
	other.Actor = "slack:T1/U2"
	_, err = tickets.Open(t.Context(), token, other)
	require.ErrorIs(t, err, iocloud.ErrTicketWrongActor)

	_, err = tickets.Open(t.Context(), token, checkFor(sealed))
	require.NoError(t, err, "the owner can still confirm")
}

func TestTicketMismatchDoesNotConsume(t *testing.T) {
	t.Parallel()
	tickets := newTickets(t, newFakeClock())

	bound, boundSealed, err := tickets.Seal(context.Background(), sampleTicket())
	require.NoError(t, err)
	unboundAsk := sampleTicket()
	unboundAsk.Binding = ""
	unbound, unboundSealed, err := tickets.Seal(context.Background(), unboundAsk)
	require.NoError(t, err)

	checks := map[string]struct {
		token string
		check guard.TicketCheck
	}{
		"other arguments":          {bound, guard.TicketCheck{Action: "create_api_key", Actor: "slack:T1/U1", Binding: iocloud.Digest("other")}},
		"binding left out":         {bound, guard.TicketCheck{Action: "create_api_key", Actor: "slack:T1/U1"}},
		"binding on unbound":       {unbound, guard.TicketCheck{Action: "create_api_key", Actor: "slack:T1/U1", Binding: iocloud.Digest("x")}},
		"other action":             {bound, guard.TicketCheck{Action: "delete_api_key", Actor: "slack:T1/U1", Binding: boundSealed.Binding}},
		"other action, no binding": {unbound, guard.TicketCheck{Action: "", Actor: "slack:T1/U1"}},
	}
	for name, c := range checks {
		_, err := tickets.Open(t.Context(), c.token, c.check)
		require.ErrorIs(t, err, iocloud.ErrTicketMismatch, name)
	}

	_, err = tickets.Open(t.Context(), bound, checkFor(boundSealed))
	require.NoError(t, err)
	_, err = tickets.Open(t.Context(), unbound, checkFor(unboundSealed))
	require.NoError(t, err)
}

func TestTicketExpiry(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	tickets := newTickets(t, clock, guard.WithTicketTTL(time.Minute))
	first, sealed, err := tickets.Seal(context.Background(), sampleTicket())
	require.NoError(t, err)
	second, _, err := tickets.Seal(context.Background(), sampleTicket())
	require.NoError(t, err)

	clock.Advance(time.Minute - time.Nanosecond)
	_, err = tickets.Open(t.Context(), first, checkFor(sealed))
	require.NoError(t, err, "valid until the last instant")

	clock.Advance(time.Nanosecond)
	_, err = tickets.Open(t.Context(), second, checkFor(sealed))
	require.ErrorIs(t, err, iocloud.ErrTicketExpired)
	assert.Contains(t, err.Error(), "2026-11-05T12:01:00Z")

	// A used ticket stays refused after it expires (and after its nonce is
	// forgotten): expiry answers first.
	clock.Advance(24 * time.Hour)
	_, err = tickets.Open(t.Context(), first, checkFor(sealed))
	require.ErrorIs(t, err, iocloud.ErrTicketExpired)
}

func TestTicketOtherSecretOrProcess(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	token, sealed, err := newTickets(t, clock).Seal(context.Background(), sampleTicket())
	require.NoError(t, err)

	otherSecret, err := guard.NewTickets([]byte(strings.Repeat("z", 40)), nil, guard.WithTicketClock(clock.Now))
	require.NoError(t, err)
	_, err = otherSecret.Open(t.Context(), token, checkFor(sealed))
	require.ErrorIs(t, err, iocloud.ErrTicketStale, "another server's ticket is named as such, not as a forgery")

	// Without a secret each process has its own random key: a restart
	// makes old tickets stale, and says so.
	p1, err := guard.NewTickets(nil, nil)
	require.NoError(t, err)
	p2, err := guard.NewTickets(nil, nil)
	require.NoError(t, err)
	tok, sealed1, err := p1.Seal(context.Background(), sampleTicket())
	require.NoError(t, err)
	_, err = p2.Open(t.Context(), tok, checkFor(sealed1))
	require.ErrorIs(t, err, iocloud.ErrTicketStale)
	_, err = p1.Open(t.Context(), tok, checkFor(sealed1))
	require.NoError(t, err)
}

func TestTicketReplicasShareSecretAndStore(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	store := state.NewMemory()
	a, err := guard.NewTickets(testSecret, store, guard.WithTicketClock(clock.Now))
	require.NoError(t, err)
	b, err := guard.NewTickets(testSecret, store, guard.WithTicketClock(clock.Now))
	require.NoError(t, err)

	token, sealed, err := a.Seal(context.Background(), sampleTicket())
	require.NoError(t, err)
	_, err = b.Open(t.Context(), token, checkFor(sealed))
	require.NoError(t, err, "a replica with the same secret opens it")
	_, err = a.Open(t.Context(), token, checkFor(sealed))
	require.ErrorIs(t, err, iocloud.ErrTicketUsed, "the shared store makes it single-use across replicas")
}

func TestNewTicketsRefusesShortSecret(t *testing.T) {
	t.Parallel()
	_, err := guard.NewTickets([]byte("changeme"), nil)
	require.ErrorIs(t, err, guard.ErrShortSecret)
	assert.NotContains(t, err.Error(), "changeme", "the secret is not echoed")
}

func TestTicketSealNeedsActionAndActor(t *testing.T) {
	t.Parallel()
	tickets := newTickets(t, newFakeClock())
	for _, tk := range []guard.Ticket{{Actor: "a:b"}, {Action: "create_api_key"}} {
		_, _, err := tickets.Seal(context.Background(), tk)
		require.Error(t, err)
	}
}

func TestTicketMalformedTokens(t *testing.T) {
	t.Parallel()
	tickets := newTickets(t, newFakeClock())
	token, sealed, err := tickets.Seal(context.Background(), sampleTicket())
	require.NoError(t, err)
	payload, mac, _ := strings.Cut(token, ".")

	bad := []string{
		"",
		".",
		"..",
		payload,
		payload + ".",
		"." + mac,
		token + ".",
		token + "." + mac,
		payload + "." + mac + "=",
		payload + "=." + mac,
		" " + token,
		token + " ",
		token + "\n",
		payload[:5] + "\r\n" + payload[5:] + "." + mac,
		payload + "." + mac[:10] + "\n" + mac[10:],
		strings.ReplaceAll(token, "-", "+"),
		"not base64!.also not",
		strings.Repeat("A", 5000) + "." + mac,
		strings.Repeat(".", 100),
		"\x00\xff\xfe",
	}
	for _, tok := range bad {
		if tok == token {
			continue // ReplaceAll may have found nothing to replace
		}
		_, err := tickets.Open(t.Context(), tok, checkFor(sealed))
		require.ErrorIs(t, err, iocloud.ErrTicketInvalid, "%q", tok)
	}
	_, err = tickets.Open(t.Context(), token, checkFor(sealed))
	require.NoError(t, err, "none of that consumed the real ticket")
}

// TestTicketTamperEveryCharacter changes each character of the token (in
// the payload and in the MAC) to every other base64url character.
func TestTicketTamperEveryCharacter(t *testing.T) {
	t.Parallel()
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."
	tickets := newTickets(t, newFakeClock())
	token, sealed, err := tickets.Seal(context.Background(), sampleTicket())
	require.NoError(t, err)

	for i := range len(token) {
		for _, c := range alphabet {
			if byte(c) == token[i] {
				continue
			}
			tampered := token[:i] + string(c) + token[i+1:]
			_, err := tickets.Open(t.Context(), tampered, checkFor(sealed))
			require.ErrorIs(t, err, iocloud.ErrTicketInvalid, "position %d set to %q", i, c)
		}
	}
	_, err = tickets.Open(t.Context(), token, checkFor(sealed))
	require.NoError(t, err)
}

// TestTicketTamperedFields re-encodes a changed payload without a valid MAC:
// each field change is rejected.
func TestTicketTamperedFields(t *testing.T) {
	t.Parallel()
	tickets := newTickets(t, newFakeClock())
	token, sealed, err := tickets.Seal(context.Background(), sampleTicket())
	require.NoError(t, err)
	otherToken, _, err := tickets.Seal(context.Background(), guard.Ticket{Action: "create_api_key", Actor: "slack:T1/U2", Request: sealed.Request})
	require.NoError(t, err)
	payload, mac, _ := strings.Cut(token, ".")
	otherPayload, otherMAC, _ := strings.Cut(otherToken, ".")

	reencode := func(change func(*guard.Ticket)) string {
		tk := sealed
		tk.Request.Scopes = append([]string(nil), sealed.Request.Scopes...)
		change(&tk)
		raw, err := json.Marshal(tk)
		require.NoError(t, err)
		return base64.RawURLEncoding.EncodeToString(raw) + "." + mac
	}
	cases := map[string]string{
		"actor":                     reencode(func(tk *guard.Ticket) { tk.Actor = "slack:T1/U2" }),
		"binding":                   reencode(func(tk *guard.Ticket) { tk.Binding = "" }),
		"description":               reencode(func(tk *guard.Ticket) { tk.Request.Description = "evil" }),
		"scopes":                    reencode(func(tk *guard.Ticket) { tk.Request.Scopes = []string{"all"} }),
		"key expiry":                reencode(func(tk *guard.Ticket) { tk.Request.ExpiresAt = tk.Request.ExpiresAt.AddDate(5, 0, 0) }),
		"project":                   reencode(func(tk *guard.Ticket) { tk.Request.Project = "io-intelligence" }),
		"expiry":                    reencode(func(tk *guard.Ticket) { tk.ExpiresAt = tk.ExpiresAt.Add(time.Hour) }),
		"nonce":                     reencode(func(tk *guard.Ticket) { tk.Nonce = "AAAAAAAAAAAAAAAAAAAAAA" }),
		"payload of another ticket": otherPayload + "." + mac,
		"mac of another ticket":     payload + "." + otherMAC,
	}
	for name, tok := range cases {
		check := checkFor(sealed)
		if name == "actor" {
			check.Actor = "slack:T1/U2"
		}
		if name == "binding" {
			check.Binding = ""
		}
		_, err := tickets.Open(t.Context(), tok, check)
		require.ErrorIs(t, err, iocloud.ErrTicketInvalid, name)
	}
	_, err = tickets.Open(t.Context(), token, checkFor(sealed))
	require.NoError(t, err)
}

func TestTicketConcurrentOpenExactlyOnce(t *testing.T) {
	t.Parallel()
	tickets := newTickets(t, newFakeClock())
	token, sealed, err := tickets.Seal(context.Background(), sampleTicket())
	require.NoError(t, err)

	errs := make([]error, 50)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Go(func() { _, errs[i] = tickets.Open(t.Context(), token, checkFor(sealed)) })
	}
	wg.Wait()
	opened := 0
	for _, err := range errs {
		if err == nil {
			opened++
			continue
		}
		require.ErrorIs(t, err, iocloud.ErrTicketUsed)
	}
	assert.Equal(t, 1, opened)
}

// TestTicketTokenFitsSlackButton checks the worst realistic token against
// Slack's 2000-character limit on a button value.
func TestTicketTokenFitsSlackButton(t *testing.T) {
	t.Parallel()
	tickets := newTickets(t, newFakeClock())
	tk := sampleTicket()
	tk.Actor = "slack:T0123456789ABCDEF/U0123456789ABCDEF"
	tk.Request.Description = strings.Repeat("\"<&🚀", 25) // 100 characters, escaped or 4-byte
	tk.Request.Scopes = []string{"all", "read", "write"}
	token, _, err := tickets.Seal(context.Background(), tk)
	require.NoError(t, err)
	assert.Less(t, len(token), 2000)
}

func TestDigest(t *testing.T) {
	t.Parallel()
	a := map[string]any{"description": "k", "scopes": []any{"read"}, "expires_in_days": 30.0}
	b := map[string]any{"expires_in_days": 30.0, "scopes": []any{"read"}, "description": "k"}
	assert.Equal(t, iocloud.Digest(a), iocloud.Digest(b), "key order does not matter")
	assert.Len(t, iocloud.Digest(a), 64)
	assert.Equal(t, "4d967a30111bf29f0eba01c448b375c1629b2fed01cdfcc3aed91f1b57d5dd5e", iocloud.Digest("test"), "SHA-256 of the JSON text \"test\"")

	b["scopes"] = []any{"write"}
	assert.NotEqual(t, iocloud.Digest(a), iocloud.Digest(b))

	// Values JSON cannot carry never match anything, not even themselves.
	f := func() {}
	first, second := iocloud.Digest(f), iocloud.Digest(f)
	assert.NotEqual(t, first, second)
	assert.NotEmpty(t, first)
}

// handSealed builds a token by following the documented format, not by
// calling Seal: base64url(JSON) "." base64url(HMAC-SHA256(secret,
// "iocloud-ticket-v1\x00" + payload)). It pins the wire format (replicas of
// different versions share it) and, having a fixed nonce, is the same in
// every process, which the fuzz workers need.
func handSealed(t testing.TB, tk guard.Ticket) string {
	t.Helper()
	raw, err := json.Marshal(tk)
	require.NoError(t, err)
	payload := base64.RawURLEncoding.EncodeToString(raw)
	m := hmac.New(sha256.New, testSecret)
	m.Write([]byte("iocloud-ticket-v1\x00" + payload))
	return payload + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func handTicket() guard.Ticket {
	tk := sampleTicket()
	tk.Nonce = "c2VlZC1ub25jZS0wMDAwMA"
	tk.ExpiresAt = newFakeClock().Now().Add(5 * time.Minute)
	tk.Epoch = handEpoch
	return tk
}

func TestTicketWireFormat(t *testing.T) {
	t.Parallel()
	tickets := newTickets(t, newFakeClock())
	tk := handTicket()
	opened, err := tickets.Open(t.Context(), handSealed(t, tk), checkFor(tk))
	require.NoError(t, err)
	assert.Equal(t, tk, opened)

	// And Seal's output follows it: its MAC is the documented one.
	token, sealed, err := tickets.Seal(context.Background(), sampleTicket())
	require.NoError(t, err)
	assert.Equal(t, handSealed(t, sealed), token)
}

// FuzzOpenTicket: Open never panics and opens nothing but the one token
// sealed with the test secret.
func FuzzOpenTicket(f *testing.F) {
	tk := handTicket()
	token := handSealed(f, tk)
	payload, mac, _ := strings.Cut(token, ".")
	forged := tk
	forged.Actor = "slack:T1/U2"
	forgedPayload, _, _ := strings.Cut(handSealed(f, forged), ".")

	f.Add(token)
	f.Add(payload + "." + mac[:len(mac)-1] + "A")
	f.Add(payload[1:] + "." + mac)
	f.Add(forgedPayload + "." + mac)
	f.Add(payload)
	f.Add("")
	f.Add(".")
	f.Add("e30.AAAA")
	f.Add(token + "\n")

	clock := newFakeClock()
	f.Fuzz(func(t *testing.T, input string) {
		tickets := newTickets(t, clock) // a fresh single-use store per input
		opened, err := tickets.Open(t.Context(), input, checkFor(tk))
		if err == nil {
			require.Equal(t, token, input, "only the sealed token opens")
			require.Equal(t, tk, opened)
		} else {
			require.Equal(t, guard.Ticket{}, opened)
		}
	})
}

func BenchmarkTicketSeal(b *testing.B) {
	tickets := newTickets(b, newFakeClock())
	tk := sampleTicket()
	for b.Loop() {
		if _, _, err := tickets.Seal(context.Background(), tk); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTicketOpen(b *testing.B) {
	clock := newFakeClock()
	tickets := newTickets(b, clock)
	tk := sampleTicket()
	check := checkFor(tk)
	for b.Loop() {
		b.StopTimer()
		clock.Advance(time.Hour) // lets the single-use store forget earlier nonces
		token, _, err := tickets.Seal(context.Background(), tk)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := tickets.Open(b.Context(), token, check); err != nil {
			b.Fatal(err)
		}
	}
}
