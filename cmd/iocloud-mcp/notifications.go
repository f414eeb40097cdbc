package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"

	"github.com/mark3labs/mcp-go/mcp"
)

// acceptBareNotifications acknowledges, in the 2026-07-28 era, a client
// notification whose body carries no _meta protocol version. mcp-go answers
// such a notification 400 with a JSON-RPC error; the official go-sdk client
// sends its cancellations that way (of a call, or of a subscription when it
// unsubscribes) and closes its whole session at the 400. A cancellation
// changes nothing the request's own closed connection does not already end,
// so it is acknowledged (202) and dropped when its Mcp-Method header and
// body agree. Everything else, cancellations that do carry _meta included,
// goes to mcp-go untouched.
// droppableNotifications: a client's cancellation of a call, or of the
// subscriptions/listen stream when it unsubscribes, which its closing that
// request's connection already ends.
var droppableNotifications = map[string]bool{
	string(mcp.MethodNotificationCancelled): true,
}

func acceptBareNotifications(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		method := r.Header.Get(mcp.HeaderMethod)
		if r.Method != http.MethodPost || !mcp.IsModernProtocol(r.Header.Get(mcp.HeaderProtocolVersion)) ||
			!droppableNotifications[method] {
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
		if json.Unmarshal(body, &msg) == nil && len(msg.ID) == 0 && msg.Method == method &&
			msg.Params.Meta[mcp.MetaKeyProtocolVersion] == nil {
			w.WriteHeader(http.StatusAccepted)
			return
		}
		next.ServeHTTP(w, r)
	})
}
