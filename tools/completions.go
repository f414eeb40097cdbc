package tools

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/iocloud-chatops/iocloud/iocloud"
	"github.com/mark3labs/mcp-go/mcp"
)

// maxCompletions is the protocol's limit on values in one answer.
const maxCompletions = 100

// completer answers completion/complete for the prompts' arguments and the
// replicas template's {hardware}, from live data read through the client's
// cache (so typing does not hammer io.net). Matching is a case-insensitive
// prefix match, as clients filter the same way while the person types.
type completer struct{ cfg Config }

// CompletePromptArgument implements server.PromptCompletionProvider.
func (c completer) CompletePromptArgument(ctx context.Context, prompt string, arg mcp.CompleteArgument, cc mcp.CompleteContext) (*mcp.Completion, error) {
	switch prompt {
	case findGPUsPrompt:
		switch arg.Name {
		case "hardware":
			return c.hardware(ctx, arg.Value)
		case "country":
			return c.countries(ctx, arg.Value, cc.Arguments["hardware"])
		case "gpus":
			values := make([]string, 0, iocloud.MaxGPUsPerContainer)
			for n := 1; n <= iocloud.MaxGPUsPerContainer; n++ {
				values = append(values, strconv.Itoa(n))
			}
			return matching(values, arg.Value), nil
		}
		return nil, fmt.Errorf("prompt %s has no argument %q; it takes hardware, gpus and country", prompt, arg.Name)
	case rotateKeyPrompt:
		if arg.Name == "description" {
			return matching(nil, arg.Value), nil // free text: nothing to suggest
		}
		return nil, fmt.Errorf("prompt %s has no argument %q; it takes description", prompt, arg.Name)
	}
	return nil, fmt.Errorf("unknown prompt %q; this server's prompts are %s and %s", prompt, findGPUsPrompt, rotateKeyPrompt)
}

// CompleteResourceArgument implements server.ResourceCompletionProvider.
func (c completer) CompleteResourceArgument(ctx context.Context, uri string, arg mcp.CompleteArgument, _ mcp.CompleteContext) (*mcp.Completion, error) {
	if uri != replicasURITemplate || arg.Name != replicasTemplateArg {
		return nil, fmt.Errorf("nothing to complete for %q in %q; this server completes {%s} of %s",
			arg.Name, uri, replicasTemplateArg, replicasURITemplate)
	}
	return c.hardware(ctx, arg.Value)
}

// hardware completes GPU type names.
func (c completer) hardware(ctx context.Context, prefix string) (*mcp.Completion, error) {
	list, err := c.cfg.Catalog.Hardware(ctx)
	if err != nil {
		return nil, errors.New(c.cfg.Hints.Advice(err))
	}
	names := make([]string, 0, len(list.Hardware))
	for _, h := range list.Hardware {
		names = append(names, h.Name)
	}
	return matching(names, prefix), nil
}

// countries completes ISO codes and names of the locations that have room
// now: for the hardware already chosen when it is known, else for every
// type with free GPUs. io.net has no country list; its replica answers are
// where countries come from.
func (c completer) countries(ctx context.Context, prefix, hardware string) (*mcp.Completion, error) {
	search := iocloud.ReplicaSearch{Hardware: strings.TrimSpace(hardware)}
	report, err := c.cfg.Catalog.FindReplicas(ctx, search)
	if errors.Is(err, iocloud.ErrUnknownHardware) {
		// Half-typed or wrong hardware: suggest from everything instead.
		report, err = c.cfg.Catalog.FindReplicas(ctx, iocloud.ReplicaSearch{})
	}
	if err != nil {
		return nil, errors.New(c.cfg.Hints.Advice(err))
	}
	var values []string
	for _, h := range report.Hardware {
		for _, l := range h.Locations {
			values = append(values, l.ISO2, l.Name)
		}
	}
	return matching(values, prefix), nil
}

// matching keeps the values starting with prefix (case-insensitively),
// without duplicates, sorted, at most maxCompletions of them; Total and
// HasMore say how many matched.
func matching(values []string, prefix string) *mcp.Completion {
	p := strings.ToLower(prefix)
	out := []string{}
	for _, v := range values {
		if v != "" && strings.HasPrefix(strings.ToLower(v), p) && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	slices.SortFunc(out, func(a, b string) int {
		return cmp.Or(cmp.Compare(strings.ToLower(a), strings.ToLower(b)), cmp.Compare(a, b))
	})
	total := len(out)
	if total > maxCompletions {
		out = out[:maxCompletions]
	}
	return &mcp.Completion{Values: out, Total: total, HasMore: total > maxCompletions}
}
