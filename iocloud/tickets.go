package iocloud

import (
	"bytes"
	"container/heap"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

// TicketTTL is how long a confirmation stays valid.
const TicketTTL = 10 * time.Minute

// MinConfirmSecretLength is the shortest IOCLOUD_CONFIRM_SECRET accepted, in
// bytes (e.g. `openssl rand -base64 32` gives 44).
const MinConfirmSecretLength = 32

// MaxTicketTokenLength caps what Open reads. A sealed token is well under
// 1 KiB (and under Slack's 2000-character button value limit); anything
// longer is not ours.
const MaxTicketTokenLength = 4096

// ticketMACDomain separates ticket MACs from any other use of the same
// secret (the secret may be shared across replicas and tools).
const ticketMACDomain = "iocloud-ticket-v1\x00"

// maxUsedNonces bounds the in-memory single-use store. Entries only come
// from tickets this process (or a replica sharing the secret) sealed, and
// they are dropped when the ticket expires, so the bound is never reached
// in normal use; if it is, Open fails closed rather than forget a nonce.
const maxUsedNonces = 1 << 17

// nonceGrace keeps a used nonce a little past its ticket's expiry, so a wall
// clock stepped back (NTP) cannot revive a ticket whose nonce was pruned.
const nonceGrace = 5 * time.Minute

// Ticket is the sealed state of one pending key creation.
type Ticket struct {
	Action    string     `json:"a"`           // e.g. "create_api_key"
	Actor     string     `json:"u"`           // Actor.String() of the requester
	Binding   string     `json:"b,omitempty"` // digest of the exact arguments (MCP), optional
	Request   KeyRequest `json:"r"`           // exactly what will be created
	ExpiresAt time.Time  `json:"e"`
	Nonce     string     `json:"n"`
}

// TicketCheck is what a ticket must match to open.
type TicketCheck struct {
	Action  string
	Actor   string
	Binding string // checked when non-empty, or when the ticket has one
}

// UsedNonces remembers which tickets have been opened. The default is in
// memory, which is right for one process. Several replicas sharing
// IOCLOUD_CONFIRM_SECRET can each open a ticket another sealed, so they
// need a shared implementation (e.g. Redis SET NX with an expiry) plugged
// in with WithUsedNonces; otherwise a ticket could be used once per replica.
type UsedNonces interface {
	// MarkUsed records nonce as used until expiresAt (after which the ticket
	// is expired anyway and the nonce may be forgotten). It reports whether
	// this call was the first to use it, atomically: of many concurrent
	// calls with one nonce, exactly one gets true.
	MarkUsed(nonce string, expiresAt, now time.Time) (first bool, err error)
}

// Tickets seals and opens confirmation tickets (HMAC-SHA256), single use.
// It is safe for concurrent use.
type Tickets struct {
	key  []byte
	now  func() time.Time
	ttl  time.Duration
	used UsedNonces
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

// WithUsedNonces replaces the in-memory single-use store (see UsedNonces).
func WithUsedNonces(u UsedNonces) TicketOption {
	return func(t *Tickets) {
		if u != nil {
			t.used = u
		}
	}
}

// NewTickets: secret empty means a random 32-byte key for this process (so
// tickets die with it). A non-empty secret shorter than
// MinConfirmSecretLength is refused.
func NewTickets(secret []byte, opts ...TicketOption) (*Tickets, error) {
	var key []byte
	switch {
	case len(secret) == 0:
		key = make([]byte, 32)
		_, _ = rand.Read(key) // never fails: crypto/rand crashes the program instead
	case len(secret) < MinConfirmSecretLength:
		return nil, fmt.Errorf("confirmation secret (IOCLOUD_CONFIRM_SECRET) is %d bytes, shorter than %d; generate one with `openssl rand -base64 32`", len(secret), MinConfirmSecretLength)
	default:
		key = bytes.Clone(secret)
	}
	t := &Tickets{key: key, now: time.Now, ttl: TicketTTL, used: newMemoryNonces(maxUsedNonces)}
	for _, opt := range opts {
		if opt != nil {
			opt(t)
		}
	}
	return t, nil
}

var b64 = base64.RawURLEncoding

// Seal fills Nonce and ExpiresAt and returns the token and the sealed ticket.
// Action and Actor must be set: a ticket must say what it allows and to whom.
func (t *Tickets) Seal(tk Ticket) (string, Ticket, error) {
	if tk.Action == "" || tk.Actor == "" {
		return "", Ticket{}, errors.New("confirmation ticket needs an action and an actor")
	}
	nonce := make([]byte, 16)
	_, _ = rand.Read(nonce) // never fails: crypto/rand crashes the program instead
	tk.Nonce = b64.EncodeToString(nonce)
	tk.ExpiresAt = t.now().Add(t.ttl).UTC()

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

// Open verifies MAC, action, actor, binding and expiry, then consumes the
// ticket atomically. Only a ticket that passes every check is consumed, so
// ErrTicketWrongActor (someone else pressed the button) and
// ErrTicketMismatch (other arguments, or another action) leave it usable by
// its owner. Malformed or tampered input is ErrTicketInvalid.
func (t *Tickets) Open(token string, check TicketCheck) (Ticket, error) {
	tk, err := t.verify(token)
	if err != nil {
		return Ticket{}, err
	}
	if tk.Action != check.Action {
		return Ticket{}, fmt.Errorf("%w: it is for %q, not %q", ErrTicketMismatch, tk.Action, check.Action)
	}
	if tk.Actor != check.Actor {
		return Ticket{}, ErrTicketWrongActor
	}
	if (check.Binding != "" || tk.Binding != "") && !hmac.Equal([]byte(tk.Binding), []byte(check.Binding)) {
		return Ticket{}, ErrTicketMismatch
	}
	now := t.now()
	if !now.Before(tk.ExpiresAt) {
		return Ticket{}, fmt.Errorf("%w (at %s)", ErrTicketExpired, tk.ExpiresAt.UTC().Format(time.RFC3339))
	}
	first, err := t.used.MarkUsed(tk.Nonce, tk.ExpiresAt, now)
	if err != nil {
		return Ticket{}, fmt.Errorf("%w: %w", ErrTicketInvalid, err)
	}
	if !first {
		return Ticket{}, ErrTicketUsed
	}
	return tk, nil
}

// verify checks the token's shape and MAC and decodes it. Every failure is
// ErrTicketInvalid without detail: an attacker learns nothing from it.
func (t *Tickets) verify(token string) (Ticket, error) {
	if len(token) == 0 || len(token) > MaxTicketTokenLength {
		return Ticket{}, ErrTicketInvalid
	}
	// Only the base64url alphabet and one dot: the decoder would otherwise
	// skip line breaks, letting a token be spelled more than one way.
	if strings.Count(token, ".") != 1 || strings.IndexFunc(token, notTokenRune) >= 0 {
		return Ticket{}, ErrTicketInvalid
	}
	payload, sig, _ := strings.Cut(token, ".")
	if payload == "" {
		return Ticket{}, ErrTicketInvalid
	}
	mac, err := b64.Strict().DecodeString(sig)
	if err != nil || !hmac.Equal(mac, t.mac(payload)) {
		return Ticket{}, ErrTicketInvalid
	}
	raw, err := b64.Strict().DecodeString(payload)
	if err != nil {
		return Ticket{}, ErrTicketInvalid
	}
	var tk Ticket
	if err := json.Unmarshal(raw, &tk); err != nil || tk.Nonce == "" || tk.ExpiresAt.IsZero() || tk.Action == "" || tk.Actor == "" {
		return Ticket{}, ErrTicketInvalid
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

// Digest is a stable SHA-256 digest of v's JSON, for TicketCheck.Binding.
// Struct fields marshal in declaration order and map keys sorted, so equal
// arguments give equal digests. Leave the confirmation token itself out of
// v. A value that cannot be marshalled gets a random digest that matches
// nothing, so a ticket bound to it can never be opened (fail closed).
func Digest(v any) string {
	raw, err := json.Marshal(v)
	if err != nil {
		junk := make([]byte, sha256.Size)
		_, _ = rand.Read(junk)
		return "unmarshalable:" + hex.EncodeToString(junk)
	}
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:])
}

// memoryNonces is the in-memory UsedNonces: a set plus a min-heap by expiry,
// pruned on every call, so memory holds only tickets that have not (long)
// expired.
type memoryNonces struct {
	mu    sync.Mutex
	set   map[string]struct{}
	queue nonceHeap
	limit int
}

func newMemoryNonces(limit int) *memoryNonces {
	return &memoryNonces{set: make(map[string]struct{}), limit: limit}
}

var errNonceStoreFull = errors.New("too many confirmations are pending; try again in a few minutes")

func (m *memoryNonces) MarkUsed(nonce string, expiresAt, now time.Time) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for len(m.queue) > 0 && !m.queue[0].expiresAt.Add(nonceGrace).After(now) {
		old := heap.Pop(&m.queue).(usedNonce)
		delete(m.set, old.nonce)
	}
	if _, seen := m.set[nonce]; seen {
		return false, nil
	}
	if len(m.set) >= m.limit {
		return false, errNonceStoreFull
	}
	m.set[nonce] = struct{}{}
	heap.Push(&m.queue, usedNonce{nonce: nonce, expiresAt: expiresAt})
	return true, nil
}

func (m *memoryNonces) size() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.set)
}

type usedNonce struct {
	nonce     string
	expiresAt time.Time
}

type nonceHeap []usedNonce

func (h nonceHeap) Len() int           { return len(h) }
func (h nonceHeap) Less(i, j int) bool { return h[i].expiresAt.Before(h[j].expiresAt) }
func (h nonceHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *nonceHeap) Push(x any)        { *h = append(*h, x.(usedNonce)) }
func (h *nonceHeap) Pop() any {
	old := *h
	n := len(old)
	x := old[n-1]
	*h = old[:n-1]
	return x
}
