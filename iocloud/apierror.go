package iocloud

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Bounds of what an error keeps from a body, so a huge or hostile body
// cannot make a huge message.
const (
	maxDetail      = 300 // bytes of "detail" text or of a non-JSON excerpt
	maxFieldMsg    = 200
	maxLocItem     = 48
	maxLocItems    = 6
	maxFields      = 20 // kept in APIError.Fields
	shownFields    = 5  // rendered by Error
	maxErrorString = 1000
)

// Error says who answered what to which request, shortly. It never holds a
// credential: credentials travel in headers, the path has no query, and the
// body excerpt has the client's secrets removed.
func (e *APIError) Error() string {
	var b strings.Builder
	status := strings.TrimSpace(strconv.Itoa(e.StatusCode) + " " + http.StatusText(e.StatusCode))
	fmt.Fprintf(&b, "io.net answered %s", status)
	if e.Method != "" || e.Path != "" {
		fmt.Fprintf(&b, " to %s %s", e.Method, e.Path)
	}
	switch {
	case len(e.Fields) > 0:
		b.WriteString(": ")
		for i, f := range e.Fields {
			text := f.String()
			// Keep room for the "and N more" note and the Retry-After.
			if i == shownFields || (i > 0 && b.Len()+len(text) > maxErrorString-60) {
				fmt.Fprintf(&b, "; and %d more", len(e.Fields)-i)
				break
			}
			if i > 0 {
				b.WriteString("; ")
			}
			b.WriteString(text)
		}
	case e.Detail != "":
		b.WriteString(": ")
		b.WriteString(e.Detail)
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (retry after %s)", e.RetryAfter.Round(time.Second))
	}
	return clip(b.String(), maxErrorString)
}

// Is maps the status to the package's sentinels, so callers can write
// errors.Is(err, iocloud.ErrRateLimited).
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized
	case ErrForbidden:
		return e.StatusCode == http.StatusForbidden
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound
	case ErrValidation:
		return e.StatusCode == http.StatusBadRequest || e.StatusCode == http.StatusUnprocessableEntity
	case ErrRateLimited:
		return e.StatusCode == http.StatusTooManyRequests
	case ErrUnavailable:
		return e.StatusCode >= 500 || e.StatusCode == http.StatusRequestTimeout
	}
	return false
}

// String renders "query.hardware_id: Field required".
func (f FieldError) String() string {
	loc := strings.Join(f.Loc, ".")
	switch {
	case loc == "":
		return f.Msg
	case f.Msg == "":
		return loc
	}
	return loc + ": " + f.Msg
}

// Name is the parameter a validation error is about: the last item of loc
// ("hardware_qty" of ["query","hardware_qty"]).
func (f FieldError) Name() string {
	if len(f.Loc) == 0 {
		return ""
	}
	return f.Loc[len(f.Loc)-1]
}

func (e *InputError) Error() string { return e.Field + " " + e.Problem }

// Is makes a refused input match ErrValidation, like io.net's own 422.
func (e *InputError) Is(target error) bool { return target == ErrValidation }

// decodeErrorBody reads io.net's error body: FastAPI's {"detail": "text"},
// {"detail": [{"loc","msg","type",...}]}, other JSON, or no JSON at all (an
// HTML page from a proxy). It keeps a short, printable, bounded excerpt;
// redact runs on every kept string before it is shortened, so no prefix of
// a secret survives a cut. It never fails.
func decodeErrorBody(body []byte, redact func(string) string) (detail string, fields []FieldError) {
	if redact == nil {
		redact = func(s string) string { return s }
	}
	keep := func(s string, n int) string { return clip(printable(redact(s)), n) }
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return "", nil
	}
	if !json.Valid(body) {
		return keep(textExcerpt(body), maxDetail), nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(body, &obj); err != nil { // JSON, but not an object
		return keep(compactJSON(body), maxDetail), nil
	}
	raw, ok := obj["detail"]
	if !ok {
		for _, k := range []string{"message", "error", "title"} {
			var s string
			if json.Unmarshal(obj[k], &s) == nil && strings.TrimSpace(s) != "" {
				return keep(s, maxDetail), nil
			}
		}
		return keep(compactJSON(body), maxDetail), nil // e.g. 400 {"key_set": true}
	}
	var text string
	if json.Unmarshal(raw, &text) == nil {
		return keep(text, maxDetail), nil
	}
	var items []json.RawMessage
	if json.Unmarshal(raw, &items) != nil {
		return keep(compactJSON(raw), maxDetail), nil
	}
	for _, item := range items {
		if len(fields) == maxFields {
			break
		}
		fields = append(fields, decodeFieldError(item, keep))
	}
	return "", fields
}

// decodeFieldError reads one FastAPI validation item, tolerating extra keys
// ("input", "ctx", "url"), numeric loc items (list indexes) and items that
// are not objects at all.
func decodeFieldError(item json.RawMessage, keep func(string, int) string) FieldError {
	var w struct {
		Loc  []json.RawMessage `json:"loc"`
		Msg  json.RawMessage   `json:"msg"`
		Type json.RawMessage   `json:"type"`
	}
	if json.Unmarshal(item, &w) != nil {
		return FieldError{Msg: keep(compactJSON(item), maxFieldMsg)}
	}
	fe := FieldError{Msg: keep(jsonText(w.Msg), maxFieldMsg), Type: keep(jsonText(w.Type), maxLocItem)}
	for _, l := range w.Loc {
		if len(fe.Loc) == maxLocItems {
			break
		}
		fe.Loc = append(fe.Loc, keep(jsonText(l), maxLocItem))
	}
	return fe
}

// jsonText is a JSON string's text, or any other JSON value compacted.
func jsonText(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	if string(raw) == "null" {
		return ""
	}
	return compactJSON(raw)
}

func compactJSON(raw []byte) string {
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return string(raw)
	}
	return b.String()
}

var (
	htmlTitle = regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title>`)
	htmlTag   = regexp.MustCompile(`(?s)<[^>]*>`)
)

// textExcerpt turns a non-JSON body into one line of text: an HTML page's
// title (or its text without tags), with whitespace collapsed. Only a bounded
// prefix is looked at.
func textExcerpt(body []byte) string {
	if len(body) > 16<<10 {
		body = body[:16<<10]
	}
	s := string(body)
	if strings.Contains(s, "<") {
		if m := htmlTitle.FindStringSubmatch(s); m != nil && strings.TrimSpace(m[1]) != "" {
			s = m[1]
		} else {
			s = htmlTag.ReplaceAllString(s, " ")
		}
	}
	return s
}

// printable makes s valid UTF-8 on one line: control characters become
// spaces and runs of spaces collapse.
func printable(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || !unicode.IsPrint(r) {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// clip shortens s to at most n bytes, cutting at a rune boundary and marking
// the cut with "...".
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	const mark = "..."
	cut := max(n-len(mark), 0)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + mark
}
