package iocloud

import (
	"regexp"
	"strings"
)

// addressShape is an address in a list of key creators: something@something,
// no spaces. Whether it is real is the identity provider's business.
var addressShape = regexp.MustCompile(`^[^@\s]+@[^@\s]+$`)

// IsAddressEntry reports whether an entry of a key-creators list names an
// email address, as opposed to an id ("oauth:<sub>", "token:<name>", which
// may contain an @ themselves): an address has no kind prefix. Only an
// address entry is ever compared with a caller's verified email.
func IsAddressEntry(entry string) bool {
	return addressShape.MatchString(entry) && !strings.Contains(entry, ":")
}

// SameAddress compares email addresses ignoring ASCII case only: Unicode
// case folding would let a look-alike (the Kelvin sign for K) pass as the
// listed address.
func SameAddress(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range len(a) {
		if lowerASCII(a[i]) != lowerASCII(b[i]) {
			return false
		}
	}
	return true
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
