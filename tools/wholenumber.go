package tools

import (
	"encoding/json"
	"errors"
	"math"
)

// wholeNumber is an integer argument. JSON Schema's "integer" accepts any
// number without a fractional part however it is written (3, 3.0, 3e0), and
// mcp-go's validation lets them all through; Go's int reads only the first.
// The schema's minimum and maximum have been checked before this runs.
type wholeNumber int

func (n *wholeNumber) UnmarshalJSON(b []byte) error {
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	if f != math.Trunc(f) || math.Abs(f) > math.MaxInt32 {
		return errors.New("not a whole number")
	}
	*n = wholeNumber(f)
	return nil
}
