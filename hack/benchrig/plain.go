package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"golang.org/x/sync/errgroup"
)

// The reference: a plain Go HTTP server, in its own process (this binary
// with -serve-plain), that does the same upstream work as one
// list_available_replicas call with a plain, well-tuned http.Client: the
// hardware GET, then one replicas GET per type asked (4 at a time), JSON in
// and out. Everything our server does beyond this is MCP and our own code.

type plainAsk struct {
	Hardware   string `json:"hardware"`
	NodePoolID string `json:"node_pool_id"`
}

type plainHardware struct {
	Data struct {
		Hardware []struct {
			ID        int    `json:"hardware_id"`
			Name      string `json:"hardware_name"`
			Brand     string `json:"brand_name"`
			MaxGPUs   int    `json:"max_gpus_per_container"`
			Available int    `json:"available"`
		} `json:"hardware"`
	} `json:"data"`
}

type plainLocation struct {
	ID                int    `json:"id"`
	ISO2              string `json:"iso2"`
	Name              string `json:"name"`
	AvailableReplicas int    `json:"available_replicas"`
}

type plainEntry struct {
	ID        int             `json:"id"`
	Name      string          `json:"name"`
	Locations []plainLocation `json:"locations"`
	Total     int             `json:"total_available_replicas"`
}

func servePlain(ctx context.Context, addr, upstreamURL string) error {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 256
	hc := &http.Client{Transport: t, Timeout: 15 * time.Second}
	get := func(ctx context.Context, path string, q url.Values, out any) error {
		u := upstreamURL + path
		if q != nil {
			u += "?" + q.Encode()
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil) //nolint:gosec // the rig's fake io.net on 127.0.0.1
		if err != nil {
			return err
		}
		req.Header.Set("x-api-key", "bench")
		resp, err := hc.Do(req) //nolint:gosec // the rig's fake io.net on 127.0.0.1
		if err != nil {
			return err
		}
		defer func() { _ = resp.Body.Close() }()
		body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
		if err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("upstream answered %d", resp.StatusCode)
		}
		return json.Unmarshal(body, out)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok\n") })
	mux.HandleFunc("POST /call", func(w http.ResponseWriter, r *http.Request) {
		var ask plainAsk
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&ask); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		out, err := plainReplicas(r.Context(), ask, get)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(out)
	})
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

type getter func(ctx context.Context, path string, q url.Values, out any) error

func plainReplicas(ctx context.Context, ask plainAsk, get getter) (map[string]any, error) {
	var hw plainHardware
	if err := get(ctx, pathHardware, nil, &hw); err != nil {
		return nil, err
	}
	var targets []plainEntry
	for _, h := range hw.Data.Hardware {
		if ask.Hardware == "" || strconv.Itoa(h.ID) == ask.Hardware {
			targets = append(targets, plainEntry{ID: h.ID, Name: h.Name})
		}
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(4)
	for i := range targets {
		g.Go(func() error {
			q := url.Values{"hardware_id": {strconv.Itoa(targets[i].ID)}, "hardware_qty": {"1"}}
			if ask.NodePoolID != "" {
				q.Set("node_pool_id", ask.NodePoolID)
			}
			var ans struct {
				Data []plainLocation `json:"data"`
			}
			if err := get(gctx, pathReplicas, q, &ans); err != nil {
				return err
			}
			slices.SortFunc(ans.Data, func(a, b plainLocation) int { return cmp.Compare(b.AvailableReplicas, a.AvailableReplicas) })
			targets[i].Locations = ans.Data
			for _, l := range ans.Data {
				targets[i].Total += l.AvailableReplicas
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return map[string]any{"hardware": targets, "fetched_at": time.Now()}, nil
}

// plainCall is the load generator's side of one reference call.
func plainCall(ctx context.Context, hc *http.Client, base string, ask plainAsk) error {
	body, _ := json.Marshal(ask)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/call", bytes.NewReader(body)) //nolint:gosec // the reference server on 127.0.0.1
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(req) //nolint:gosec // the reference server on 127.0.0.1
	if err != nil {
		return err
	}
	defer func() { _ = resp.Body.Close() }()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("reference answered %d", resp.StatusCode)
	}
	return nil
}
