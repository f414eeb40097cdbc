package sandbox_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/iocloud-chatops/iocloud/iocloud/sandbox"
)

func freeOf(t *testing.T, s *sandbox.Server, hardwareID int) int {
	t.Helper()
	a := getWithKey(t, s, sandbox.PathHardware)
	require.Equal(t, http.StatusOK, a.Status, a.Body)
	var body hardwareBody
	a.decode(t, &body)
	for _, h := range body.Data.Hardware {
		if h.HardwareID == hardwareID {
			return h.Available
		}
	}
	t.Fatalf("hardware %d not listed", hardwareID)
	return 0
}

func TestSetFreeGPUsChangesBothReads(t *testing.T) {
	t.Parallel()
	s := start(t)
	other := start(t) // another server keeps the seed data

	// H200 (203): US has devices with 8 and 6 free, Canada one with 3.
	require.Equal(t, 17, freeOf(t, s, 203))
	require.NoError(t, s.SetFreeGPUs(203, 4, 8, 8, 8))
	assert.Equal(t, 27, freeOf(t, s, 203))
	_, got := replicas(t, s, "hardware_id=203&hardware_qty=8")
	assert.Equal(t, map[string]int{"US": 3, "CA": 0}, got)

	// A location where the type was not installed gains a row.
	require.NoError(t, s.SetFreeGPUs(203, 9, 2))
	_, got = replicas(t, s, "hardware_id=203&hardware_qty=1")
	assert.Equal(t, 2, got["DE"])

	// No devices: the location disappears from the answer.
	require.NoError(t, s.SetFreeGPUs(203, 12))
	_, got = replicas(t, s, "hardware_id=203&hardware_qty=1")
	assert.NotContains(t, got, "CA")

	assert.Equal(t, 17, freeOf(t, other, 203), "servers do not share capacity")
	_, pool := replicas(t, s, "hardware_id=7&hardware_qty=8&node_pool_id="+sandbox.NodePoolID)
	assert.Equal(t, map[string]int{"US": 2}, pool, "the node pool is untouched")
}

func TestSetFreeGPUsRefusesWhatCannotExist(t *testing.T) {
	t.Parallel()
	s := start(t)
	require.ErrorContains(t, s.SetFreeGPUs(999, 4, 1), "unknown hardware id 999")
	require.ErrorContains(t, s.SetFreeGPUs(7, 999, 1), "unknown location id 999")
	require.ErrorContains(t, s.SetFreeGPUs(41, 4, 5), "use 0-4") // RTX 4090: 4 per device
	require.ErrorContains(t, s.SetFreeGPUs(7, 4, -1), "use 0-8")
	assert.Equal(t, 47, freeOf(t, s, 7), "a refused change changes nothing")
}
