package config

import (
	"slices"

	"github.com/sethvargo/go-envconfig"
)

// Foreign lists, sorted, the variables set (not empty) in l that other's
// configuration struct reads and self's does not: settings meant for the
// other binary. self and other are pointers to config structs (*MCP,
// *Slack). Nothing about the values is checked.
func Foreign(l envconfig.Lookuper, self, other any) []string {
	mine, err := variablesOf(self)
	if err != nil {
		return nil
	}
	theirs, err := variablesOf(other)
	if err != nil {
		return nil
	}
	own := make(map[string]bool, len(mine))
	for _, v := range mine {
		own[v.name] = true
	}
	var out []string
	for _, v := range theirs {
		if own[v.name] {
			continue
		}
		if _, set := (emptyIsUnset{l}).Lookup(v.name); set {
			out = append(out, v.name)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
