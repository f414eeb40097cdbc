package iocloud

import "time"

// Hardware is one GPU type io.net offers for containers.
type Hardware struct {
	ID                  int    `json:"id"`
	Name                string `json:"name"`
	Brand               string `json:"brand"`
	MaxGPUsPerContainer int    `json:"max_gpus_per_container"`
	AvailableGPUs       int    `json:"available_gpus"` // free GPUs of this type across all locations
}

// HardwareList is the answer of Client.Hardware.
type HardwareList struct {
	Hardware  []Hardware `json:"hardware"`
	Total     int        `json:"total"`
	FetchedAt time.Time  `json:"fetched_at"` // when io.net answered (cached answers keep their time)
}

// ReplicaQuery asks where containers of one hardware type fit.
type ReplicaQuery struct {
	HardwareID       int
	GPUsPerContainer int    // io.net's hardware_qty, >= 1
	NodePoolID       string // optional private node pool (uuid)
}

// Location is one place with room for containers.
type Location struct {
	ID                int    `json:"id"`
	ISO2              string `json:"iso2"` // upper-cased by the client
	Name              string `json:"name"`
	AvailableReplicas int    `json:"available_replicas"`
}

// ReplicaList is the answer of Client.AvailableReplicas.
type ReplicaList struct {
	Locations []Location `json:"locations"`
	FetchedAt time.Time  `json:"fetched_at"`
}

// ReplicaSearch is what a person asks for: a hardware type by id or name
// (empty: every type with free GPUs), GPUs per container (0 means 1), an
// optional country (ISO2 or name, case-insensitive) and node pool.
type ReplicaSearch struct {
	Hardware         string
	GPUsPerContainer int
	Country          string
	NodePoolID       string
}

// HardwareReplicas is one hardware type and where it fits.
type HardwareReplicas struct {
	Hardware               Hardware   `json:"hardware"`
	Locations              []Location `json:"locations"` // sorted by AvailableReplicas, descending
	TotalAvailableReplicas int        `json:"total_available_replicas"`
}

// ReplicaReport is the answer of Client.FindReplicas.
type ReplicaReport struct {
	GPUsPerContainer       int                `json:"gpus_per_container"`
	Hardware               []HardwareReplicas `json:"hardware"`
	TotalAvailableReplicas int                `json:"total_available_replicas"`
	FetchedAt              time.Time          `json:"fetched_at"` // the oldest FetchedAt of the reads behind it
}

// KeyRequest is exactly what io.net is asked to create (POST /v1/api-keys/).
// It is produced by Policy.Check, never filled in by a frontend directly.
type KeyRequest struct {
	Description string    `json:"description"`
	ExpiresAt   time.Time `json:"expires_at"`
	Project     string    `json:"project"`
	Scopes      []string  `json:"scopes"`
}

// APIKey is io.net's description of a key (never the secret).
type APIKey struct {
	KeyID       string    `json:"key_id"`
	Display     string    `json:"display"` // io.net's masked form, e.g. "io-v2-abcd...wxyz"
	Description string    `json:"description"`
	Project     string    `json:"project"`
	Scopes      []string  `json:"scopes"`
	CreatedAt   time.Time `json:"created_at"`
	ExpiresAt   time.Time `json:"expires_at"`
	IsExpired   bool      `json:"is_expired"`
}

// CreatedKey is a new key: its description and, once, its secret.
type CreatedKey struct {
	Key    APIKey `json:"key"`
	Secret Secret `json:"-"` // io.net's "value"; redacts itself everywhere
}
