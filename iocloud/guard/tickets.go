package guard

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/iocloud-chatops/iocloud/iocloud"
	"github.com/iocloud-chatops/iocloud/iocloud/state"
)

// TicketTTL is how long a confirmation stays valid: the core's
// iocloud.ConfirmationTTL, which the frontends' messages also say.
const TicketTTL = iocloud.ConfirmationTTL

// MinConfirmSecretLength is the shortest shared ticket secret accepted, in
// bytes (e.g. `openssl rand -base64 32` gives 44): the HMAC key must be at
// least as long as SHA-256's output to carry its full strength. config
// checks IOCLOUD_CONFIRM_SECRET against this same constant.
const MinConfirmSecretLength = 32

// MaxTicketTokenLength caps what Open reads. A sealed token is well under
// 1 KiB (and under Slack's 2000-character button value limit); anything
// longer is not ours.
const MaxTicketTokenLength = 4096

// ticketMACDomain separates ticket MACs from any other use of the same
// secret (the secret may be shared across replicas and tools).
const ticketMACDomain = "iocloud-ticket-v1\x00"

// usedGrace keeps a used ticket's mark a little past its expiry, so a wall
// clock stepped back (NTP) cannot revive a ticket whose mark was dropped.
const usedGrace = 5 * time.Minute

// Ticket is the sealed state of one pending key action.
type Ticket struct {
	Action    string             `json:"a"`           // ActionCreateAPIKey or ActionRevokeAPIKey
	Actor     string             `json:"u"`           // Actor.String() of the requester
	Binding   string             `json:"b,omitempty"` // digest of the exact arguments (MCP), optional
	Request   iocloud.KeyRequest `json:"r"`           // exactly what will be created (or, for a revocation, what the key is)
	KeyID     string             `json:"i,omitempty"` // the key a revocation removes
	Display   string             `json:"d,omitempty"` // its masked form, for the preview and the audit
	ExpiresAt time.Time          `json:"e"`
	Nonce     string             `json:"n"`
	KeyTag    string             `json:"k"` // which ticket key sealed it (not secret): tells "restarted" from "forged"
	Epoch     string             `json:"s"` // the state store's epoch when sealed (see storeEpoch)
}

// ID is a short, one-way id for the ticket, for audit records and approval
// pages. It cannot be turned back into a usable token.
func (tk Ticket) ID() string { return TicketID(tk.Nonce) }

// TicketID derives a ticket's id from its nonce.
func TicketID(nonce string) string {
	sum := sha256.Sum256([]byte("iocloud-ticket-id\x00" + nonce))
	return hex.EncodeToString(sum[:8])
}

// TicketCheck is what a ticket must match to open.
type TicketCheck struct {
	Action  string
	Actor   string
	Binding string // checked when non-empty, or when the ticket has one
}

// Tickets seals and opens confirmation tickets (HMAC-SHA256). Single use is
// recorded in the state store, so it holds across restarts (file store) and
// replicas (Redis) that share the ticket secret. Safe for concurrent use.
type Tickets struct {
	key   []byte
	tag   string
	now   func() time.Time
	ttl   time.Duration
	store state.Store
}

// TicketOption configures Tickets.
type TicketOption func(*Tickets)

// WithTicketClock sets the clock used for expiry (tests).
func WithTicketClock(now func() time.Time) TicketOption {
	return func(t *Tickets) {
		if now != nil {
			t.now = now
		}
	}
}

// WithTicketTTL sets how long a sealed ticket stays valid (default TicketTTL).
func WithTicketTTL(d time.Duration) TicketOption {
	return func(t *Tickets) {
		if d > 0 {
			t.ttl = d
		}
	}
}

// ErrShortSecret is NewTickets' refusal of a secret under
// MinConfirmSecretLength bytes.
var ErrShortSecret = fmt.Errorf("the confirmation secret is shorter than %d bytes; generate one with `openssl rand -base64 32`", MinConfirmSecretLength)

// NewTickets: secret empty means a random 32-byte key for this process (so
// tickets die with it). A non-empty secret shorter than
// MinConfirmSecretLength is refused. store records single use; nil means a
// new in-memory store.
func NewTickets(secret []byte, store state.Store, opts ...TicketOption) (*Tickets, error) {
	var key []byte
	switch {
	case len(secret) == 0:
		key = make([]byte, 32)
		_, _ = rand.Read(key) // never fails: crypto/rand crashes the program instead
	case len(secret) < MinConfirmSecretLength:
		return nil, ErrShortSecret
	default:
		key = bytes.Clone(secret)
	}
	if store == nil {
		store = state.NewMemory()
	}
	tagSum := sha256.Sum256(append([]byte("iocloud-ticket-key-tag\x00"), key...))
	t := &Tickets{key: key, tag: hex.EncodeToString(tagSum[:4]), now: time.Now, ttl: TicketTTL, store: store}
	for _, opt := range opts {
		if opt != nil {
			opt(t)
		}
	}
	return t, nil
}

var b64 = base64.RawURLEncoding

// NewNonce is a fresh random ticket nonce (128 bits).
func NewNonce() string {
	nonce := make([]byte, 16)
	_, _ = rand.Read(nonce) // never fails: crypto/rand crashes the program instead
	return b64.EncodeToString(nonce)
}

// Seal fills ExpiresAt, the store's epoch (and Nonce, unless given) and
// returns the token and the sealed ticket. Action and Actor must be set: a
// ticket must say what it allows and to whom.
func (t *Tickets) Seal(ctx context.Context, tk Ticket) (string, Ticket, error) {
	if tk.Action == "" || tk.Actor == "" {
		return "", Ticket{}, errors.New("confirmation ticket needs an action and an actor")
	}
	epoch, err := t.storeEpoch(ctx)
	if err != nil {
		return "", Ticket{}, fmt.Errorf("%w: %w", iocloud.ErrStateUnavailable, err)
	}
	if tk.Nonce == "" {
		tk.Nonce = NewNonce()
	}
	tk.ExpiresAt = t.now().Add(t.ttl).UTC()
	tk.KeyTag = t.tag
	tk.Epoch = epoch

	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // shorter tokens; the payload is base64 anyway
	if err := enc.Encode(tk); err != nil {
		return "", Ticket{}, fmt.Errorf("confirmation ticket: %w", err)
	}
	payload := b64.EncodeToString(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
	token := payload + "." + b64.EncodeToString(t.mac(payload))
	if len(token) > MaxTicketTokenLength {
		return "", Ticket{}, fmt.Errorf("confirmation ticket is %d bytes, more than %d", len(token), MaxTicketTokenLength)
	}
	return token, tk, nil
}

// Check verifies MAC, action, actor, binding and expiry without using the
// ticket up. ErrTicketWrongActor and ErrTicketMismatch name the problem; a
// malformed or tampered token is ErrTicketInvalid; one sealed with another
// key (a restart with a per-process key, another replica) is ErrTicketStale.
func (t *Tickets) Check(token string, check TicketCheck) (Ticket, error) {
	tk, err := t.checkOwner(token, check)
	if err != nil {
		return Ticket{}, err
	}
	if !t.now().Before(tk.ExpiresAt) {
		return Ticket{}, expiredAt(tk.ExpiresAt)
	}
	return tk, nil
}

// checkOwner is Check without the expiry: MAC, action, actor and binding.
// Asking what became of an expired request needs exactly this much.
func (t *Tickets) checkOwner(token string, check TicketCheck) (Ticket, error) {
	tk, err := t.verify(token)
	if err != nil {
		return Ticket{}, err
	}
	if tk.Action != check.Action {
		return Ticket{}, fmt.Errorf("%w: it is for %q, not %q", iocloud.ErrTicketMismatch, tk.Action, check.Action)
	}
	if tk.Actor != check.Actor {
		return Ticket{}, iocloud.ErrTicketWrongActor
	}
	if (check.Binding != "" || tk.Binding != "") && !hmac.Equal([]byte(tk.Binding), []byte(check.Binding)) {
		return Ticket{}, iocloud.ErrTicketMismatch
	}
	return tk, nil
}

// expiredAt is ErrTicketExpired with the time it happened.
func expiredAt(at time.Time) error {
	return fmt.Errorf("%w (at %s)", iocloud.ErrTicketExpired, at.UTC().Format(time.RFC3339))
}

// Open checks the ticket and uses it up, atomically in the state store: of
// any number of concurrent Opens, across replicas, exactly one succeeds.
// Only a ticket that passes every check is used up, so someone else's click
// or other arguments leave it to its owner.
func (t *Tickets) Open(ctx context.Context, token string, check TicketCheck) (Ticket, error) {
	tk, err := t.Check(token, check)
	if err != nil {
		return Ticket{}, err
	}
	if err := t.Use(ctx, tk); err != nil {
		return Ticket{}, err
	}
	return tk, nil
}

// Use marks a checked ticket used; ErrTicketUsed if it already was.
// A ticket sealed before the store last lost its data is ErrTicketStale:
// the record of its use may be gone with the rest.
func (t *Tickets) Use(ctx context.Context, tk Ticket) error {
	current, err := t.store.Get(ctx, epochKey)
	switch {
	case errors.Is(err, state.ErrNotFound):
		return fmt.Errorf("%w: %w", iocloud.ErrTicketStale, errStoreReset)
	case err != nil:
		return fmt.Errorf("%w: %w", iocloud.ErrStateUnavailable, err)
	case !hmac.Equal(current, []byte(tk.Epoch)):
		return fmt.Errorf("%w: %w", iocloud.ErrTicketStale, errStoreReset)
	}
	ttl := tk.ExpiresAt.Sub(t.now()) + usedGrace
	first, err := t.store.Once(ctx, "used:"+tk.Nonce, ttl)
	if err != nil {
		return fmt.Errorf("%w: %w", iocloud.ErrStateUnavailable, err)
	}
	if !first {
		return iocloud.ErrTicketUsed
	}
	return nil
}

// verify checks the token's shape and MAC and decodes it. Failures are
// ErrTicketInvalid without detail (an attacker learns nothing), except a
// well-formed payload sealed under another key tag: ErrTicketStale, so a
// person whose server restarted is told so rather than "invalid".
func (t *Tickets) verify(token string) (Ticket, error) {
	if len(token) == 0 || len(token) > MaxTicketTokenLength {
		return Ticket{}, iocloud.ErrTicketInvalid
	}
	// Only the base64url alphabet and one dot: the decoder would otherwise
	// skip line breaks, letting a token be spelled more than one way.
	if strings.Count(token, ".") != 1 || strings.IndexFunc(token, notTokenRune) >= 0 {
		return Ticket{}, iocloud.ErrTicketInvalid
	}
	payload, sig, _ := strings.Cut(token, ".")
	if payload == "" {
		return Ticket{}, iocloud.ErrTicketInvalid
	}
	raw, err := b64.Strict().DecodeString(payload)
	if err != nil {
		return Ticket{}, iocloud.ErrTicketInvalid
	}
	var tk Ticket
	if err := json.Unmarshal(raw, &tk); err != nil || tk.Nonce == "" || tk.ExpiresAt.IsZero() || tk.Action == "" || tk.Actor == "" {
		return Ticket{}, iocloud.ErrTicketInvalid
	}
	mac, err := b64.Strict().DecodeString(sig)
	if err != nil {
		return Ticket{}, iocloud.ErrTicketInvalid
	}
	if !hmac.Equal(mac, t.mac(payload)) {
		if tk.KeyTag != "" && tk.KeyTag != t.tag {
			// Still ErrTicketInvalid (a forgery can claim any tag); the
			// stale reading only chooses the kinder message.
			return Ticket{}, fmt.Errorf("%w (%w)", iocloud.ErrTicketStale, iocloud.ErrTicketInvalid)
		}
		return Ticket{}, iocloud.ErrTicketInvalid
	}
	return tk, nil
}

func notTokenRune(r rune) bool {
	switch {
	case 'A' <= r && r <= 'Z', 'a' <= r && r <= 'z', '0' <= r && r <= '9', r == '-', r == '_', r == '.':
		return false
	}
	return true
}

// mac is HMAC-SHA256 over the domain tag and the encoded payload, so the
// bytes that are checked are exactly the bytes that are decoded.
func (t *Tickets) mac(payload string) []byte {
	m := hmac.New(sha256.New, t.key)
	m.Write([]byte(ticketMACDomain))
	m.Write([]byte(payload))
	return m.Sum(nil)
}
