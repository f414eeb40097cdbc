package iocloud

import "time"

// SKELETON

// Policy is what a new key may look like.
type Policy struct {
	DefaultTTL     time.Duration // lifetime when none is asked for (720h)
	MaxTTL         time.Duration // the longest lifetime allowed (4320h)
	AllowedScopes  []string      // subset of all, read, write
	DefaultProject string        // "io-cloud"
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
// *PolicyError naming the field and what to send instead.
func (p Policy) Check(ask KeyAsk, now time.Time) (KeyRequest, error) {
	return KeyRequest{}, errUnimplemented
}
