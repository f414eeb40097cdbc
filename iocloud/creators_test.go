package iocloud_test

import (
	"testing"

	"github.com/iocloud-chatops/iocloud/iocloud"
	"github.com/stretchr/testify/assert"
)

func TestAddressEntries(t *testing.T) {
	t.Parallel()
	for entry, want := range map[string]bool{
		"ann@example.com":        true,
		"token:bob@example.com":  false, // a token's name, not an address
		"oauth:ops@corp.example": false,
		"ann example@x":          false,
		"no-at-sign":             false,
	} {
		assert.Equal(t, want, iocloud.IsAddressEntry(entry), entry)
	}
	assert.True(t, iocloud.SameAddress("Ann@Example.COM", "ann@example.com"))
	assert.False(t, iocloud.SameAddress("kate@example.com", "\u212Aate@example.com"), "the Kelvin sign is not K")
	assert.False(t, iocloud.SameAddress("ann@example.com", "ann@example.co"))
}
