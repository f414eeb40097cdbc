package iocloud

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzPolicyCheck: whatever a person types, Check never panics, and what it
// accepts is within the policy: a description of 1 to MaxDescriptionLength
// printable characters, an expiry after now and no later than MaxTTL, only
// allowed scopes, the default project. A refusal is always a *PolicyError.
func FuzzPolicyCheck(f *testing.F) {
	f.Add("CI key", int64(0), int64(0), "read", "")
	f.Add("  padded  ", int64(30*24), int64(0), "all,write", "io-cloud")
	f.Add("", int64(-1), int64(0), "", "other")
	f.Add(strings.Repeat("x", 101), int64(0), int64(1<<40), "ALL", "io-cloud")
	f.Add("line\nbreak", int64(1), int64(0), "read,read", "")
	f.Add("\u202eevil", int64(0), int64(1_800_000_000), "write", "")
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	p := DefaultPolicy()
	f.Fuzz(func(t *testing.T, desc string, inHours, atUnix int64, scopes, project string) {
		ask := KeyAsk{Description: desc, Project: project}
		if inHours != 0 {
			ask.ExpiresIn = time.Duration(inHours%1_000_000) * time.Hour
		}
		if atUnix != 0 {
			ask.ExpiresAt = time.Unix(atUnix%(1<<35), 0)
		}
		if scopes != "" {
			ask.Scopes = strings.Split(scopes, ",")
		}
		req, err := p.Check(ask, now)
		if err != nil {
			var pe *PolicyError
			if !errors.As(err, &pe) || !errors.Is(err, ErrPolicy) {
				t.Fatalf("refusal is not a *PolicyError: %v", err)
			}
			if pe.Field == "" || pe.Hint == "" {
				t.Fatalf("refusal does not say what to send instead: %+v", pe)
			}
			return
		}
		n := utf8.RuneCountInString(req.Description)
		if n < 1 || n > MaxDescriptionLength || strings.ContainsAny(req.Description, "\n\r") {
			t.Fatalf("accepted description %q", req.Description)
		}
		if !req.ExpiresAt.After(now) || req.ExpiresAt.After(now.Add(p.MaxTTL)) {
			t.Fatalf("accepted expiry %s outside (now, now+%s]", req.ExpiresAt, p.MaxTTL)
		}
		if len(req.Scopes) == 0 {
			t.Fatal("accepted no scopes")
		}
		for _, s := range req.Scopes {
			if !slices.Contains(p.AllowedScopes, s) {
				t.Fatalf("accepted scope %q", s)
			}
		}
		if req.Project != p.DefaultProject {
			t.Fatalf("accepted project %q", req.Project)
		}
	})
}
