package config

import (
	"fmt"
	"log/slog"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/sethvargo/go-envconfig"
)

// Error is a configuration problem: one line naming the variable, what is
// wrong with it and what to send instead. Check for it with errors.As.
type Error struct {
	Var     string // e.g. "IOCLOUD_TIMEOUT"
	Problem string // e.g. `"abc" is not a duration (use e.g. 15s or 1m)`
}

func (e *Error) Error() string { return e.Var + ": " + e.Problem }

func problem(name, format string, args ...any) *Error {
	return &Error{Var: name, Problem: fmt.Sprintf(format, args...)}
}

// maxShownValue is the longest value quoted back in an error. Credentials
// are longer (io.net keys, JWTs, Slack tokens and 32-character signing
// secrets all are), so a secret pasted into the wrong variable is described,
// not echoed. Every sensible value of a non-secret setting fits.
const maxShownValue = 20

var secretType = reflect.TypeFor[Secret]()

// explainDecodeError turns a go-envconfig failure into an *Error naming the
// variable being decoded when it failed.
func explainDecodeError(err error, at decodingVar, vars []variable, l envconfig.Lookuper) error {
	var typ reflect.Type
	var secrets []string
	for _, v := range vars {
		if v.name == at.key {
			typ = v.typ
		}
		if v.typ == secretType {
			if s, ok := l.Lookup(v.name); ok {
				secrets = append(secrets, s)
			}
		}
	}
	if typ == nil {
		// Not a value that failed to parse: the struct itself is wrong. That
		// is a bug in this program, and the message names no value.
		return fmt.Errorf("config: %w", err)
	}
	value := describeValue(at.value, secrets)
	if typ == secretType {
		value = "the value"
	}
	switch {
	case typ == reflect.TypeFor[time.Duration]():
		return problem(at.key, "%s is not a duration (%s)", value, durationHint(at.key, at.value))
	case typ == reflect.TypeFor[slog.Level]():
		return problem(at.key, "%s is not a log level (use debug, info, warn or error)", value)
	case typ.Kind() == reflect.Bool:
		return problem(at.key, "%s is not true or false (use true or false)", value)
	default:
		return problem(at.key, "%s cannot be read as %s", value, typ)
	}
}

// minSecretPart is the length from which a piece of a secret counts as
// revealing it.
const minSecretPart = 8

// describeValue quotes v, unless it could be a credential: too long, holding
// the value of one of the secret variables, or a sizeable piece of one.
func describeValue(v string, secrets []string) string {
	if len(v) > maxShownValue || holdsSecret(v, secrets) {
		return notShown(v)
	}
	return strconv.Quote(v)
}

// quoteLong quotes a URL or a path, which are often longer than any
// credential, unless it holds a secret: a key pasted into a URL's path or a
// directory name is not echoed either.
func quoteLong(v string, secrets []string) string {
	if holdsSecret(v, secrets) {
		return notShown(v)
	}
	return strconv.Quote(v)
}

// holdsSecret reports whether v contains one of the secret values, or is a
// sizeable piece of one.
func holdsSecret(v string, secrets []string) bool {
	for _, s := range secrets {
		switch {
		case s == "" || v == "":
		case strings.Contains(v, s), len(v) >= minSecretPart && strings.Contains(s, v):
			return true
		}
	}
	return false
}

func notShown(v string) string { return fmt.Sprintf("the value (%d characters, not shown)", len(v)) }

// durationHint says what a duration looks like, and catches the usual slip
// of writing days, which Go durations do not have.
func durationHint(name, v string) string {
	if days, ok := strings.CutSuffix(strings.TrimSpace(v), "d"); ok {
		if n, err := strconv.Atoi(days); err == nil && n > 0 {
			return fmt.Sprintf("there is no day unit: use %dh for %d days", n*24, n)
		}
	}
	switch name {
	case "IOCLOUD_KEY_DEFAULT_TTL", "IOCLOUD_KEY_MAX_TTL":
		return "use hours, e.g. 720h for 30 days"
	}
	return "use e.g. 15s or 1m"
}
