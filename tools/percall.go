package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
)

// Per-call costs that sit in how mcp-go is configured, worked around here at
// our edge (README "Performance" says what an upstream fix would be).

// withRawInputSchema returns tool with its input schema marshalled once, as
// RawInputSchema. mcp-go's input validation looks compiled schemas up by a
// SHA-256 of the schema's JSON, and for a tool with a structured InputSchema
// it marshals that schema again on every call just to compute the digest
// (server/input_validation.go, schemaJSONFor): ~10 % of a call's CPU. With
// RawInputSchema it hashes the bytes it already has. The bytes are exactly
// what tools/list showed before (same struct, same encoder), including the
// additionalProperties:false that WithStrictInputSchemaDefault would add,
// which mcp-go leaves to us for raw schemas.
func withRawInputSchema(tool mcp.Tool) (mcp.Tool, error) {
	in := tool.InputSchema
	if in.AdditionalProperties == nil {
		in.AdditionalProperties = false
	}
	raw, err := json.Marshal(in)
	if err != nil {
		return tool, fmt.Errorf("tool %s: input schema: %w", tool.Name, err)
	}
	tool.RawInputSchema = raw
	tool.InputSchema = mcp.ToolInputSchema{} // mcp-go refuses both at once
	return tool, nil
}

// mcp-go's WithLogger writes these two records at INFO for every request
// and every tool call.
const (
	mcpRequestRecord = "mcp.request"
	mcpToolRecord    = "mcp.tool"
)

// callSummaryEvery is how often the INFO summary of calls is written (with
// the first call after the interval; nothing is written while idle).
const callSummaryEvery = time.Minute

// callLogger is the logger handed to mcp-go: its per-request and per-call
// records go out at DEBUG (IOCLOUD_LOG_LEVEL=debug shows them), and once a
// minute one INFO line says how many requests and tool calls there were
// and how many failed. Two INFO lines per call were ~5 % of a call's CPU
// and most of the log's volume.
func callLogger(l *slog.Logger, now func() time.Time) *slog.Logger {
	return slog.New(&summaryHandler{next: l.Handler(), s: &callSummary{now: now, since: now()}})
}

type callSummary struct {
	now func() time.Time

	mu         sync.Mutex
	since      time.Time
	requests   int
	toolCalls  int
	toolFailed int // errors and isError results
	reqFailed  int
}

// summaryHandler demotes mcp-go's per-call records and counts them. Every
// other record passes through unchanged.
type summaryHandler struct {
	next slog.Handler
	s    *callSummary
}

func (h *summaryHandler) Enabled(ctx context.Context, level slog.Level) bool {
	// INFO must reach Handle for the per-call records to be counted even
	// when DEBUG is off; Handle decides what is written.
	return level >= slog.LevelInfo || h.next.Enabled(ctx, level)
}

func (h *summaryHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Message != mcpRequestRecord && r.Message != mcpToolRecord {
		if !h.next.Enabled(ctx, r.Level) {
			return nil
		}
		return h.next.Handle(ctx, r)
	}
	if summary, ok := h.s.due(); ok && h.next.Enabled(ctx, slog.LevelInfo) {
		_ = h.next.Handle(ctx, summary)
	}
	h.s.count(r) // after: a call that closes a window opens the next
	if !h.next.Enabled(ctx, slog.LevelDebug) {
		return nil
	}
	demoted := slog.NewRecord(r.Time, slog.LevelDebug, r.Message, r.PC)
	r.Attrs(func(a slog.Attr) bool {
		demoted.AddAttrs(a)
		return true
	})
	return h.next.Handle(ctx, demoted)
}

func (h *summaryHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &summaryHandler{next: h.next.WithAttrs(attrs), s: h.s}
}

func (h *summaryHandler) WithGroup(name string) slog.Handler {
	return &summaryHandler{next: h.next.WithGroup(name), s: h.s}
}

func (s *callSummary) count(r slog.Record) {
	failed := false
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "outcome" && a.Value.String() != "ok" {
			failed = true
			return false
		}
		return true
	})
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.Message == mcpToolRecord {
		s.toolCalls++
		if failed {
			s.toolFailed++
		}
		return
	}
	s.requests++
	if failed {
		s.reqFailed++
	}
}

// due returns the summary record and starts a new window when the current
// one is older than callSummaryEvery.
func (s *callSummary) due() (slog.Record, bool) {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if now.Sub(s.since) < callSummaryEvery {
		return slog.Record{}, false
	}
	r := slog.NewRecord(now, slog.LevelInfo, "mcp calls", 0)
	r.AddAttrs(
		slog.Duration("window", now.Sub(s.since).Round(time.Second)),
		slog.Int("requests", s.requests),
		slog.Int("failed_requests", s.reqFailed),
		slog.Int("tool_calls", s.toolCalls),
		slog.Int("failed_tool_calls", s.toolFailed),
	)
	s.since, s.requests, s.reqFailed, s.toolCalls, s.toolFailed = now, 0, 0, 0, 0
	return r, true
}
