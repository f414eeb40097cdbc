package iocloud

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every printing path of a Secret, including wrong verbs that fmt would
// otherwise answer with the raw value (%!d(iocloud.Secret=…)), redacts.
func TestSecretRedactsOnEveryPath(t *testing.T) {
	t.Parallel()
	const raw = "io-v2-topsecretvalue"
	s := Secret(raw)
	holder := struct {
		Key Secret
		N   int
	}{Key: s, N: 1}

	outputs := map[string]string{}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%t", "%f", "%10s", "%-30v"} {
		outputs[verb] = fmt.Sprintf(verb, s)
		outputs["struct "+verb] = fmt.Sprintf(verb, holder)
	}
	outputs["Sprint"] = fmt.Sprint(s, holder, &holder)
	j, err := json.Marshal(holder)
	require.NoError(t, err)
	outputs["json"] = string(j)
	var text, js strings.Builder
	slog.New(slog.NewTextHandler(&text, nil)).Info("m", "k", s, "h", holder)
	slog.New(slog.NewJSONHandler(&js, nil)).Info("m", "k", s, "h", holder)
	outputs["slog text"], outputs["slog json"] = text.String(), js.String()
	outputs["error"] = fmt.Errorf("wrapped: %v", holder).Error()

	for path, out := range outputs {
		assert.NotContains(t, out, "topsecret", path)
	}
	assert.Equal(t, raw, s.Reveal())
	assert.Equal(t, "REDACTED", s.String())
	assert.Empty(t, Secret("").String(), "an unset secret prints as nothing, so 'not set' stays visible")
}
