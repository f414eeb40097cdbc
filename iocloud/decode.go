package iocloud

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Wire shapes of io.net's answers (see DESIGN.md and reference/iocloud-api.md
// §5). Unknown keys, such as "price" or "user_email", are ignored.

type wireHardwareAnswer struct {
	Data *struct {
		Hardware []wireHardware `json:"hardware"`
		Total    *int           `json:"total"`
	} `json:"data"`
}

type wireHardware struct {
	HardwareID          int    `json:"hardware_id"`
	HardwareName        string `json:"hardware_name"`
	BrandName           string `json:"brand_name"`
	MaxGPUsPerContainer int    `json:"max_gpus_per_container"`
	Available           int    `json:"available"`
}

func (w *wireHardwareAnswer) list() (*HardwareList, error) {
	if w.Data == nil {
		return nil, &problemError{msg: `no "data" object`}
	}
	out := &HardwareList{Hardware: make([]Hardware, 0, len(w.Data.Hardware))}
	sum := 0
	for i, h := range w.Data.Hardware {
		if h.HardwareID <= 0 || strings.TrimSpace(h.HardwareName) == "" {
			return nil, &problemError{msg: fmt.Sprintf("hardware item %d has no id or name", i)}
		}
		out.Hardware = append(out.Hardware, Hardware{
			ID:                  h.HardwareID,
			Name:                strings.TrimSpace(h.HardwareName),
			Brand:               strings.TrimSpace(h.BrandName),
			MaxGPUsPerContainer: h.MaxGPUsPerContainer,
			AvailableGPUs:       max(h.Available, 0),
		})
		sum += max(h.Available, 0)
	}
	// "total" is documented as the sum of "available"; fall back to the sum
	// when io.net leaves it out or sends 0.
	out.Total = sum
	if w.Data.Total != nil && *w.Data.Total > 0 {
		out.Total = *w.Data.Total
	}
	return out, nil
}

type wireReplicasAnswer struct {
	Data *[]wireLocation `json:"data"`
}

type wireLocation struct {
	ID                int    `json:"id"`
	ISO2              string `json:"iso2"`
	Name              string `json:"name"`
	AvailableReplicas int    `json:"available_replicas"`
}

func (w *wireReplicasAnswer) list() (*ReplicaList, error) {
	if w.Data == nil {
		return nil, &problemError{msg: `no "data" list`}
	}
	out := &ReplicaList{Locations: make([]Location, 0, len(*w.Data))}
	for _, l := range *w.Data {
		out.Locations = append(out.Locations, Location{
			ID:                l.ID,
			ISO2:              strings.ToUpper(strings.TrimSpace(l.ISO2)),
			Name:              strings.TrimSpace(l.Name),
			AvailableReplicas: max(l.AvailableReplicas, 0),
		})
	}
	return out, nil
}

// wireKeyRequest is the body of POST /v1/api-keys/ (all four required).
type wireKeyRequest struct {
	Description string   `json:"description"`
	ExpiresAt   string   `json:"expires_at"`
	Project     string   `json:"project"`
	Scopes      []string `json:"scopes"`
}

type wireCreatedKey struct {
	Value *string  `json:"value"`
	Key   *wireKey `json:"key"`
}

type wireKey struct {
	KeyID       string   `json:"key_id"`
	Display     string   `json:"display"`
	Description *string  `json:"description"`
	Project     string   `json:"project"`
	Scopes      []string `json:"scopes"`
	CreatedAt   wireTime `json:"created_at"`
	ExpiresAt   wireTime `json:"expires_at"`
	IsExpired   bool     `json:"is_expired"`
}

// wireTime accepts io.net's timestamps with a zone ("2025-05-06T14:37:48.605Z")
// and without one ("2026-08-20T00:00:00", read as UTC), and null.
type wireTime struct{ time.Time }

// zoneless are the layouts tried after RFC 3339; a time without a zone is
// taken as UTC, which is what io.net's backend stores.
var zoneless = []string{
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02",
}

func (t *wireTime) UnmarshalJSON(b []byte) error {
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		t.Time = time.Time{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return &problemError{msg: "a timestamp is not a string"}
	}
	parsed, err := parseTimestamp(s)
	if err != nil {
		return err
	}
	t.Time = parsed
	return nil
}

func parseTimestamp(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	for _, layout := range zoneless {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			return t, nil
		}
	}
	return time.Time{}, &problemError{msg: fmt.Sprintf("timestamp %q is not ISO 8601", clip(s, 40))}
}

// created builds the client's CreatedKey. io.net documents "key" as nullable:
// then what was asked for stands in for it.
func (w *wireCreatedKey) created(req KeyRequest) (*CreatedKey, error) {
	if w.Value == nil || strings.TrimSpace(*w.Value) == "" {
		return nil, &problemError{msg: `no "value" (the new key's secret)`}
	}
	out := &CreatedKey{Secret: Secret(*w.Value)}
	if w.Key == nil {
		out.Key = APIKey{
			Description: req.Description,
			Project:     req.Project,
			Scopes:      append([]string(nil), req.Scopes...),
			ExpiresAt:   req.ExpiresAt,
		}
		return out, nil
	}
	k := w.Key
	out.Key = APIKey{
		KeyID:     k.KeyID,
		Display:   k.Display,
		Project:   k.Project,
		Scopes:    append([]string(nil), k.Scopes...),
		CreatedAt: k.CreatedAt.Time,
		ExpiresAt: k.ExpiresAt.Time,
		IsExpired: k.IsExpired,
	}
	if k.Description != nil {
		out.Key.Description = *k.Description
	}
	return out, nil
}
