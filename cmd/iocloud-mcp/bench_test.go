package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/iocloud-chatops/iocloud/internal/testutil"
	"github.com/iocloud-chatops/iocloud/iocloud/sandbox"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/sethvargo/go-envconfig"
)

// BenchmarkReplicasOverHTTP is one list_available_replicas call through the
// whole HTTP server (auth, origin check, mcp-go, our handler, the io.net
// client) against the sandbox on loopback, from the official go-sdk client,
// in both protocol eras, with the read cache off and warm. It is the target
// for a profile of the server's per-call cost (docs/performance.md):
//
//	go test ./cmd/iocloud-mcp -run '^$' -bench ReplicasOverHTTP -cpuprofile /tmp/cpu.out
//	go tool pprof -top -focus 'ServeHTTP' cmd/iocloud-mcp.test /tmp/cpu.out
func BenchmarkReplicasOverHTTP(b *testing.B) {
	sb, err := sandbox.Start()
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(sb.Close)
	for _, cache := range []string{"0", "1h"} {
		url := benchServer(b, sb, cache)
		for _, era := range eras {
			name := fmt.Sprintf("era=%s/cache=%s", era, map[string]string{"0": "off", "1h": "warm"}[cache])
			b.Run(name, func(b *testing.B) {
				c := mcp.NewClient(&mcp.Implementation{Name: "bench", Version: "1"}, nil)
				cs, err := c.Connect(b.Context(), &mcp.StreamableClientTransport{Endpoint: url, MaxRetries: -1},
					&mcp.ClientSessionOptions{ProtocolVersion: era})
				if err != nil {
					b.Fatal(err)
				}
				defer func() { _ = cs.Close() }()
				params := &mcp.CallToolParams{Name: "list_available_replicas", Arguments: map[string]any{"hardware": "A100 80GB SXM"}}
				b.ReportAllocs()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						res, err := cs.CallTool(context.Background(), params)
						if err != nil || res.IsError {
							b.Errorf("call: %v %+v", err, res)
							return
						}
					}
				})
			})
		}
	}
}

// benchServer runs the server in this process over HTTP against sb and
// returns its /mcp URL once it answers.
func benchServer(b *testing.B, sb *sandbox.Server, cacheTTL string) string {
	b.Helper()
	addr := fmt.Sprintf("127.0.0.1:%d", testutil.FreePort(b))
	env := envconfig.MapLookuper(map[string]string{
		"IOCLOUD_API_KEY": sb.APIKey(), "IOCLOUD_BASE_URL": sb.URL(), "IOCLOUD_CACHE_TTL": cacheTTL,
		"IOCLOUD_MCP_TRANSPORT": "http", "IOCLOUD_MCP_ADDR": addr, "IOCLOUD_LOG_LEVEL": "warn",
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	var stderr bytes.Buffer
	go func() { done <- run(ctx, nil, env, strings.NewReader(""), &bytes.Buffer{}, &stderr) }()
	b.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				b.Errorf("server: %v", err)
			}
		case <-time.After(30 * time.Second):
			b.Error("server did not stop")
		}
	})
	base := "http://" + addr
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		req, err := http.NewRequestWithContext(b.Context(), http.MethodGet, base+healthPath, nil)
		if err != nil {
			b.Fatal(err)
		}
		res, err := http.DefaultClient.Do(req)
		if err == nil {
			_ = res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return base + mcpPath
			}
		}
		if time.Now().After(deadline) {
			b.Fatalf("server on %s did not come up", addr)
		}
	}
}
