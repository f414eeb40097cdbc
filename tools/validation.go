package tools

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
)

// mcp-go validates arguments (WithInputSchemaValidation) before any tool
// middleware runs and answers a failure itself, with text written for Go
// programmers: "input schema validation failed: /gpus_per_container:
// &{Got:string Want:[integer]}". An assistant cannot act on that. The
// argumentExplainer rewrites such answers, in an after-call hook (the only
// place that sees them), into one sentence per argument: what was sent and
// what to send instead. It re-validates with the same JSON Schema library to
// get the structured failures rather than parsing mcp-go's text.

// mcpValidationPrefixes start the texts of mcp-go's validation answers.
var mcpValidationPrefixes = []string{"input schema validation failed", "invalid arguments:"}

type argumentExplainer struct {
	tools map[string]*explainedTool
}

type explainedTool struct {
	name  string
	raw   []byte            // the input schema as clients see it
	args  []string          // argument names, sorted
	hints map[string]string // argument -> what to send

	// The schema is compiled on the first rejected call, not at start-up:
	// most processes never see one, and compiling every tool's schema was
	// a millisecond or more of every cold start.
	once      sync.Once
	schema    *jsonschema.Schema
	schemaErr error
}

func newArgumentExplainer(specs []toolSpec) (*argumentExplainer, error) {
	e := &argumentExplainer{tools: make(map[string]*explainedTool, len(specs))}
	for _, sp := range specs {
		// Compile what clients see: mcp-go's strict default adds
		// additionalProperties:false when a tool leaves it unset.
		in := sp.tool.InputSchema
		if in.AdditionalProperties == nil {
			in.AdditionalProperties = false
		}
		raw, err := json.Marshal(in)
		if err != nil {
			return nil, fmt.Errorf("tool %s: input schema: %w", sp.tool.Name, err)
		}
		e.tools[sp.tool.Name] = &explainedTool{
			name:  sp.tool.Name,
			raw:   raw,
			args:  slices.Sorted(maps.Keys(in.Properties)),
			hints: sp.hints,
		}
	}
	return e, nil
}

// compiled is the tool's input schema, compiled once when first needed.
func (t *explainedTool) compiled() (*jsonschema.Schema, error) {
	t.once.Do(func() {
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(t.raw))
		if err != nil {
			t.schemaErr = err
			return
		}
		url := "mem:///iocloud/tools/" + t.name + ".json"
		c := jsonschema.NewCompiler()
		if err := c.AddResource(url, doc); err != nil {
			t.schemaErr = err
			return
		}
		t.schema, t.schemaErr = c.Compile(url)
	})
	return t.schema, t.schemaErr
}

// rewrite is a server.OnAfterCallToolFunc. It changes only mcp-go's own
// validation answers; tool results pass untouched.
func (e *argumentExplainer) rewrite(_ context.Context, _ any, req *mcp.CallToolRequest, result any) {
	res, ok := result.(*mcp.CallToolResult)
	if !ok || res == nil || !res.IsError || req == nil || len(res.Content) != 1 {
		return
	}
	text, ok := res.Content[0].(mcp.TextContent)
	if !ok || !hasAnyPrefix(text.Text, mcpValidationPrefixes) {
		return
	}
	t, ok := e.tools[req.Params.Name]
	if !ok {
		return
	}
	res.Content = []mcp.Content{mcp.NewTextContent(t.explain(req.GetRawArguments()))}
}

// explain validates args again and says, per argument, what is wrong.
func (t *explainedTool) explain(rawArgs any) string {
	head := "Invalid arguments for " + t.name + "; nothing was done. "
	value, err := normalizeArguments(rawArgs)
	if err != nil {
		return head + "Send the arguments as one JSON object" + t.takes() + "."
	}
	schema, err := t.compiled()
	if err != nil {
		return head + "Check the arguments against the tool's input schema" + t.takes() + "."
	}
	var verr *jsonschema.ValidationError
	if err := schema.Validate(value); !errors.As(err, &verr) {
		return head + "Check the arguments against the tool's input schema" + t.takes() + "."
	}
	var msgs []string
	seen := map[string]bool{}
	for _, leaf := range leaves(verr) {
		for _, m := range t.describe(leaf, value) {
			if !seen[m] {
				seen[m] = true
				msgs = append(msgs, m)
			}
		}
	}
	if extra := len(msgs) - maxSentences; extra > 0 {
		msgs = append(msgs[:maxSentences], fmt.Sprintf("(%d more like these.)", extra))
	}
	return head + strings.Join(msgs, " ")
}

// An explanation goes back into the assistant's context, so it stays short
// whatever was sent: the first problems are explained, the rest counted,
// and argument names an assistant made up are shown clipped and quoted.
const (
	maxSentences  = 8
	maxShownName  = 40
	plainNameChar = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-"
)

// shownName is an argument name as an explanation shows it: as is when it
// is a plain identifier, else quoted (no newline or control character gets
// through) and clipped.
func shownName(name string) string {
	if name != "" && len(name) <= maxShownName && strings.Trim(name, plainNameChar) == "" {
		return name
	}
	if utf8.RuneCountInString(name) > maxShownName {
		name = string([]rune(name)[:maxShownName-1]) + "…"
	}
	return strconv.Quote(name)
}

func (t *explainedTool) describe(leaf *jsonschema.ValidationError, value any) []string {
	loc := leaf.InstanceLocation
	if len(loc) == 0 {
		switch k := leaf.ErrorKind.(type) {
		case *kind.Required:
			out := make([]string, 0, len(k.Missing))
			for _, name := range k.Missing {
				out = append(out, fmt.Sprintf("Argument %s is missing: send %s.", shownName(name), t.hint(name)))
			}
			return out
		case *kind.AdditionalProperties:
			out := make([]string, 0, len(k.Properties))
			for _, name := range k.Properties {
				out = append(out, fmt.Sprintf("Argument %s is not accepted: leave it out%s.", shownName(name), t.takes()))
			}
			return out
		default:
			return []string{"Send the arguments as one JSON object" + t.takes() + "."}
		}
	}
	arg := loc[0]
	return []string{fmt.Sprintf("Argument %s: got %s, send %s.", shownName(arg), render(lookup(value, loc[:1])), t.hint(arg))}
}

func (t *explainedTool) hint(arg string) string {
	if h, ok := t.hints[arg]; ok {
		return h
	}
	return "a value as the tool's input schema describes"
}

// takes lists the arguments the tool accepts, for "leave it out" answers.
func (t *explainedTool) takes() string {
	if len(t.args) == 0 {
		return " (this tool takes no arguments: send {})"
	}
	return " (this tool takes " + strings.Join(t.args, ", ") + ")"
}

// leaves are the failures that say something; inner nodes only group them.
func leaves(v *jsonschema.ValidationError) []*jsonschema.ValidationError {
	if len(v.Causes) == 0 {
		return []*jsonschema.ValidationError{v}
	}
	var out []*jsonschema.ValidationError
	for _, c := range v.Causes {
		out = append(out, leaves(c)...)
	}
	return out
}

// normalizeArguments turns arguments into the loosely typed JSON the
// validator expects, as mcp-go does; absent arguments are an empty object.
func normalizeArguments(raw any) (any, error) {
	var data []byte
	switch v := raw.(type) {
	case nil:
		return map[string]any{}, nil
	case json.RawMessage:
		data = v
	default:
		var err error
		if data, err = json.Marshal(v); err != nil {
			return nil, err
		}
	}
	if len(bytes.TrimSpace(data)) == 0 || string(bytes.TrimSpace(data)) == "null" {
		return map[string]any{}, nil
	}
	return jsonschema.UnmarshalJSON(bytes.NewReader(data))
}

func lookup(v any, path []string) any {
	for _, p := range path {
		switch c := v.(type) {
		case map[string]any:
			v = c[p]
		case []any:
			i, err := strconv.Atoi(p)
			if err != nil || i < 0 || i >= len(c) {
				return nil
			}
			v = c[i]
		default:
			return nil
		}
	}
	return v
}

// render names a JSON value's type and shows it, shortened.
func render(v any) string {
	raw, err := json.Marshal(v)
	if err != nil {
		return "a value that is not JSON"
	}
	shown := string(raw)
	if utf8.RuneCountInString(shown) > 60 {
		shown = string([]rune(shown)[:57]) + "..."
	}
	switch v.(type) {
	case string:
		return "the text " + shown
	case json.Number, float64, int, int64:
		return "the number " + shown
	case bool:
		return shown
	case nil:
		return "null"
	case []any:
		return "the list " + shown
	case map[string]any:
		return "the object " + shown
	default:
		return shown
	}
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// quotedList writes items as `"a", "b" and "c"`.
func quotedList(items []string) string {
	quoted := make([]string, len(items))
	for i, s := range items {
		quoted[i] = strconv.Quote(s)
	}
	if len(quoted) < 2 {
		return strings.Join(quoted, "")
	}
	return strings.Join(quoted[:len(quoted)-1], ", ") + " and " + quoted[len(quoted)-1]
}
