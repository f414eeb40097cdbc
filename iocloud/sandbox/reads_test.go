package sandbox_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/iocloud-chatops/iocloud/iocloud/sandbox"
)

type hardwareBody struct {
	Data struct {
		Hardware []struct {
			HardwareID          int     `json:"hardware_id"`
			HardwareName        string  `json:"hardware_name"`
			BrandName           string  `json:"brand_name"`
			MaxGPUsPerContainer int     `json:"max_gpus_per_container"`
			Available           int     `json:"available"`
			Price               float64 `json:"price"`
		} `json:"hardware"`
		Total int `json:"total"`
	} `json:"data"`
}

type replicasBody struct {
	Data []struct {
		ID                int    `json:"id"`
		ISO2              string `json:"iso2"`
		Name              string `json:"name"`
		AvailableReplicas int    `json:"available_replicas"`
	} `json:"data"`
}

// replicas returns iso2 -> available_replicas, in answer order.
func replicas(t *testing.T, s *sandbox.Server, query string) ([]string, map[string]int) {
	t.Helper()
	a := getWithKey(t, s, sandbox.PathReplicas+"?"+query)
	require.Equal(t, http.StatusOK, a.Status, a.Body)
	var body replicasBody
	a.decode(t, &body)
	order := []string{}
	got := map[string]int{}
	for _, row := range body.Data {
		order = append(order, row.ISO2)
		got[row.ISO2] = row.AvailableReplicas
	}
	return order, got
}

func TestHardwareShapeAndSeed(t *testing.T) {
	s := start(t)
	a := getWithKey(t, s, sandbox.PathHardware)
	require.Equal(t, http.StatusOK, a.Status, a.Body)
	assert.Equal(t, "application/json", a.Header.Get("Content-Type"))
	assert.JSONEq(t, `{"data":{"hardware":[
		{"hardware_id":7,"hardware_name":"H100 80GB HBM3","brand_name":"NVIDIA","max_gpus_per_container":8,"available":47,"price":2.19},
		{"hardware_id":8,"hardware_name":"H100 80GB PCIe","brand_name":"NVIDIA","max_gpus_per_container":8,"available":11,"price":1.89},
		{"hardware_id":15,"hardware_name":"A100 80GB SXM","brand_name":"NVIDIA","max_gpus_per_container":8,"available":23,"price":1.29},
		{"hardware_id":30,"hardware_name":"L40S 48GB","brand_name":"NVIDIA","max_gpus_per_container":8,"available":0,"price":0.99},
		{"hardware_id":41,"hardware_name":"RTX 4090 24GB","brand_name":"NVIDIA","max_gpus_per_container":4,"available":15,"price":0.39},
		{"hardware_id":203,"hardware_name":"H200 141GB HBM3e","brand_name":"NVIDIA","max_gpus_per_container":8,"available":17,"price":3.49}
	],"total":113}}`, a.Body)
}

func TestHardwareTotalIsSumOfAvailable(t *testing.T) {
	s := start(t)
	for _, q := range []string{"", "?node_pool_id=" + s.NodePoolID()} {
		var body hardwareBody
		getWithKey(t, s, sandbox.PathHardware+q).decode(t, &body)
		sum := 0
		for _, h := range body.Data.Hardware {
			sum += h.Available
		}
		assert.Equal(t, sum, body.Data.Total, "query %q", q)
	}
}

func TestHardwareNodePool(t *testing.T) {
	s := start(t)
	var pool hardwareBody
	getWithKey(t, s, sandbox.PathHardware+"?node_pool_id="+s.NodePoolID()).decode(t, &pool)
	avail := map[int]int{}
	for _, h := range pool.Data.Hardware {
		avail[h.HardwareID] = h.Available
	}
	assert.Equal(t, map[int]int{7: 16, 8: 0, 15: 4, 30: 0, 41: 0, 203: 0}, avail)
	assert.Equal(t, 20, pool.Data.Total)

	var unknown hardwareBody
	getWithKey(t, s, sandbox.PathHardware+"?node_pool_id=11111111-2222-4333-8444-555555555555").decode(t, &unknown)
	assert.Len(t, unknown.Data.Hardware, 6, "the catalogue is still listed")
	assert.Zero(t, unknown.Data.Total)

	a := getWithKey(t, s, sandbox.PathHardware+"?node_pool_id=nope")
	require.Equal(t, http.StatusUnprocessableEntity, a.Status)
	var fe fieldErrors
	a.decode(t, &fe)
	assert.Equal(t, [][]any{{"query", "node_pool_id"}}, fe.locs())
	assert.Equal(t, "uuid_parsing", fe.Detail[0].Type)
}

func TestReplicasShape(t *testing.T) {
	s := start(t)
	a := getWithKey(t, s, sandbox.PathReplicas+"?hardware_id=7&hardware_qty=1")
	require.Equal(t, http.StatusOK, a.Status, a.Body)
	assert.Equal(t, "application/json", a.Header.Get("Content-Type"))
	assert.JSONEq(t, `{"data":[
		{"id":4,"iso2":"US","name":"United States","available_replicas":17},
		{"id":9,"iso2":"DE","name":"Germany","available_replicas":14},
		{"id":12,"iso2":"CA","name":"Canada","available_replicas":16},
		{"id":20,"iso2":"JP","name":"Japan","available_replicas":0}
	]}`, a.Body)
}

func TestReplicasDependOnGPUsPerContainer(t *testing.T) {
	s := start(t)
	cases := []struct {
		query string
		want  map[string]int
	}{
		{"hardware_id=7&hardware_qty=1", map[string]int{"US": 17, "DE": 14, "CA": 16, "JP": 0}},
		{"hardware_id=7&hardware_qty=2", map[string]int{"US": 7, "DE": 6, "CA": 8, "JP": 0}},
		{"hardware_id=7&hardware_qty=4", map[string]int{"US": 3, "DE": 3, "CA": 4, "JP": 0}},
		{"hardware_id=7&hardware_qty=8", map[string]int{"US": 0, "DE": 1, "CA": 2, "JP": 0}},
		{"hardware_id=8&hardware_qty=1", map[string]int{"US": 8, "DE": 3, "JP": 0}},
		{"hardware_id=15&hardware_qty=4", map[string]int{"DE": 5, "CA": 0, "JP": 0}},
		{"hardware_id=203&hardware_qty=2", map[string]int{"US": 7, "CA": 1}},
		{"hardware_id=41&hardware_qty=4", map[string]int{"DE": 1, "CA": 2, "JP": 0}},
		{"hardware_id=30&hardware_qty=1", map[string]int{"US": 0, "DE": 0, "JP": 0}},
		{"hardware_id=41&hardware_qty=5", map[string]int{}},  // above the type's max of 4
		{"hardware_id=7&hardware_qty=9", map[string]int{}},   // above 8
		{"hardware_id=999&hardware_qty=1", map[string]int{}}, // unknown type
	}
	for _, c := range cases {
		_, got := replicas(t, s, c.query)
		assert.Equal(t, c.want, got, c.query)
	}
}

func TestReplicasUnknownHardwareIsEmptyList(t *testing.T) {
	s := start(t)
	a := getWithKey(t, s, sandbox.PathReplicas+"?hardware_id=999&hardware_qty=1")
	require.Equal(t, http.StatusOK, a.Status)
	assert.JSONEq(t, `{"data":[]}`, a.Body)
}

func TestReplicasNodePool(t *testing.T) {
	s := start(t)
	_, got := replicas(t, s, "hardware_id=7&hardware_qty=8&node_pool_id="+s.NodePoolID())
	assert.Equal(t, map[string]int{"US": 2}, got)
	_, got = replicas(t, s, "hardware_id=15&hardware_qty=1&node_pool_id="+s.NodePoolID())
	assert.Equal(t, map[string]int{"DE": 4}, got)
	_, got = replicas(t, s, "hardware_id=203&hardware_qty=1&node_pool_id="+s.NodePoolID())
	assert.Empty(t, got)
	_, got = replicas(t, s, "hardware_id=7&hardware_qty=1&node_pool_id=11111111-2222-4333-8444-555555555555")
	assert.Empty(t, got, "an unknown pool has no capacity")
}

func TestReplicasValidation(t *testing.T) {
	s := start(t)
	cases := []struct {
		query    string
		wantLocs [][]any
		wantType []string
	}{
		{"", [][]any{{"query", "hardware_id"}, {"query", "hardware_qty"}}, []string{"missing", "missing"}},
		{"hardware_qty=1", [][]any{{"query", "hardware_id"}}, []string{"missing"}},
		{"hardware_id=abc&hardware_qty=1", [][]any{{"query", "hardware_id"}}, []string{"int_parsing"}},
		{"hardware_id=7", [][]any{{"query", "hardware_qty"}}, []string{"missing"}},
		{"hardware_id=7&hardware_qty=0", [][]any{{"query", "hardware_qty"}}, []string{"greater_than_equal"}},
		{"hardware_id=7&hardware_qty=x", [][]any{{"query", "hardware_qty"}}, []string{"int_parsing"}},
		{"hardware_id=7&hardware_qty=1&node_pool_id=not-a-uuid", [][]any{{"query", "node_pool_id"}}, []string{"uuid_parsing"}},
	}
	for _, c := range cases {
		a := getWithKey(t, s, sandbox.PathReplicas+"?"+c.query)
		require.Equal(t, http.StatusUnprocessableEntity, a.Status, c.query)
		var fe fieldErrors
		a.decode(t, &fe)
		assert.Equal(t, c.wantLocs, fe.locs(), c.query)
		for i, d := range fe.Detail {
			assert.Equal(t, c.wantType[i], d.Type, c.query)
			assert.NotEmpty(t, d.Msg, c.query)
		}
	}
}

func TestReplicasQtyZeroIsPydanticShape(t *testing.T) {
	s := start(t)
	a := getWithKey(t, s, sandbox.PathReplicas+"?hardware_id=7&hardware_qty=0")
	require.Equal(t, http.StatusUnprocessableEntity, a.Status)
	assert.JSONEq(t, `{"detail":[{"type":"greater_than_equal","loc":["query","hardware_qty"],
		"msg":"Input should be greater than or equal to 1","input":"0","ctx":{"ge":1}}]}`, a.Body)
}

func TestReadAuth(t *testing.T) {
	s := start(t, sandbox.WithAPIKeys("extra-key"))
	for _, path := range []string{sandbox.PathHardware, sandbox.PathReplicas + "?hardware_id=7&hardware_qty=1"} {
		url := s.URL() + path

		a := mustSend(t, http.MethodGet, url, "")
		assert.Equal(t, http.StatusUnauthorized, a.Status, path)
		assert.JSONEq(t, `{"detail":"Not authenticated"}`, a.Body)

		a = mustSend(t, http.MethodGet, url, "", "x-api-key", "wrong")
		assert.Equal(t, http.StatusUnauthorized, a.Status, path)
		assert.JSONEq(t, `{"detail":"Invalid API key"}`, a.Body)

		// Authorization is not how io.net authenticates.
		a = mustSend(t, http.MethodGet, url, "", "Authorization", "Bearer "+s.APIKey())
		assert.Equal(t, http.StatusUnauthorized, a.Status, path)

		a = mustSend(t, http.MethodGet, url, "", "X-API-KEY", s.APIKey())
		assert.Equal(t, http.StatusOK, a.Status, path)

		a = mustSend(t, http.MethodGet, url, "", "x-api-key", "extra-key")
		assert.Equal(t, http.StatusOK, a.Status, path)
	}
}

func TestAuthComesBeforeValidation(t *testing.T) {
	s := start(t)
	a := mustSend(t, http.MethodGet, s.URL()+sandbox.PathReplicas+"?hardware_qty=0", "")
	assert.Equal(t, http.StatusUnauthorized, a.Status)
}
