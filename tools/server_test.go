package tools_test

import (
	"context"
	"testing"

	"github.com/iocloud-chatops/iocloud/internal/testutil"

	"github.com/iocloud-chatops/iocloud/iocloud"
	"github.com/iocloud-chatops/iocloud/tools"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// panickingCatalog injects a bug into a tool handler.
type panickingCatalog struct{}

func (panickingCatalog) Hardware(context.Context) (*iocloud.HardwareList, error) {
	panic("internal detail that must not reach the client")
}

func (panickingCatalog) FindReplicas(context.Context, iocloud.ReplicaSearch) (*iocloud.ReplicaReport, error) {
	panic("internal detail that must not reach the client")
}

func (panickingCatalog) ListAPIKeys(context.Context) (*iocloud.KeyList, error) {
	panic("internal detail that must not reach the client")
}

func (panickingCatalog) QuotePrices(context.Context, iocloud.PriceSearch) (*iocloud.PriceReport, error) {
	panic("internal detail that must not reach the client")
}

// A panic in a handler is an isError result the model can read, not a
// JSON-RPC internal error; its detail goes to the operator log only; and the
// server keeps serving.
func TestPanicBecomesAnErrorResult(t *testing.T) {
	t.Parallel()
	logs := &testutil.SyncBuffer{}
	srv, err := tools.NewServer(tools.Config{Catalog: panickingCatalog{}, ReadOnly: true, Logger: newTestLogger(logs)})
	require.NoError(t, err)
	c := connect(t, srv)

	res := call(t, c, "list_hardware", nil)

	assert.True(t, res.IsError)
	assert.Contains(t, textOf(res), "Internal error in list_hardware")
	assert.NotContains(t, textOf(res), "internal detail")
	assert.Contains(t, logs.String(), "internal detail")
	assert.Len(t, toolNames(t, c), 4, "still serving")
}

func TestConfirmModes(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"auto", "elicit", "url", "token"} {
		m, err := tools.ParseConfirmMode(ok)
		require.NoError(t, err)
		assert.Equal(t, tools.ConfirmMode(ok), m)
	}
	_, err := tools.ParseConfirmMode("ask")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "send auto, elicit, url or token")

	_, err = tools.NewServer(tools.Config{Catalog: panickingCatalog{}}) // no guard, not read-only
	require.ErrorIs(t, err, tools.ErrConfig)
}
