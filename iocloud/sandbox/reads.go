package sandbox

import "net/http"

type hardwareItem struct {
	HardwareID          int     `json:"hardware_id"`
	HardwareName        string  `json:"hardware_name"`
	BrandName           string  `json:"brand_name"`
	MaxGPUsPerContainer int     `json:"max_gpus_per_container"`
	Available           int     `json:"available"`
	Price               float64 `json:"price"`
}

type hardwareAnswer struct {
	Data struct {
		Hardware []hardwareItem `json:"hardware"`
		Total    int            `json:"total"`
	} `json:"data"`
}

type replicasAnswer struct {
	Data []replicaRow `json:"data"`
}

// serveHardware answers GET …/hardware/max-gpus-per-container. Credentials
// are checked before input, as FastAPI resolves security dependencies
// first. Every type is listed (the catalogue); "available" counts free GPUs
// in the public capacity, or in the node pool when node_pool_id names it
// (an unknown pool: every type with 0). "total" is the sum of "available".
func (s *Server) serveHardware(w http.ResponseWriter, r *http.Request) {
	if !s.checkAPIKey(w, r) {
		return
	}
	pool, ferr := queryNodePool(r)
	if ferr != nil {
		write422(w, []fieldError{*ferr})
		return
	}
	devs := s.devices(pool)
	var ans hardwareAnswer
	ans.Data.Hardware = make([]hardwareItem, 0, len(hardwareTypes))
	for _, hw := range hardwareTypes {
		free := freeGPUs(devs, hw.ID)
		ans.Data.Hardware = append(ans.Data.Hardware, hardwareItem{
			HardwareID: hw.ID, HardwareName: hw.Name, BrandName: hw.Brand,
			MaxGPUsPerContainer: hw.MaxGPUs, Available: free, Price: hw.Price,
		})
		ans.Data.Total += free
	}
	writeJSON(w, http.StatusOK, ans)
}

// serveReplicas answers GET …/available-replicas. All query errors are
// reported together, in declaration order, as FastAPI does. An unknown
// hardware_id is 200 with no rows.
func (s *Server) serveReplicas(w http.ResponseWriter, r *http.Request) {
	if !s.checkAPIKey(w, r) {
		return
	}
	var errs []fieldError
	hwID, ferr := queryInt(r, "hardware_id", -1)
	if ferr != nil {
		errs = append(errs, *ferr)
	}
	qty, ferr := queryInt(r, "hardware_qty", 1)
	if ferr != nil {
		errs = append(errs, *ferr)
	}
	pool, ferr := queryNodePool(r)
	if ferr != nil {
		errs = append(errs, *ferr)
	}
	if len(errs) > 0 {
		write422(w, errs)
		return
	}
	ans := replicasAnswer{Data: []replicaRow{}}
	if hw, ok := findHardware(hwID); ok {
		ans.Data = replicaRows(s.devices(pool), hw, qty)
	}
	writeJSON(w, http.StatusOK, ans)
}
