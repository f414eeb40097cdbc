package iocloud

import (
	"fmt"
	"io"
	"log/slog"
)

// redacted is what every printing path shows instead of a secret.
const redacted = "REDACTED"

// Secret holds a credential (API key, JWT, Slack secret, a newly created key).
// It redacts itself on every printing path: fmt verbs (String, GoString),
// slog (LogValue) and JSON (MarshalJSON). Reveal is the only way to the value
// and is called only where a header is set or the secret is handed to its
// owner.
type Secret string

// String implements fmt.Stringer.
func (s Secret) String() string { return s.mask() }

// GoString implements fmt.GoStringer, so %#v redacts too.
func (s Secret) GoString() string { return s.mask() }

// Format implements fmt.Formatter, so every verb redacts, even a wrong one
// (%d, %t, %x): fmt's bad-verb path would otherwise print the raw value.
func (s Secret) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		_, _ = io.WriteString(f, s.mask())
		return
	}
	_, _ = fmt.Fprintf(f, fmt.FormatString(f, verb), s.mask())
}

// LogValue implements slog.LogValuer.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.mask()) }

// MarshalJSON implements json.Marshaler.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + s.mask() + `"`), nil }

// MarshalText implements encoding.TextMarshaler (used by slog's text handler
// and by encoders that prefer text).
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.mask()), nil }

// Reveal returns the secret value. Call it only where the value must leave
// the process: an HTTP header, or the hand-over of a new key to its owner.
func (s Secret) Reveal() string { return string(s) }

// IsSet reports whether the secret has a value.
func (s Secret) IsSet() bool { return s != "" }

func (s Secret) mask() string {
	if s == "" {
		return ""
	}
	return redacted
}
