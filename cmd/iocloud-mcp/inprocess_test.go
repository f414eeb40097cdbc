package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/iocloud-chatops/iocloud/internal/testutil"
	"github.com/iocloud-chatops/iocloud/tools"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	"github.com/stretchr/testify/require"
)

// inproc is serveListener running in the test process on 127.0.0.1, for
// what needs settings the binary does not expose (a short body deadline)
// or a look at the caller the tools see.
type inproc struct {
	url  string // http://127.0.0.1:PORT/mcp
	base string
	logs *testutil.SyncBuffer
}

// whoamiServer has one tool that answers with the caller package tools was
// handed: what the guard would bind a ticket to.
func whoamiServer() *server.MCPServer {
	s := server.NewMCPServer("whoami", "1", server.WithToolCapabilities(false))
	s.AddTool(mcp.NewTool("whoami"), func(ctx context.Context, _ mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		c, ok := tools.CallerFrom(ctx)
		if !ok {
			return mcp.NewToolResultText("(none)"), nil
		}
		return mcp.NewToolResultText(c.ID + "|" + c.Name + "|" + c.Email), nil
	})
	return s
}

func startInProcess(t *testing.T, s httpSettings) *inproc {
	t.Helper()
	if s.addr == "" {
		s.addr = "127.0.0.1:0"
	}
	if s.oauthTimeout == 0 {
		s.oauthTimeout = 5 * time.Second
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(t.Context(), "tcp", s.addr)
	require.NoError(t, err)
	logs := &testutil.SyncBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serveListener(ctx, ln, whoamiServer(), s, logger, io.Discard) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serveListener: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("serveListener did not return")
		}
	})
	p := &inproc{url: "http://" + ln.Addr().String() + mcpPath, base: "http://" + ln.Addr().String(), logs: logs}
	require.Eventually(t, func() bool {
		res, err := get(p.base + healthPath)
		return err == nil && res.status == http.StatusOK
	}, 10*time.Second, 20*time.Millisecond, logs.String())
	return p
}

// initialize opens a handshake-era session with header h and returns its id.
func (p *inproc) initialize(t *testing.T, h http.Header) string {
	t.Helper()
	res := post(t, p.url, initialize, h, "")
	require.Equal(t, http.StatusOK, res.status, res.body)
	id := res.header.Get(server.HeaderKeySessionID)
	require.NotEmpty(t, id, "a session id is issued")
	return id
}

// whoami calls the whoami tool in session (none for "") and returns the
// HTTP status and the tool's text.
func (p *inproc) whoami(t *testing.T, session string, h http.Header) (int, string) {
	t.Helper()
	hh := http.Header{"Mcp-Protocol-Version": {"2025-06-18"}}
	for k, v := range h {
		hh[k] = v
	}
	if session != "" {
		hh.Set(server.HeaderKeySessionID, session)
	}
	res := post(t, p.url, `{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"whoami","arguments":{}}}`, hh, "")
	if res.status != http.StatusOK {
		return res.status, res.body
	}
	return res.status, toolText(t, res.body)
}

// toolText reads the text of a tools/call answer, plain JSON or one SSE
// event.
func toolText(t *testing.T, body string) string {
	t.Helper()
	if i := strings.Index(body, "data: "); i >= 0 {
		body = strings.TrimSpace(strings.SplitN(body[i+len("data: "):], "\n", 2)[0])
	}
	var msg struct {
		Result struct {
			Content []struct {
				Text string `json:"text"`
			} `json:"content"`
		} `json:"result"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &msg), body)
	require.NotEmpty(t, msg.Result.Content, body)
	return msg.Result.Content[0].Text
}

func bearerHeader(token string) http.Header {
	return http.Header{"Authorization": {"Bearer " + token}}
}
