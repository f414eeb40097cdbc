package config

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/iocloud-chatops/iocloud/iocloud"
)

// Every setting the core may mention has a hint, and every hint is a
// variable this package reads, so a rename cannot leave a message wrong.
func TestHintsNameReadVariables(t *testing.T) {
	t.Parallel()
	read := map[string]bool{}
	for _, v := range Variables() {
		read[v.Name] = true
	}
	h := Hints()
	for _, s := range []iocloud.Setting{iocloud.SettingAPIKey, iocloud.SettingJWT, iocloud.SettingBaseURL} {
		assert.True(t, read[h[s]], "setting %d: hint %q is not a variable config reads", s, h[s])
	}
}
