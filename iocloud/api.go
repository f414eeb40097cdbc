package iocloud

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// io.net's routes (DESIGN.md, "io.net API").
const (
	pathHardware  = "/enterprise/v1/io-cloud/caas/hardware/max-gpus-per-container"
	pathReplicas  = "/enterprise/v1/io-cloud/caas/available-replicas"
	pathCreateKey = "/v1/api-keys/" // the trailing slash matters: FastAPI would 307 without it
)

// MaxGPUsPerContainer is io.net's upper bound for hardware_qty.
const MaxGPUsPerContainer = 8

var uuidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// Hardware lists GPU types (cached, retried).
func (c *Client) Hardware(ctx context.Context) (*HardwareList, error) {
	v, err := c.read(ctx, pathHardware, func(ctx context.Context) (any, error) {
		var w wireHardwareAnswer
		if err := c.do(ctx, call{method: http.MethodGet, path: pathHardware, cred: credAPIKey, retry: true}, &w); err != nil {
			return nil, err
		}
		list, err := w.list()
		if err != nil {
			return nil, c.malformed(call{method: http.MethodGet, cred: credAPIKey}, c.base.Path+pathHardware, err.Error())
		}
		list.FetchedAt = c.now()
		return list, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*HardwareList).clone(), nil
}

// AvailableReplicas lists locations for one hardware type (cached, retried).
// The query is checked first: io.net would reject it anyway.
func (c *Client) AvailableReplicas(ctx context.Context, q ReplicaQuery) (*ReplicaList, error) {
	if err := q.validate(); err != nil {
		return nil, err
	}
	query := url.Values{}
	query.Set("hardware_id", strconv.Itoa(q.HardwareID))
	query.Set("hardware_qty", strconv.Itoa(q.GPUsPerContainer))
	if q.NodePoolID != "" {
		query.Set("node_pool_id", strings.ToLower(q.NodePoolID))
	}
	key := pathReplicas + "?" + query.Encode()
	v, err := c.read(ctx, key, func(ctx context.Context) (any, error) {
		var w wireReplicasAnswer
		if err := c.do(ctx, call{method: http.MethodGet, path: pathReplicas, query: query, cred: credAPIKey, retry: true}, &w); err != nil {
			return nil, err
		}
		list, err := w.list()
		if err != nil {
			return nil, c.malformed(call{method: http.MethodGet, cred: credAPIKey}, c.base.Path+pathReplicas, err.Error())
		}
		list.FetchedAt = c.now()
		return list, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*ReplicaList).clone(), nil
}

func (q ReplicaQuery) validate() error {
	if q.HardwareID <= 0 {
		return &InputError{Field: "hardware id", Problem: fmt.Sprintf("must be a positive number, got %d", q.HardwareID)}
	}
	if err := checkGPUsPerContainer(q.GPUsPerContainer); err != nil {
		return err
	}
	if q.NodePoolID != "" && !uuidPattern.MatchString(q.NodePoolID) {
		return &InputError{Field: "node pool id", Problem: "must be a UUID such as 0b8e6c4e-1c0a-4a55-9a4e-1d6f2b0c7e11"}
	}
	return nil
}

func checkGPUsPerContainer(n int) error {
	if n < 1 || n > MaxGPUsPerContainer {
		return &InputError{Field: "GPUs per container", Problem: fmt.Sprintf("must be between 1 and %d, got %d", MaxGPUsPerContainer, n)}
	}
	return nil
}

// CreateAPIKey creates a key. Exactly one request; never retried: io.net has
// no idempotency key, so a retry after a lost answer could make a second key.
// Without a session token, or with one whose exp has passed, io.net is not
// called at all.
func (c *Client) CreateAPIKey(ctx context.Context, req KeyRequest) (*CreatedKey, error) {
	st := c.JWTStatus()
	if !st.Present {
		return nil, ErrNoJWT
	}
	if st.Expired {
		return nil, fmt.Errorf("%w (it expired on %s)", ErrJWTExpired, st.ExpiresAt.UTC().Format(time.RFC3339))
	}
	if err := req.validate(); err != nil {
		return nil, err
	}
	body := wireKeyRequest{
		Description: req.Description,
		ExpiresAt:   req.ExpiresAt.UTC().Format(time.RFC3339),
		Project:     req.Project,
		Scopes:      append([]string{}, req.Scopes...),
	}
	cl := call{method: http.MethodPost, path: pathCreateKey, body: body, cred: credJWT}
	var w wireCreatedKey
	if err := c.do(ctx, cl, &w); err != nil {
		return nil, err
	}
	key, err := w.created(req)
	if err != nil {
		return nil, c.malformed(cl, c.base.Path+pathCreateKey, err.Error())
	}
	return key, nil
}

// validate catches a KeyRequest io.net would answer with 422. Policy.Check
// makes sure none reaches here; this guards against wiring mistakes.
func (r KeyRequest) validate() error {
	switch {
	case strings.TrimSpace(r.Description) == "":
		return &InputError{Field: "description", Problem: "is empty; describe what the key is for"}
	case r.ExpiresAt.IsZero():
		return &InputError{Field: "expiry", Problem: "is missing; give a date or a number of days"}
	case strings.TrimSpace(r.Project) == "":
		return &InputError{Field: "project", Problem: "is empty; use " + ProjectIOCloud}
	case len(r.Scopes) == 0:
		return &InputError{Field: "scopes", Problem: "are empty; use all, read or write"}
	}
	return nil
}

func (l *HardwareList) clone() *HardwareList {
	out := *l
	out.Hardware = slices.Clone(l.Hardware)
	return &out
}

func (l *ReplicaList) clone() *ReplicaList {
	out := *l
	out.Locations = slices.Clone(l.Locations)
	return &out
}
