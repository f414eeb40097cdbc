package tools

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/iocloud-chatops/iocloud/iocloud"
	"github.com/mark3labs/mcp-go/mcp"
)

const listKeysTool = "list_api_keys"

type listKeysIn struct {
	IncludeExpired bool `json:"include_expired"`
}

// listKeysOut is list_api_keys' structuredContent (listKeysOutputSchema).
// It never holds a secret: io.net's list has none.
type listKeysOut struct {
	Keys    []keyEntry `json:"keys"`
	Sandbox bool       `json:"sandbox"`
}

type keyEntry struct {
	KeyID       string     `json:"key_id"`
	Display     string     `json:"display"`
	Description string     `json:"description"`
	Project     string     `json:"project"`
	Scopes      []string   `json:"scopes"`
	CreatedAt   *time.Time `json:"created_at,omitempty"` // io.net always sends it; left out rather than invented when it does not
	ExpiresAt   time.Time  `json:"expires_at"`
	Expired     bool       `json:"expired"`
}

func listAPIKeys(cfg Config) toolSpec {
	tool := mcp.NewTool(listKeysTool,
		mcp.WithToolTitle("List io.net API keys"),
		mcp.WithDescription("List the io.net API keys of the account this server acts for: id, masked form (display), "+
			"description, project, scopes, creation and expiry. Never shows a key's secret. Expired keys are left out "+
			"unless include_expired is true. Newest first."),
		mcp.WithBoolean("include_expired",
			mcp.Description("Also list keys that have expired (default false)."),
			mcp.DefaultBool(false)),
		mcp.WithReadOnlyHintAnnotation(true),
		mcp.WithDestructiveHintAnnotation(false),
		mcp.WithIdempotentHintAnnotation(true),
		mcp.WithOpenWorldHintAnnotation(true),
		mcp.WithRawOutputSchema(listKeysOutputSchema),
	)
	handler := func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		var in listKeysIn
		if err := req.BindArguments(&in); err != nil {
			return failuref("The arguments could not be read: send {} or {\"include_expired\": true}."), nil
		}
		list, err := cfg.Catalog.ListAPIKeys(ctx)
		if err != nil {
			return failure(cfg.Hints, err), nil
		}
		out, hidden := listKeysOutFrom(list, in.IncludeExpired, cfg)
		return structured(out, renderKeys(out, hidden)), nil
	}
	return toolSpec{
		tool:    tool,
		handler: handler,
		hints:   map[string]string{"include_expired": "true or false (not text), or leave it out"},
	}
}

// listKeysOutFrom keeps the keys asked for, newest first, and counts the
// expired ones left out.
func listKeysOutFrom(list *iocloud.KeyList, includeExpired bool, cfg Config) (listKeysOut, int) {
	out := listKeysOut{Keys: []keyEntry{}, Sandbox: cfg.Sandbox}
	hidden := 0
	for _, k := range list.Keys {
		if k.IsExpired && !includeExpired {
			hidden++
			continue
		}
		e := keyEntry{
			KeyID: k.KeyID, Display: k.Display, Description: k.Description, Project: k.Project,
			Scopes: nonNil(k.Scopes), ExpiresAt: k.ExpiresAt.UTC(), Expired: k.IsExpired,
		}
		if !k.CreatedAt.IsZero() {
			created := k.CreatedAt.UTC()
			e.CreatedAt = &created
		}
		out.Keys = append(out.Keys, e)
	}
	slices.SortStableFunc(out.Keys, func(a, b keyEntry) int {
		return cmp.Compare(createdUnix(b), createdUnix(a))
	})
	return out, hidden
}

func createdUnix(e keyEntry) int64 {
	if e.CreatedAt == nil {
		return 0
	}
	return e.CreatedAt.UnixNano()
}

func renderKeys(out listKeysOut, hidden int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s)", plural(len(out.Keys), "API key", "API keys"), dataSource(out.Sandbox))
	if hidden > 0 {
		fmt.Fprintf(&b, "; %s left out (include_expired shows them)", plural(hidden, "expired key", "expired keys"))
	}
	b.WriteString(":\n")
	if len(out.Keys) == 0 {
		b.WriteString("None.")
		return b.String()
	}
	for _, k := range out.Keys {
		state := "expires " + stamp(k.ExpiresAt)
		if k.Expired {
			state = "expired " + stamp(k.ExpiresAt)
		}
		fmt.Fprintf(&b, "- %q: %s, id %s, project %s, scopes %s, %s\n",
			k.Description, k.Display, k.KeyID, k.Project, strings.Join(k.Scopes, ","), state)
	}
	return strings.TrimRight(b.String(), "\n")
}
