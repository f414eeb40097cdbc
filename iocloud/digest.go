package iocloud

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
)

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
