package iocloud

import "time"

// JWTStatus describes the configured io.net session token, read from its
// "exp" claim without verifying it.
type JWTStatus struct {
	Present     bool
	ExpiresAt   time.Time // zero when the token has no readable exp
	Expired     bool
	ExpiresSoon bool // within 3 days
}
