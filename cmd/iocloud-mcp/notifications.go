package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
)

// acceptBareNotifications acknowledges, in the 2026-07-28 era, a client
// notification whose body carries no _meta protocol version. mcp-go answers
// such a notification 400 with a JSON-RPC error; the official go-sdk client
// sends its notifications that way (a call's cancellation, the end of a
// subscription) and closes its whole session at the 400. A notification
// wants no answer, and these two change nothing the request's own closed
// connection does not already end, so they are acknowledged (202) and
// dropped. Everything else, notifications that do carry _meta included,
// goes to mcp-go untouched.
func acceptBareNotifications(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || !mcp.IsModernProtocol(r.Header.Get(mcp.HeaderProtocolVersion)) ||
			!strings.HasPrefix(r.Header.Get(mcp.HeaderMethod), "notifications/") {
			next.ServeHTTP(w, r)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
		if err != nil {
			http.Error(w, "bad request: the body could not be read", http.StatusBadRequest)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		var msg struct {
			ID     json.RawMessage `json:"id"`
			Method string          `json:"method"`
			Params struct {
				Meta map[string]json.RawMessage `json:"_meta"`
			} `json:"params"`
		}
		if json.Unmarshal(body, &msg) == nil && len(msg.ID) == 0 && strings.HasPrefix(msg.Method, "notifications/") &&
			msg.Params.Meta[mcp.MetaKeyProtocolVersion] == nil {
			w.WriteHeader(http.StatusAccepted)
			return
		}
		next.ServeHTTP(w, r)
	})
}
