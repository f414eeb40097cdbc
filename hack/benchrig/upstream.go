package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
)

// Paths of the two io.net reads list_available_replicas makes.
const (
	pathHardware = "/enterprise/v1/io-cloud/caas/hardware/max-gpus-per-container"
	pathReplicas = "/enterprise/v1/io-cloud/caas/available-replicas"
)

// maxHang bounds how long the fake holds a request when told to hang.
const maxHang = 60 * time.Second

// upstream is a fake io.net on 127.0.0.1: the hardware list (types GPU
// types, all with free GPUs) and a replicas answer of three locations for
// any type. It counts the connections it accepts, so new connections per
// call can be read off it; each server under test gets its own.
type upstream struct {
	srv      *http.Server
	url      string
	latency  atomic.Int64 // time.Duration before each answer
	hang     atomic.Bool  // hold every request until the client gives up (bounded)
	conns    atomic.Int64
	requests atomic.Int64
	hardware []byte
	replicas []byte
}

func startUpstream(ctx context.Context, types int, latency time.Duration) (*upstream, error) {
	u := &upstream{}
	u.latency.Store(int64(latency))
	items := make([]string, 0, types)
	for i := 1; i <= types; i++ {
		items = append(items, fmt.Sprintf(`{"hardware_id":%d,"hardware_name":"GPU %03d","brand_name":"NVIDIA","max_gpus_per_container":8,"available":16}`, i, i))
	}
	u.hardware = []byte(`{"data":{"hardware":[` + strings.Join(items, ",") + fmt.Sprintf(`],"total":%d}}`, 16*types))
	u.replicas = []byte(`{"data":[{"id":9,"iso2":"DE","name":"Germany","available_replicas":3},` +
		`{"id":4,"iso2":"US","name":"United States","available_replicas":12},` +
		`{"id":20,"iso2":"JP","name":"Japan","available_replicas":1}]}`)
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	u.url = "http://" + ln.Addr().String()
	u.srv = &http.Server{
		Handler:           http.HandlerFunc(u.serve),
		ReadHeaderTimeout: 10 * time.Second,
		ConnState: func(_ net.Conn, st http.ConnState) {
			if st == http.StateNew {
				u.conns.Add(1)
			}
		},
	}
	go func() { _ = u.srv.Serve(ln) }()
	return u, nil
}

func (u *upstream) close() { _ = u.srv.Close() }

func (u *upstream) serve(w http.ResponseWriter, r *http.Request) {
	u.requests.Add(1)
	wait := time.Duration(u.latency.Load())
	if u.hang.Load() {
		wait = maxHang
	}
	if wait > 0 {
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	w.Header().Set("Content-Type", "application/json")
	switch r.URL.Path {
	case pathHardware:
		_, _ = w.Write(u.hardware)
	case pathReplicas:
		_, _ = w.Write(u.replicas)
	default:
		w.WriteHeader(http.StatusNotFound)
		_ = json.NewEncoder(w).Encode(map[string]string{"detail": "Not Found"})
	}
}
