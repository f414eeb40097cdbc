package sandbox

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/google/uuid"
)

// detail is FastAPI's HTTPException body.
type detail struct {
	Detail string `json:"detail"`
}

// fieldError is one item of FastAPI's 422 body as Pydantic v2 renders it.
type fieldError struct {
	Type  string         `json:"type"`
	Loc   []any          `json:"loc"`
	Msg   string         `json:"msg"`
	Input any            `json:"input"`
	Ctx   map[string]any `json:"ctx,omitempty"`
}

type validationError struct {
	Detail []fieldError `json:"detail"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil { // only our own types get here; this would be a bug
		status = http.StatusInternalServerError
		body = []byte(`{"detail":"Internal Server Error"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func writeDetail(w http.ResponseWriter, status int, text string) {
	writeJSON(w, status, detail{Detail: text})
}

func write422(w http.ResponseWriter, errs []fieldError) {
	writeJSON(w, http.StatusUnprocessableEntity, validationError{Detail: errs})
}

// queryValue is FastAPI's reading of a scalar query parameter: the last
// value wins; present-but-empty is still present.
func queryValue(r *http.Request, name string) (string, bool) {
	vals, ok := r.URL.Query()[name]
	if !ok || len(vals) == 0 {
		return "", false
	}
	return vals[len(vals)-1], true
}

func missing(loc ...any) fieldError {
	return fieldError{Type: "missing", Loc: loc, Msg: "Field required", Input: nil}
}

// queryInt validates a required integer query parameter with a lower bound
// (minimum < 0: none). It returns the value or the Pydantic error.
func queryInt(r *http.Request, name string, minimum int) (int, *fieldError) {
	raw, ok := queryValue(r, name)
	if !ok {
		e := missing("query", name)
		return 0, &e
	}
	n, err := strconv.Atoi(raw)
	if err != nil {
		return 0, &fieldError{
			Type: "int_parsing", Loc: []any{"query", name},
			Msg:   "Input should be a valid integer, unable to parse string as an integer",
			Input: raw,
		}
	}
	if minimum >= 0 && n < minimum {
		return 0, &fieldError{
			Type: "greater_than_equal", Loc: []any{"query", name},
			Msg:   "Input should be greater than or equal to " + strconv.Itoa(minimum),
			Input: raw, Ctx: map[string]any{"ge": minimum},
		}
	}
	return n, nil
}

// queryNodePool validates the optional node_pool_id (uuid). Absent gives nil.
func queryNodePool(r *http.Request) (*uuid.UUID, *fieldError) {
	raw, ok := queryValue(r, "node_pool_id")
	if !ok {
		return nil, nil
	}
	id, err := uuid.Parse(raw)
	if err != nil {
		reason := "invalid character or length"
		return nil, &fieldError{
			Type: "uuid_parsing", Loc: []any{"query", "node_pool_id"},
			Msg:   "Input should be a valid UUID, " + reason,
			Input: raw, Ctx: map[string]any{"error": reason},
		}
	}
	return &id, nil
}
