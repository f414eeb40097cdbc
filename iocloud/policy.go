package iocloud

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// MaxDescriptionLength is the longest key description, in characters.
const MaxDescriptionLength = 100

// The scopes io.net's console offers (Permissions: All / Read / Write).
const (
	ScopeAll   = "all"
	ScopeRead  = "read"
	ScopeWrite = "write"
)

// ProjectIOCloud is the only project io.net documents for IO Cloud keys.
const ProjectIOCloud = "io-cloud"

// knownScopes is every scope a policy may allow, in display order.
var knownScopes = []string{ScopeAll, ScopeRead, ScopeWrite}

// KnownScopes is every scope io.net knows for a key, in display order (a
// copy: config, tool schemas and Slack's form all draw from it).
func KnownScopes() []string { return slices.Clone(knownScopes) }

// Policy is what a new key may look like.
type Policy struct {
	DefaultTTL     time.Duration // lifetime when none is asked for (720h)
	MaxTTL         time.Duration // the longest lifetime allowed (4320h)
	AllowedScopes  []string      // subset of all, read, write
	DefaultProject string        // "io-cloud"
}

// DefaultPolicy is the policy DESIGN.md's defaults describe: 30 days unless
// asked otherwise, at most 180 days, any of all/read/write, project io-cloud.
func DefaultPolicy() Policy {
	return Policy{
		DefaultTTL:     720 * time.Hour,
		MaxTTL:         4320 * time.Hour,
		AllowedScopes:  KnownScopes(),
		DefaultProject: ProjectIOCloud,
	}
}

// Validate checks the policy itself (operator configuration, not a user's
// request). Its messages use the core's terms; package config checks the
// same limits first and names the variables. Scopes must be written in lower case, as io.net expects them.
func (p Policy) Validate() error {
	var errs []error
	if p.DefaultTTL <= 0 {
		errs = append(errs, fmt.Errorf("default key lifetime must be positive, got %s", p.DefaultTTL))
	}
	if p.MaxTTL < p.DefaultTTL {
		errs = append(errs, fmt.Errorf("maximum key lifetime %s is shorter than the default %s", p.MaxTTL, p.DefaultTTL))
	}
	if len(p.AllowedScopes) == 0 {
		errs = append(errs, errors.New("allowed key scopes are empty; use some of: "+strings.Join(knownScopes, ",")))
	}
	for _, s := range p.AllowedScopes {
		if !slices.Contains(knownScopes, s) {
			errs = append(errs, fmt.Errorf("allowed key scope %q is not one of %s", s, strings.Join(knownScopes, ",")))
		}
	}
	if strings.TrimSpace(p.DefaultProject) == "" {
		errs = append(errs, errors.New("key policy has no default project; use "+strconv.Quote(ProjectIOCloud)))
	}
	if len(errs) > 0 {
		return fmt.Errorf("key policy: %w", errors.Join(errs...))
	}
	return nil
}

// KeyAsk is what a person asked for, before the policy is applied. At most
// one of ExpiresIn and ExpiresAt is set; neither means DefaultTTL.
type KeyAsk struct {
	Description string
	ExpiresIn   time.Duration
	ExpiresAt   time.Time
	Scopes      []string // empty: ["all"] if allowed, else the first allowed scope
	Project     string   // empty: DefaultProject
}

// Check applies the policy and returns exactly what will be created, or a
// *PolicyError naming the field and what to send instead. A policy that
// fails Validate is an operator error, reported as a plain error (not
// ErrPolicy) so that the person asking is not told to change their request.
func (p Policy) Check(ask KeyAsk, now time.Time) (KeyRequest, error) {
	if err := p.Validate(); err != nil {
		return KeyRequest{}, err
	}
	desc, err := checkDescription(ask.Description)
	if err != nil {
		return KeyRequest{}, err
	}
	expires, err := p.checkLifetime(ask, now)
	if err != nil {
		return KeyRequest{}, err
	}
	scopes, err := p.checkScopes(ask.Scopes)
	if err != nil {
		return KeyRequest{}, err
	}
	project, err := p.checkProject(ask.Project)
	if err != nil {
		return KeyRequest{}, err
	}
	return KeyRequest{Description: desc, ExpiresAt: expires, Project: project, Scopes: scopes}, nil
}

func checkDescription(raw string) (string, error) {
	hint := fmt.Sprintf("send 1 to %d printable characters on one line, e.g. \"CI deploy key\"", MaxDescriptionLength)
	desc := strings.TrimSpace(raw)
	if desc == "" {
		return "", &PolicyError{Field: "description", Problem: "is empty", Hint: hint}
	}
	if !utf8.ValidString(desc) {
		return "", &PolicyError{Field: "description", Problem: "is not valid UTF-8 text", Hint: hint}
	}
	if n := utf8.RuneCountInString(desc); n > MaxDescriptionLength {
		return "", &PolicyError{Field: "description", Problem: fmt.Sprintf("is %d characters long, more than %d", n, MaxDescriptionLength), Hint: hint}
	}
	pos := 0
	for _, r := range desc {
		pos++
		if !unicode.IsPrint(r) {
			return "", &PolicyError{
				Field:   "description",
				Problem: fmt.Sprintf("contains a character that cannot be shown (%U at position %d); line breaks, tabs and control characters are not allowed", r, pos),
				Hint:    hint,
			}
		}
	}
	return desc, nil
}

// checkLifetime turns the asked lifetime into an absolute expiry in UTC,
// truncated to the second (io.net stores whole seconds; a stable value also
// makes the preview equal what is sent).
func (p Policy) checkLifetime(ask KeyAsk, now time.Time) (time.Time, error) {
	maxDays := formatDays(p.MaxTTL)
	latest := now.Add(p.MaxTTL).UTC()
	latestText := latest.Format(time.DateOnly)
	limitHint := fmt.Sprintf("ask for at most %s, i.e. an expiry no later than %s, or leave the expiry out for the default of %s",
		maxDays, latestText, formatDays(p.DefaultTTL))

	var expires time.Time
	switch {
	case ask.ExpiresIn != 0 && !ask.ExpiresAt.IsZero():
		return time.Time{}, &PolicyError{
			Field:   "expires",
			Problem: "both a lifetime and an expiry date were given",
			Hint:    "send one of them, or neither for the default of " + formatDays(p.DefaultTTL),
		}
	case ask.ExpiresIn < 0:
		return time.Time{}, &PolicyError{Field: "expires", Problem: "the lifetime must be positive", Hint: limitHint}
	case ask.ExpiresIn > 0:
		if ask.ExpiresIn > p.MaxTTL {
			return time.Time{}, &PolicyError{Field: "expires", Problem: fmt.Sprintf("a lifetime of %s is longer than the maximum of %s", formatDays(ask.ExpiresIn), maxDays), Hint: limitHint}
		}
		expires = now.Add(ask.ExpiresIn)
	case !ask.ExpiresAt.IsZero():
		expires = ask.ExpiresAt
	default:
		expires = now.Add(p.DefaultTTL)
	}
	expires = expires.UTC().Truncate(time.Second)
	if !expires.After(now) {
		return time.Time{}, &PolicyError{
			Field:   "expires",
			Problem: fmt.Sprintf("the expiry %s is not in the future", expires.Format(time.RFC3339)),
			Hint:    limitHint,
		}
	}
	if expires.Sub(now) > p.MaxTTL {
		return time.Time{}, &PolicyError{
			Field:   "expires",
			Problem: fmt.Sprintf("the expiry %s is more than %s away", expires.Format(time.RFC3339), maxDays),
			Hint:    limitHint,
		}
	}
	return expires, nil
}

func (p Policy) checkScopes(asked []string) ([]string, error) {
	allowed := strings.Join(p.AllowedScopes, ", ")
	if len(asked) == 0 {
		if slices.Contains(p.AllowedScopes, ScopeAll) {
			return []string{ScopeAll}, nil
		}
		return []string{p.AllowedScopes[0]}, nil
	}
	scopes := make([]string, 0, len(asked))
	for _, raw := range asked {
		s := strings.ToLower(strings.TrimSpace(raw))
		if !slices.Contains(p.AllowedScopes, s) {
			return nil, &PolicyError{
				Field:   "scopes",
				Problem: fmt.Sprintf("scope %s is not allowed", quoteShort(raw)),
				Hint:    "send one or more of: " + allowed,
			}
		}
		scopes = append(scopes, s)
	}
	slices.Sort(scopes)
	return slices.Compact(scopes), nil
}

// checkProject accepts only the policy's project. io.net documents only
// "io-cloud" for IO Cloud keys; a key for another project (io-intelligence)
// is refused by IO Cloud routes with an opaque error, so making one here
// would hand out a key that does not work for what this tool is about.
func (p Policy) checkProject(asked string) (string, error) {
	project := strings.TrimSpace(asked)
	if project == "" || strings.EqualFold(project, p.DefaultProject) {
		return p.DefaultProject, nil
	}
	return "", &PolicyError{
		Field:   "project",
		Problem: fmt.Sprintf("project %s is not supported", quoteShort(asked)),
		Hint:    fmt.Sprintf("send %q or leave the project out", p.DefaultProject),
	}
}

// Error implements error: "<field>: <problem>; <hint>".
func (e *PolicyError) Error() string {
	msg := e.Field + ": " + e.Problem
	if e.Hint != "" {
		msg += "; " + e.Hint
	}
	return msg
}

// Is makes every *PolicyError match ErrPolicy.
func (e *PolicyError) Is(target error) bool { return target == ErrPolicy }

// formatDays renders a lifetime in days ("180 days", "1 day 2h30m"), and
// shorter ones as a duration ("36h" would read "1 day 12h").
func formatDays(d time.Duration) string {
	const day = 24 * time.Hour
	if d < day {
		return shortDuration(d)
	}
	days := "1 day"
	if d >= 2*day {
		days = strconv.FormatInt(int64(d/day), 10) + " days"
	}
	if rest := d % day; rest != 0 {
		return days + " " + shortDuration(rest)
	}
	return days
}

// shortDuration drops the zero minutes and seconds time.Duration prints
// ("2h0m0s" → "2h").
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// quoteShort quotes user input for an error message, cut to a readable
// length so that a huge or hostile value does not flood the reply.
func quoteShort(s string) string {
	const limit = 32
	if utf8.RuneCountInString(s) > limit {
		return strconv.Quote(string([]rune(s)[:limit])) + "…"
	}
	return strconv.Quote(s)
}
