package tools

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// The explainer compiles schemas lazily, so a schema that does not compile
// would only show on the first rejected call: every tool's must compile.
func TestEveryInputSchemaCompiles(t *testing.T) {
	t.Parallel()
	cfg := Config{}
	specs := []toolSpec{listHardware(cfg), listAvailableReplicas(cfg), quotePrice(cfg), listAPIKeys(cfg), createAPIKey(cfg)}
	e, err := newArgumentExplainer(specs)
	require.NoError(t, err)
	require.Len(t, e.tools, len(specs))
	for name, tool := range e.tools {
		schema, err := tool.compiled()
		require.NoError(t, err, name)
		require.NotNil(t, schema, name)
	}
}
