package iocloud_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/iocloud-chatops/iocloud/iocloud"
)

// policyNow is a fixed instant with sub-second noise, to see truncation.
var policyNow = time.Date(2026, 11, 5, 14, 5, 30, 123456789, time.UTC)

func TestPolicyCheckDefaults(t *testing.T) {
	t.Parallel()
	req, err := iocloud.DefaultPolicy().Check(iocloud.KeyAsk{Description: "  CI deploy key \t"}, policyNow)
	require.NoError(t, err)
	assert.Equal(t, iocloud.KeyRequest{
		Description: "CI deploy key",
		ExpiresAt:   time.Date(2026, 12, 5, 14, 5, 30, 0, time.UTC), // +720h, whole seconds
		Project:     "io-cloud",
		Scopes:      []string{"all"},
	}, req)
}

func TestPolicyCheckAccepts(t *testing.T) {
	t.Parallel()
	berlin := time.FixedZone("CET", 3600)
	tests := []struct {
		name   string
		policy func(*iocloud.Policy)
		ask    iocloud.KeyAsk
		check  func(t *testing.T, req iocloud.KeyRequest)
	}{
		{
			name: "100 multi-byte characters",
			ask:  iocloud.KeyAsk{Description: strings.Repeat("日", 100)},
			check: func(t *testing.T, req iocloud.KeyRequest) {
				t.Helper()
				assert.Equal(t, strings.Repeat("日", 100), req.Description)
			},
		},
		{
			name: "punctuation, emoji and inner spaces",
			ask:  iocloud.KeyAsk{Description: "Team A's key — prod 🚀 <ok> & \"quoted\""},
			check: func(t *testing.T, req iocloud.KeyRequest) {
				t.Helper()
				assert.Equal(t, "Team A's key — prod 🚀 <ok> & \"quoted\"", req.Description)
			},
		},
		{
			name: "expires in: exactly the maximum",
			ask:  iocloud.KeyAsk{Description: "k", ExpiresIn: 4320 * time.Hour},
			check: func(t *testing.T, req iocloud.KeyRequest) {
				t.Helper()
				assert.Equal(t, policyNow.Add(4320*time.Hour).Truncate(time.Second), req.ExpiresAt)
			},
		},
		{
			name: "expires at: other zone normalised to UTC, truncated",
			ask:  iocloud.KeyAsk{Description: "k", ExpiresAt: time.Date(2027, 1, 31, 0, 0, 0, 999, berlin)},
			check: func(t *testing.T, req iocloud.KeyRequest) {
				t.Helper()
				assert.Equal(t, time.Date(2027, 1, 30, 23, 0, 0, 0, time.UTC), req.ExpiresAt)
				assert.Equal(t, time.UTC, req.ExpiresAt.Location())
			},
		},
		{
			name: "scopes lower-cased, trimmed, deduplicated, sorted",
			ask:  iocloud.KeyAsk{Description: "k", Scopes: []string{"WRITE", " read ", "read", "Write"}},
			check: func(t *testing.T, req iocloud.KeyRequest) {
				t.Helper()
				assert.Equal(t, []string{"read", "write"}, req.Scopes)
			},
		},
		{
			name:   "no scopes, all not allowed: the first allowed",
			policy: func(p *iocloud.Policy) { p.AllowedScopes = []string{"write", "read"} },
			ask:    iocloud.KeyAsk{Description: "k"},
			check: func(t *testing.T, req iocloud.KeyRequest) {
				t.Helper()
				assert.Equal(t, []string{"write"}, req.Scopes)
			},
		},
		{
			name: "project in another case",
			ask:  iocloud.KeyAsk{Description: "k", Project: " IO-Cloud "},
			check: func(t *testing.T, req iocloud.KeyRequest) {
				t.Helper()
				assert.Equal(t, "io-cloud", req.Project)
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := iocloud.DefaultPolicy()
			if tc.policy != nil {
				tc.policy(&p)
			}
			req, err := p.Check(tc.ask, policyNow)
			require.NoError(t, err)
			tc.check(t, req)
		})
	}
}

func TestPolicyCheckRefuses(t *testing.T) {
	t.Parallel()
	ok := "a key"
	tests := []struct {
		name   string
		policy func(*iocloud.Policy)
		ask    iocloud.KeyAsk
		field  string
		want   string // a part of the message the person must see
	}{
		{name: "empty description", ask: iocloud.KeyAsk{}, field: "description", want: "is empty"},
		{name: "blank description", ask: iocloud.KeyAsk{Description: " \t\n "}, field: "description", want: "is empty"},
		{name: "101 characters", ask: iocloud.KeyAsk{Description: strings.Repeat("x", 101)}, field: "description", want: "101 characters long, more than 100"},
		{name: "newline", ask: iocloud.KeyAsk{Description: "line one\nline two"}, field: "description", want: "U+000A at position 9"},
		{name: "tab", ask: iocloud.KeyAsk{Description: "a\tb"}, field: "description", want: "U+0009"},
		{name: "NUL", ask: iocloud.KeyAsk{Description: "a\x00b"}, field: "description", want: "U+0000"},
		{name: "escape sequence", ask: iocloud.KeyAsk{Description: "red \x1b[31m"}, field: "description", want: "U+001B"},
		{name: "zero-width space", ask: iocloud.KeyAsk{Description: "a\u200bb"}, field: "description", want: "U+200B"},
		{name: "right-to-left override", ask: iocloud.KeyAsk{Description: "abc\u202edef"}, field: "description", want: "U+202E"},
		{name: "invalid UTF-8", ask: iocloud.KeyAsk{Description: "ab\xffcd"}, field: "description", want: "not valid UTF-8"},
		{name: "both lifetime and date", ask: iocloud.KeyAsk{Description: ok, ExpiresIn: time.Hour, ExpiresAt: policyNow.Add(time.Hour)}, field: "expires", want: "send one of them"},
		{name: "negative lifetime", ask: iocloud.KeyAsk{Description: ok, ExpiresIn: -time.Hour}, field: "expires", want: "must be positive"},
		{name: "lifetime under a second", ask: iocloud.KeyAsk{Description: ok, ExpiresIn: time.Millisecond}, field: "expires", want: "not in the future"},
		{name: "lifetime over the maximum", ask: iocloud.KeyAsk{Description: ok, ExpiresIn: 4321 * time.Hour}, field: "expires", want: "longer than the maximum of 180 days"},
		{name: "date in the past", ask: iocloud.KeyAsk{Description: ok, ExpiresAt: policyNow.Add(-time.Minute)}, field: "expires", want: "is not in the future"},
		{name: "date is now", ask: iocloud.KeyAsk{Description: ok, ExpiresAt: policyNow}, field: "expires", want: "is not in the future"},
		{name: "date past the maximum", ask: iocloud.KeyAsk{Description: ok, ExpiresAt: policyNow.Add(4320*time.Hour + 2*time.Second)}, field: "expires", want: "no later than 2027-05-04"},
		{name: "unknown scope", ask: iocloud.KeyAsk{Description: ok, Scopes: []string{"read", "admin"}}, field: "scopes", want: `scope "admin" is not allowed; send one or more of: all, read, write`},
		{name: "empty scope", ask: iocloud.KeyAsk{Description: ok, Scopes: []string{""}}, field: "scopes", want: `scope "" is not allowed`},
		{name: "scope not allowed here", policy: func(p *iocloud.Policy) { p.AllowedScopes = []string{"read"} }, ask: iocloud.KeyAsk{Description: ok, Scopes: []string{"all"}}, field: "scopes", want: "send one or more of: read"},
		{name: "other project", ask: iocloud.KeyAsk{Description: ok, Project: "io-intelligence"}, field: "project", want: `project "io-intelligence" is not supported; send "io-cloud" or leave the project out`},
		{name: "huge scope is cut", ask: iocloud.KeyAsk{Description: ok, Scopes: []string{strings.Repeat("z", 5000)}}, field: "scopes", want: `"` + strings.Repeat("z", 32) + `"…`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := iocloud.DefaultPolicy()
			if tc.policy != nil {
				tc.policy(&p)
			}
			req, err := p.Check(tc.ask, policyNow)
			require.ErrorIs(t, err, iocloud.ErrPolicy)
			var pe *iocloud.PolicyError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, tc.field, pe.Field)
			assert.NotEmpty(t, pe.Hint, "every refusal says what to send instead")
			assert.Contains(t, err.Error(), tc.want)
			assert.Less(t, len(err.Error()), 300, "messages stay readable")
			assert.Equal(t, iocloud.KeyRequest{}, req)
		})
	}
}

// TestPolicyErrorTexts pins the exact texts frontends show.
func TestPolicyErrorTexts(t *testing.T) {
	t.Parallel()
	p := iocloud.DefaultPolicy()
	cases := map[string]iocloud.KeyAsk{
		"description: is empty; send 1 to 100 printable characters on one line, e.g. \"CI deploy key\"": {},
		"description: is 120 characters long, more than 100; send 1 to 100 printable characters on one line, e.g. \"CI deploy key\"": {
			Description: strings.Repeat("a", 120),
		},
		"description: contains a character that cannot be shown (U+000A at position 2); line breaks, tabs and control characters are not allowed; send 1 to 100 printable characters on one line, e.g. \"CI deploy key\"": {
			Description: "a\nb",
		},
		"expires: both a lifetime and an expiry date were given; send one of them, or neither for the default of 30 days": {
			Description: "k", ExpiresIn: time.Hour, ExpiresAt: policyNow.Add(time.Hour),
		},
		"expires: a lifetime of 200 days is longer than the maximum of 180 days; ask for at most 180 days, i.e. an expiry no later than 2027-05-04, or leave the expiry out for the default of 30 days": {
			Description: "k", ExpiresIn: 200 * 24 * time.Hour,
		},
		"expires: the expiry 2026-11-05T14:00:00Z is not in the future; ask for at most 180 days, i.e. an expiry no later than 2027-05-04, or leave the expiry out for the default of 30 days": {
			Description: "k", ExpiresAt: time.Date(2026, 11, 5, 14, 0, 0, 0, time.UTC),
		},
		"expires: the expiry 2027-06-01T00:00:00Z is more than 180 days away; ask for at most 180 days, i.e. an expiry no later than 2027-05-04, or leave the expiry out for the default of 30 days": {
			Description: "k", ExpiresAt: time.Date(2027, 6, 1, 0, 0, 0, 0, time.UTC),
		},
		"scopes: scope \"owner\" is not allowed; send one or more of: all, read, write": {
			Description: "k", Scopes: []string{"owner"},
		},
		"project: project \"io-intelligence\" is not supported; send \"io-cloud\" or leave the project out": {
			Description: "k", Project: "io-intelligence",
		},
	}
	for want, ask := range cases {
		_, err := p.Check(ask, policyNow)
		require.Error(t, err)
		assert.Equal(t, want, err.Error())
	}
}

func TestPolicyErrorIsOnlyErrPolicy(t *testing.T) {
	t.Parallel()
	err := error(&iocloud.PolicyError{Field: "scopes", Problem: "p", Hint: "h"})
	require.ErrorIs(t, err, iocloud.ErrPolicy)
	require.NotErrorIs(t, err, iocloud.ErrValidation)
	assert.Equal(t, "scopes: p; h", err.Error())
	assert.Equal(t, "scopes: p", (&iocloud.PolicyError{Field: "scopes", Problem: "p"}).Error())
}

func TestPolicyValidate(t *testing.T) {
	t.Parallel()
	require.NoError(t, iocloud.DefaultPolicy().Validate())

	tests := []struct {
		name   string
		modify func(*iocloud.Policy)
		want   string
	}{
		{"zero default", func(p *iocloud.Policy) { p.DefaultTTL = 0 }, "default key lifetime must be positive"},
		{"max below default", func(p *iocloud.Policy) { p.MaxTTL = time.Hour }, "maximum key lifetime 1h0m0s is shorter than the default"},
		{"no scopes", func(p *iocloud.Policy) { p.AllowedScopes = nil }, "allowed key scopes are empty"},
		{"unknown scope", func(p *iocloud.Policy) { p.AllowedScopes = []string{"read", "admin"} }, `"admin"`},
		{"upper-case scope", func(p *iocloud.Policy) { p.AllowedScopes = []string{"READ"} }, `"READ"`},
		{"no project", func(p *iocloud.Policy) { p.DefaultProject = " " }, "default project"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := iocloud.DefaultPolicy()
			tc.modify(&p)
			err := p.Validate()
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)

			// A broken policy is the operator's fault, not the asker's.
			_, err = p.Check(iocloud.KeyAsk{Description: "k"}, policyNow)
			require.Error(t, err)
			assert.NotErrorIs(t, err, iocloud.ErrPolicy)
		})
	}
}

func TestPolicyCheckDoesNotAliasAsk(t *testing.T) {
	t.Parallel()
	scopes := []string{"write", "read"}
	req, err := iocloud.DefaultPolicy().Check(iocloud.KeyAsk{Description: "k", Scopes: scopes}, policyNow)
	require.NoError(t, err)
	assert.Equal(t, []string{"write", "read"}, scopes, "the caller's slice is left alone")
	assert.Equal(t, []string{"read", "write"}, req.Scopes)
}
