package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// rawClient speaks MCP's streamable HTTP as bare JSON-RPC posts: bodies
// encoded once, answers read and checked, nothing decoded. Its cost per call
// is that of the plain reference's client, so a latency ratio taken with it
// compares the two servers, not the go-sdk client with a bare http.Client
// (the go-sdk client spends more CPU per call than the whole plain reference
// on a saturated 2-core machine; the table shows it).
type rawClient struct {
	hc        *http.Client
	url       string
	era       string
	sessionID string // handshake era only
	frame     callFrame
}

// callFrame is a pre-encoded tools/call of list_available_replicas; only
// the id is written per call.
type callFrame struct{ prefix, suffix []byte }

// newCallFrame encodes the call with args for era. In the stateless era the
// _meta is exactly what the go-sdk client sends, so the server decodes the
// same bytes from either client.
func newCallFrame(era string, args []byte) callFrame {
	params := `{"name":"list_available_replicas","arguments":` + string(args) + `}`
	if era == eraStateless {
		params = `{"_meta":{"io.modelcontextprotocol/clientCapabilities":{"roots":{"listChanged":true}},` +
			`"io.modelcontextprotocol/clientInfo":{"name":"benchrig","version":"1"},` +
			`"io.modelcontextprotocol/protocolVersion":"` + eraStateless + `"},` +
			`"name":"list_available_replicas","arguments":` + string(args) + `}`
	}
	return callFrame{prefix: []byte(`{"jsonrpc":"2.0","id":`), suffix: []byte(`,"method":"tools/call","params":` + params + `}`)}
}

// body is the call with id, followed by tail (a newline for stdio).
func (f callFrame) body(id int64, tail string) []byte {
	b := make([]byte, 0, len(f.prefix)+20+len(f.suffix)+len(tail))
	b = append(strconv.AppendInt(append(b, f.prefix...), id, 10), f.suffix...)
	return append(b, tail...)
}

// openRaw prepares a client for tools/call of list_available_replicas with
// args; in the handshake era it opens a session first.
func openRaw(ctx context.Context, hc *http.Client, url, era string, args []byte) (*rawClient, error) {
	rc := &rawClient{hc: hc, url: url, era: era, frame: newCallFrame(era, args)}
	if era == eraStateless {
		return rc, nil
	}
	init := `{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"clientInfo":{"name":"benchrig","version":"1"},` +
		`"protocolVersion":"` + era + `","capabilities":{"roots":{"listChanged":true}}}}`
	header, err := rc.post(ctx, []byte(init), "initialize")
	if err != nil {
		return nil, fmt.Errorf("initialize: %w", err)
	}
	rc.sessionID = header.Get("Mcp-Session-Id")
	if rc.sessionID == "" {
		return nil, errors.New("initialize: no Mcp-Session-Id")
	}
	if _, err := rc.post(ctx, []byte(`{"jsonrpc":"2.0","method":"notifications/initialized","params":{}}`), "notifications/initialized"); err != nil {
		return nil, fmt.Errorf("notifications/initialized: %w", err)
	}
	return rc, nil
}

// call is one tools/call; an error answer or an isError result fails it.
func (rc *rawClient) call(ctx context.Context, id int64) error {
	_, err := rc.post(ctx, rc.frame.body(id, ""), "tools/call")
	return err
}

// post sends one JSON-RPC message and checks the answer: 202 for a
// notification, otherwise 200 with a result that is not an error.
func (rc *rawClient) post(ctx context.Context, body []byte, method string) (http.Header, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, rc.url, bytes.NewReader(body)) //nolint:gosec // our server on 127.0.0.1
	if err != nil {
		return nil, err
	}
	h := req.Header
	h.Set("Content-Type", "application/json")
	h.Set("Accept", "application/json, text/event-stream")
	h.Set("Mcp-Protocol-Version", rc.era)
	if rc.sessionID != "" {
		h.Set("Mcp-Session-Id", rc.sessionID)
	}
	if rc.era == eraStateless {
		h.Set("Mcp-Method", method)
		h.Set("Mcp-Name", "list_available_replicas")
	}
	resp, err := rc.hc.Do(req) //nolint:gosec // our server on 127.0.0.1
	if err != nil {
		return nil, err
	}
	defer func() { _ = resp.Body.Close() }()
	got, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	switch {
	case method == "notifications/initialized":
		if resp.StatusCode != http.StatusAccepted {
			return nil, fmt.Errorf("answered %d", resp.StatusCode)
		}
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("answered %d: %.200s", resp.StatusCode, got)
	case !jsonHasResult(got):
		return nil, fmt.Errorf("not a successful result: %.200s", got)
	}
	return resp.Header, nil
}

// close ends the handshake-era session.
func (rc *rawClient) close(ctx context.Context) {
	if rc.sessionID == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, rc.url, nil) //nolint:gosec // our server on 127.0.0.1
	if err != nil {
		return
	}
	req.Header.Set("Mcp-Session-Id", rc.sessionID)
	req.Header.Set("Mcp-Protocol-Version", rc.era)
	if resp, err := rc.hc.Do(req); err == nil { //nolint:gosec // our server on 127.0.0.1
		_ = resp.Body.Close()
	}
}

// jsonHasResult reports whether an answer is a successful tool result,
// without decoding it (the plain reference's client decodes nothing either).
func jsonHasResult(answer []byte) bool {
	return bytes.Contains(answer, []byte(`"result"`)) && !bytes.Contains(answer, []byte(`"isError":true`))
}
