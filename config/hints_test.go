package config

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/iocloud-chatops/iocloud/iocloud"
)

// Every setting a message may mention has a hint, and every hint is a
// variable this package reads, so a rename cannot leave a message wrong.
func TestHintsNameReadVariables(t *testing.T) {
	t.Parallel()
	read := map[string]bool{}
	for _, v := range Variables() {
		read[v.Name] = true
	}
	h := Hints()
	all := iocloud.Settings()
	assert.Contains(t, all, iocloud.SettingSlackAppToken, "Settings lists the last one too")
	assert.Len(t, h, len(all), "one hint per setting, none extra")
	for _, s := range all {
		assert.True(t, read[h[s]], "setting %d: hint %q is not a variable config reads", s, h[s])
	}
}
