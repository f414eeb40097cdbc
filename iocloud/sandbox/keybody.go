package sandbox

import (
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strings"
	"time"
)

// Accepted values. io.net documents only "io-cloud" and "all"; the UI offers
// All/Read/Write; "io-intelligence" is a guess (reference §5.3, §10).
var (
	validProjects = []string{"io-cloud", "io-intelligence"}
	validScopes   = []string{"all", "read", "write"}
)

type createKeyBody struct {
	Description string
	ExpiresAt   time.Time
	Project     string
	Scopes      []string
}

// parseCreateKey validates a CreateApiKey body as Pydantic v2 would, with
// the sandbox's extra rules: a non-blank description, expires_at in the
// future, at least one scope. Unknown fields are ignored.
func parseCreateKey(body []byte, now time.Time) (createKeyBody, []fieldError) {
	var out createKeyBody
	if len(strings.TrimSpace(string(body))) == 0 {
		return out, []fieldError{missing("body")}
	}
	var raw any
	if err := json.Unmarshal(body, &raw); err != nil {
		var offset int64
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			offset = syn.Offset
		}
		return out, []fieldError{{
			Type: "json_invalid", Loc: []any{"body", offset}, Msg: "JSON decode error",
			Input: map[string]any{}, Ctx: map[string]any{"error": err.Error()},
		}}
	}
	obj, ok := raw.(map[string]any)
	if !ok {
		return out, []fieldError{{
			Type: "model_attributes_type", Loc: []any{"body"},
			Msg: "Input should be a valid dictionary or object to extract fields from", Input: raw,
		}}
	}

	var errs []fieldError
	field := func(name string) (any, bool) {
		v, ok := obj[name]
		if !ok {
			e := missing("body", name)
			e.Input = obj // Pydantic v2 shows the whole object for a missing field
			errs = append(errs, e)
		}
		return v, ok
	}

	if v, ok := field("description"); ok {
		d, e := checkDescription(v)
		if e != nil {
			errs = append(errs, *e)
		}
		out.Description = d
	}
	if v, ok := field("expires_at"); ok {
		t, e := parseExpiry(v, now)
		if e != nil {
			errs = append(errs, *e)
		}
		out.ExpiresAt = t
	}
	if v, ok := field("project"); ok {
		if p, isStr := v.(string); isStr && slices.Contains(validProjects, p) {
			out.Project = p
		} else {
			errs = append(errs, literalError(v, validProjects, "body", "project"))
		}
	}
	if v, ok := field("scopes"); ok {
		scopes, scopeErrs := parseScopes(v)
		errs = append(errs, scopeErrs...)
		out.Scopes = scopes
	}
	return out, errs
}

func checkDescription(v any) (string, *fieldError) {
	s, ok := v.(string)
	if !ok {
		return "", &fieldError{Type: "string_type", Loc: []any{"body", "description"}, Msg: "Input should be a valid string", Input: v}
	}
	if strings.TrimSpace(s) == "" {
		return "", &fieldError{
			Type: "string_too_short", Loc: []any{"body", "description"},
			Msg: "String should have at least 1 character", Input: s, Ctx: map[string]any{"min_length": 1},
		}
	}
	return s, nil
}

// Layouts Pydantic accepts for a datetime, as far as clients send them.
// Without a zone the time is read as UTC.
var expiryLayouts = []string{
	time.RFC3339, // also takes fractional seconds when parsing
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05",
	"2006-01-02",
}

// parseExpiry reads expires_at: an ISO 8601 string with or without zone, a
// date, or Unix seconds; it must lie after now.
func parseExpiry(v any, now time.Time) (time.Time, *fieldError) {
	loc := []any{"body", "expires_at"}
	var t time.Time
	switch x := v.(type) {
	case string:
		parsed := false
		for _, layout := range expiryLayouts {
			if p, err := time.Parse(layout, x); err == nil {
				t, parsed = p, true
				break
			}
		}
		if !parsed {
			const reason = "invalid datetime format, expected ISO 8601 such as 2027-01-31T00:00:00Z"
			return t, &fieldError{
				Type: "datetime_from_date_parsing", Loc: loc,
				Msg: "Input should be a valid datetime or date, " + reason, Input: x,
				Ctx: map[string]any{"error": reason},
			}
		}
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) || math.Abs(x) > 1e11 {
			return t, &fieldError{Type: "datetime_parsing", Loc: loc, Msg: "Input should be a valid datetime, dates after 9999 are not supported as unix timestamps", Input: x}
		}
		sec, frac := math.Modf(x)
		t = time.Unix(int64(sec), int64(frac*1e9)).UTC()
	default:
		return t, &fieldError{Type: "datetime_type", Loc: loc, Msg: "Input should be a valid datetime", Input: v}
	}
	t = t.Truncate(time.Microsecond) // Python datetimes hold microseconds
	if !t.After(now) {
		return t, &fieldError{
			Type: "value_error", Loc: loc, Msg: "Value error, expires_at must be in the future",
			Input: v, Ctx: map[string]any{"error": map[string]any{}},
		}
	}
	return t, nil
}

func parseScopes(v any) ([]string, []fieldError) {
	loc := []any{"body", "scopes"}
	list, ok := v.([]any)
	if !ok {
		return nil, []fieldError{{Type: "list_type", Loc: loc, Msg: "Input should be a valid list", Input: v}}
	}
	if len(list) == 0 {
		return nil, []fieldError{{
			Type: "too_short", Loc: loc, Msg: "List should have at least 1 item after validation, not 0",
			Input: list, Ctx: map[string]any{"field_type": "List", "min_length": 1, "actual_length": 0},
		}}
	}
	var errs []fieldError
	scopes := make([]string, 0, len(list))
	for i, item := range list {
		if s, isStr := item.(string); isStr && slices.Contains(validScopes, s) {
			scopes = append(scopes, s)
			continue
		}
		errs = append(errs, literalError(item, validScopes, "body", "scopes", i))
	}
	return scopes, errs
}

// literalError is Pydantic's Literal mismatch: "Input should be 'a', 'b' or 'c'".
func literalError(input any, allowed []string, loc ...any) fieldError {
	quoted := make([]string, len(allowed))
	for i, a := range allowed {
		quoted[i] = "'" + a + "'"
	}
	expected := quoted[len(quoted)-1]
	if len(quoted) > 1 {
		expected = strings.Join(quoted[:len(quoted)-1], ", ") + " or " + expected
	}
	return fieldError{
		Type: "literal_error", Loc: loc, Msg: "Input should be " + expected,
		Input: input, Ctx: map[string]any{"expected": expected},
	}
}
