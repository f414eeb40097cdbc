package sandbox

import (
	"fmt"
	"slices"

	"github.com/google/uuid"
)

// SetFreeGPUs changes the public capacity: the devices of one hardware type
// at one location now have these free GPUs (one number per device; none
// removes the type from that location). Both read routes answer from it at
// once, so tests (and a person trying subscriptions) can watch capacity
// change the way it does on io.net. The private node pool is not affected.
func (s *Server) SetFreeGPUs(hardwareID, locationID int, free ...int) error {
	hw, ok := findHardware(hardwareID)
	if !ok {
		return fmt.Errorf("sandbox: unknown hardware id %d", hardwareID)
	}
	if !slices.ContainsFunc(locations, func(l location) bool { return l.ID == locationID }) {
		return fmt.Errorf("sandbox: unknown location id %d", locationID)
	}
	for _, f := range free {
		if f < 0 || f > hw.MaxGPUs {
			return fmt.Errorf("sandbox: %d free GPUs on one %s device; use 0-%d", f, hw.Name, hw.MaxGPUs)
		}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	// Copy on write: a request that already took the old slice keeps a
	// consistent view, and the package's seed data is never modified.
	next := make([]nodeGroup, 0, len(s.public)+1)
	for _, g := range s.public {
		if g.HardwareID != hardwareID || g.LocationID != locationID {
			next = append(next, g)
		}
	}
	if len(free) > 0 {
		next = append(next, nodeGroup{LocationID: locationID, HardwareID: hardwareID, Free: slices.Clone(free)})
	}
	s.public = next
	return nil
}

// devices is the capacity a query sees: this server's public capacity
// without a pool, else what devicesFor selects.
func (s *Server) devices(pool *uuid.UUID) []nodeGroup {
	if pool != nil {
		return devicesFor(pool)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.public
}
