package iocloud

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// FindHardware finds a type by numeric id or name (case-insensitive).
// Unknown or ambiguous: *HardwareLookupError.
//
// A number is an id first; when no type has that id it is matched against
// the names like any other text.
//
// Names are matched in three rounds, each stopping the search when it finds
// anything: the whole name ("h100 80gb pcie"), a part of it ("4090"), then
// every word of the query somewhere in the name ("h100 pcie"). Spaces are
// normalized, and a query without spaces also matches a name without them
// ("rtx4090"). More than one match in a round is ambiguous.
func (c *Client) FindHardware(ctx context.Context, query string) (Hardware, error) {
	list, err := c.Hardware(ctx)
	if err != nil {
		return Hardware{}, err
	}
	return findHardware(list.Hardware, query)
}

func findHardware(all []Hardware, query string) (Hardware, error) {
	q := normalizeName(query)
	if id, err := strconv.Atoi(q); err == nil {
		for _, h := range all {
			if h.ID == id {
				return h, nil
			}
		}
		// Not an id: perhaps part of a name ("4090").
	}
	if q == "" {
		return Hardware{}, lookupError(all, query, nil)
	}
	rounds := []func(name string) bool{
		func(name string) bool { return name == q },
		func(name string) bool {
			return strings.Contains(name, q) || strings.Contains(squash(name), squash(q))
		},
		func(name string) bool {
			for _, word := range strings.Fields(q) {
				if !strings.Contains(name, word) {
					return false
				}
			}
			return true
		},
	}
	for _, matches := range rounds {
		var found []Hardware
		for _, h := range all {
			if matches(normalizeName(h.Name)) {
				found = append(found, h)
			}
		}
		switch len(found) {
		case 0:
			continue
		case 1:
			return found[0], nil
		default:
			return Hardware{}, lookupError(all, query, found)
		}
	}
	return Hardware{}, lookupError(all, query, nil)
}

func lookupError(all []Hardware, query string, matches []Hardware) *HardwareLookupError {
	e := &HardwareLookupError{Query: query, Ambiguous: len(matches) > 1}
	for _, h := range matches {
		e.Matches = append(e.Matches, h.Name)
	}
	for _, h := range all {
		e.Valid = append(e.Valid, h.Name)
	}
	return e
}

func normalizeName(s string) string { return strings.Join(strings.Fields(strings.ToLower(s)), " ") }

func squash(s string) string { return strings.ReplaceAll(s, " ", "") }

// Error says what did not match and lists every name that would.
func (e *HardwareLookupError) Error() string {
	q := clip(printable(e.Query), 60)
	valid := "none (io.net lists no hardware)"
	if len(e.Valid) > 0 {
		valid = strings.Join(e.Valid, ", ")
	}
	switch {
	case e.Ambiguous:
		return fmt.Sprintf("hardware %q matches more than one type (%s); use the full name or the numeric id. Valid names: %s",
			q, strings.Join(e.Matches, ", "), valid)
	case q == "":
		return "no hardware given. Valid names: " + valid
	default:
		return fmt.Sprintf("unknown hardware %q. Valid names: %s", q, valid)
	}
}

// Is makes every lookup failure match ErrUnknownHardware.
func (e *HardwareLookupError) Is(target error) bool { return target == ErrUnknownHardware }
