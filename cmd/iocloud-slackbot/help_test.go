package main

import (
	"slices"
	"testing"

	"github.com/iocloud-chatops/iocloud/config"
	"github.com/stretchr/testify/assert"
)

// --help names every variable the bot reads, so a new setting cannot leave
// the help behind.
func TestHelpNamesEveryVariable(t *testing.T) {
	t.Parallel()
	n := 0
	for _, v := range config.Variables() {
		if slices.Contains(v.Binaries, binary) {
			assert.Contains(t, usageText, v.Name)
			n++
		}
	}
	assert.Greater(t, n, 20, "the bot reads the shared settings and its own")
}
