package iocloud

import (
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The fan-out asks at most fanOutLimit replica questions at once.
func TestFindReplicasFanOutIsBounded(t *testing.T) {
	t.Parallel()
	var hw strings.Builder
	hw.WriteString(`{"data":{"hardware":[`)
	for i := 1; i <= 12; i++ {
		if i > 1 {
			hw.WriteString(",")
		}
		fmt.Fprintf(&hw, `{"hardware_id":%d,"hardware_name":"GPU %02d","brand_name":"X","max_gpus_per_container":8,"available":%d}`, i, i, i)
	}
	hw.WriteString(`],"total":78}}`)

	var inFlight, peak atomic.Int64
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == pathHardware {
			answerJSON(w, http.StatusOK, hw.String())
			return
		}
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(40 * time.Millisecond)
		id := r.URL.Query().Get("hardware_id")
		answerJSON(w, http.StatusOK, `{"data":[{"id":1,"iso2":"de","name":"Germany","available_replicas":`+id+`}]}`)
	})
	c := newClientFor(t, up.URL)
	report, err := c.FindReplicas(t.Context(), ReplicaSearch{})
	require.NoError(t, err)
	assert.Equal(t, 12, up.count(pathReplicas))
	assert.LessOrEqual(t, peak.Load(), int64(fanOutLimit))
	assert.Equal(t, int64(fanOutLimit), peak.Load(), "the fan-out does run in parallel")
	require.Len(t, report.Hardware, 12)
	assert.Equal(t, "GPU 12", report.Hardware[0].Hardware.Name, "most replicas first")
	assert.Equal(t, 78, report.TotalAvailableReplicas)
	assert.Equal(t, "DE", report.Hardware[0].Locations[0].ISO2)
}

func TestFindReplicasFailsWholeOnAnyFailedRead(t *testing.T) {
	t.Parallel()
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("hardware_id") == "41" {
			answerJSON(w, http.StatusForbidden, `{"detail":"no"}`)
			return
		}
		ionetHandler(w, r)
	})
	c := newClientFor(t, up.URL)
	_, err := c.FindReplicas(t.Context(), ReplicaSearch{})
	require.ErrorIs(t, err, ErrForbidden)
}

func TestFindReplicasValidatesFirst(t *testing.T) {
	t.Parallel()
	up := newUpstream(t, ionetHandler)
	c := newClientFor(t, up.URL)
	for _, s := range []ReplicaSearch{
		{GPUsPerContainer: 9},
		{GPUsPerContainer: -1},
		{NodePoolID: "pool-1"},
		{Country: strings.Repeat("x", 100)},
	} {
		_, err := c.FindReplicas(t.Context(), s)
		require.ErrorIs(t, err, ErrValidation, "%+v", s)
	}
	_, err := c.AvailableReplicas(t.Context(), ReplicaQuery{HardwareID: 0, GPUsPerContainer: 1})
	require.ErrorIs(t, err, ErrValidation)
	assert.Equal(t, 0, int(up.total.Load()), "nothing invalid reaches io.net")
}
