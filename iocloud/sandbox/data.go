package sandbox

import (
	"slices"

	"github.com/google/uuid"
)

// The seed data is fixed so tests can assert exact numbers. It is chosen so
// that: "h100" names two types (ambiguous) while "h200" and "4090" name one;
// L40S is installed but has no free GPU anywhere; Japan has devices but no
// free GPU of any type; and the ranking of locations changes with the GPUs
// per container (for H100 80GB HBM3: United States leads at 1 GPU, Canada
// at 8, and the United States has no room at all for 8).

// NodePoolID is the sandbox's one private node pool.
const NodePoolID = "0c7b4d3e-5f6a-4b8c-9d0e-1f2a3b4c5d6e"

type hardwareType struct {
	ID      int
	Name    string
	Brand   string
	MaxGPUs int     // max GPUs per container
	Price   float64 // io.net does not document the unit; read it as USD per GPU-hour
}

type location struct {
	ID    int
	ISO2  string
	Name  string
	Price float64 // multiplier of the hardware's price here (see price.go)
}

// nodeGroup is every device of one hardware type at one location; Free
// holds each device's free GPUs.
type nodeGroup struct {
	LocationID int
	HardwareID int
	Free       []int
}

// hardwareTypes is in ascending id order, which is the order of the answer.
var hardwareTypes = []hardwareType{
	{ID: 7, Name: "H100 80GB HBM3", Brand: "NVIDIA", MaxGPUs: 8, Price: 2.19},
	{ID: 8, Name: "H100 80GB PCIe", Brand: "NVIDIA", MaxGPUs: 8, Price: 1.89},
	{ID: 15, Name: "A100 80GB SXM", Brand: "NVIDIA", MaxGPUs: 8, Price: 1.29},
	{ID: 30, Name: "L40S 48GB", Brand: "NVIDIA", MaxGPUs: 8, Price: 0.99},
	{ID: 41, Name: "RTX 4090 24GB", Brand: "NVIDIA", MaxGPUs: 4, Price: 0.39},
	{ID: 203, Name: "H200 141GB HBM3e", Brand: "NVIDIA", MaxGPUs: 8, Price: 3.49},
}

// locations is in ascending id order, which is the order of the answer.
var locations = []location{
	{ID: 4, ISO2: "US", Name: "United States", Price: 1.00},
	{ID: 9, ISO2: "DE", Name: "Germany", Price: 1.10},
	{ID: 12, ISO2: "CA", Name: "Canada", Price: 0.95},
	{ID: 20, ISO2: "JP", Name: "Japan", Price: 1.20},
}

// publicDevices is the shared (non-pool) capacity.
var publicDevices = []nodeGroup{
	// United States (4)
	{LocationID: 4, HardwareID: 7, Free: []int{4, 4, 4, 2, 1, 1, 1}}, // 17 GPUs
	{LocationID: 4, HardwareID: 8, Free: []int{8}},
	{LocationID: 4, HardwareID: 30, Free: []int{0}},
	{LocationID: 4, HardwareID: 203, Free: []int{8, 6}}, // 14
	// Germany (9)
	{LocationID: 9, HardwareID: 7, Free: []int{8, 4, 1, 1}}, // 14
	{LocationID: 9, HardwareID: 8, Free: []int{2, 1}},
	{LocationID: 9, HardwareID: 15, Free: []int{8, 8, 4}}, // 20
	{LocationID: 9, HardwareID: 30, Free: []int{0, 0}},
	{LocationID: 9, HardwareID: 41, Free: []int{4, 2, 1}}, // 7
	// Canada (12)
	{LocationID: 12, HardwareID: 7, Free: []int{8, 8}}, // 16
	{LocationID: 12, HardwareID: 15, Free: []int{1, 2}},
	{LocationID: 12, HardwareID: 41, Free: []int{4, 4}},
	{LocationID: 12, HardwareID: 203, Free: []int{3}},
	// Japan (20): installed, all busy
	{LocationID: 20, HardwareID: 7, Free: []int{0, 0}},
	{LocationID: 20, HardwareID: 8, Free: []int{0}},
	{LocationID: 20, HardwareID: 15, Free: []int{0}},
	{LocationID: 20, HardwareID: 30, Free: []int{0}},
	{LocationID: 20, HardwareID: 41, Free: []int{0}},
}

// poolDevices is the private node pool NodePoolID; it is not part of the
// public capacity.
var poolDevices = []nodeGroup{
	{LocationID: 4, HardwareID: 7, Free: []int{8, 8}},
	{LocationID: 9, HardwareID: 15, Free: []int{4}},
}

var nodePoolUUID = uuid.MustParse(NodePoolID)

// devicesFor selects the capacity a query sees: the public devices without a
// pool, the pool's devices for NodePoolID, and nothing for any other pool.
func devicesFor(pool *uuid.UUID) []nodeGroup {
	switch {
	case pool == nil:
		return publicDevices
	case *pool == nodePoolUUID:
		return poolDevices
	default:
		return nil
	}
}

func findLocation(id int) (location, bool) {
	i := slices.IndexFunc(locations, func(l location) bool { return l.ID == id })
	if i < 0 {
		return location{}, false
	}
	return locations[i], true
}

func findHardware(id int) (hardwareType, bool) {
	i := slices.IndexFunc(hardwareTypes, func(h hardwareType) bool { return h.ID == id })
	if i < 0 {
		return hardwareType{}, false
	}
	return hardwareTypes[i], true
}

// freeGPUs is the free GPUs of one type across every location.
func freeGPUs(devs []nodeGroup, hardwareID int) int {
	n := 0
	for _, g := range devs {
		if g.HardwareID == hardwareID {
			for _, f := range g.Free {
				n += f
			}
		}
	}
	return n
}

type replicaRow struct {
	ID                int    `json:"id"`
	ISO2              string `json:"iso2"`
	Name              string `json:"name"`
	AvailableReplicas int    `json:"available_replicas"`
}

// replicaRows answers available-replicas. Containers are single-node, so a
// device holds floor(free/qty) of them. io.net does not say whether it
// omits zero rows; the sandbox lists every location where the hardware is
// installed (even with 0 replicas, e.g. Japan) and omits locations without
// it. A qty above the type's maximum, or an unknown type, gives no rows.
func replicaRows(devs []nodeGroup, hw hardwareType, qty int) []replicaRow {
	rows := []replicaRow{}
	if qty < 1 || qty > hw.MaxGPUs {
		return rows
	}
	for _, loc := range locations {
		installed := false
		n := 0
		for _, g := range devs {
			if g.LocationID != loc.ID || g.HardwareID != hw.ID {
				continue
			}
			installed = true
			for _, f := range g.Free {
				n += f / qty
			}
		}
		if installed {
			rows = append(rows, replicaRow{ID: loc.ID, ISO2: loc.ISO2, Name: loc.Name, AvailableReplicas: n})
		}
	}
	return rows
}
