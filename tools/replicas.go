package tools

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/iocloud-chatops/iocloud/iocloud"
	"github.com/mark3labs/mcp-go/mcp"
)

const replicasTool = "list_available_replicas"

// uuidPattern is the form io.net's node pool ids take.
const uuidPattern = `^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`

type replicasIn struct {
	Hardware         string      `json:"hardware"`
	GPUsPerContainer wholeNumber `json:"gpus_per_container"`
	Country          string      `json:"country"`
	NodePoolID       string      `json:"node_pool_id"`
}

// replicasOut is list_available_replicas' structuredContent
// (replicasOutputSchema).
type replicasOut struct {
	GPUsPerContainer       int             `json:"gpus_per_container"`
	Hardware               []replicasEntry `json:"hardware"`
	TotalAvailableReplicas int             `json:"total_available_replicas"`
	FetchedAt              time.Time       `json:"fetched_at"`
	Sandbox                bool            `json:"sandbox"`
}

type replicasEntry struct {
	ID                     int                `json:"id"`
	Name                   string             `json:"name"`
	Brand                  string             `json:"brand"`
	Locations              []iocloud.Location `json:"locations"`
	TotalAvailableReplicas int                `json:"total_available_replicas"`
}

func listAvailableReplicas(cfg Config) toolSpec {
	tool := mcp.NewTool(replicasTool,
		mcp.WithToolTitle("Where GPU containers fit"),
		mcp.WithDescription("Show where containers with a given number of GPUs can run now: for one GPU type, "+
			"or (without hardware) for every type with free GPUs. Locations are sorted by available replicas, most first."),
		mcp.WithString("hardware",
			mcp.Description(`Hardware id (e.g. "7") or name (e.g. "A100 80GB SXM"), case-insensitive, from list_hardware. Omit for every type with free GPUs.`),
			mcp.MinLength(1), mcp.MaxLength(100)),
		mcp.WithInteger("gpus_per_container",
			mcp.Description(fmt.Sprintf("GPUs in each container, 1 to %d (default 1).", iocloud.MaxGPUsPerContainer)),
			mcp.Min(1), mcp.Max(iocloud.MaxGPUsPerContainer), mcp.DefaultNumber(1)),
		mcp.WithString("country",
			mcp.Description(`Only locations in this country: ISO 3166 two-letter code (e.g. "US") or name, case-insensitive.`),
			mcp.MinLength(2), mcp.MaxLength(60)),
		mcp.WithString("node_pool_id",
			mcp.Description("A private node pool to look in (UUID). Omit for io.net's public capacity."),
			mcp.Pattern(uuidPattern)),
		mcp.WithReadOnlyHintAnnotation(true),
		mcp.WithDestructiveHintAnnotation(false),
		mcp.WithIdempotentHintAnnotation(true),
		mcp.WithOpenWorldHintAnnotation(true),
		mcp.WithRawOutputSchema(replicasOutputSchema),
	)
	handler := func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		var in replicasIn
		if err := req.BindArguments(&in); err != nil {
			return failuref("The arguments could not be read: send a JSON object with hardware, gpus_per_container, country and node_pool_id (all optional)."), nil
		}
		if in.GPUsPerContainer == 0 {
			in.GPUsPerContainer = 1
		}
		report, err := cfg.Catalog.FindReplicas(ctx, iocloud.ReplicaSearch{
			Hardware:         strings.TrimSpace(in.Hardware),
			GPUsPerContainer: int(in.GPUsPerContainer),
			Country:          strings.TrimSpace(in.Country),
			NodePoolID:       in.NodePoolID,
		})
		if err != nil {
			return failure(cfg.Hints, err), nil
		}
		out := replicasOutFrom(report, cfg)
		if out.GPUsPerContainer == 0 {
			out.GPUsPerContainer = int(in.GPUsPerContainer)
		}
		return structured(out, renderReplicas(out, in)), nil
	}
	return toolSpec{
		tool:    tool,
		handler: handler,
		hints: map[string]string{
			"hardware":           `a hardware id or name as a string, e.g. "7" or "A100 80GB SXM" (list_hardware shows them), or leave it out`,
			"gpus_per_container": fmt.Sprintf("a whole number from 1 to %d, or leave it out for 1", iocloud.MaxGPUsPerContainer),
			"country":            `a two-letter country code such as "US" or a country name, or leave it out`,
			"node_pool_id":       `a node pool UUID such as "3fa85f64-5717-4562-b3fc-2c963f66afa6", or leave it out`,
		},
	}
}

func replicasOutFrom(r *iocloud.ReplicaReport, cfg Config) replicasOut {
	out := replicasOut{
		GPUsPerContainer:       r.GPUsPerContainer,
		Hardware:               make([]replicasEntry, 0, len(r.Hardware)),
		TotalAvailableReplicas: r.TotalAvailableReplicas,
		FetchedAt:              orNow(r.FetchedAt, cfg.Now),
		Sandbox:                cfg.Sandbox,
	}
	for _, hr := range r.Hardware {
		e := replicasEntry{
			ID:                     hr.Hardware.ID,
			Name:                   hr.Hardware.Name,
			Brand:                  hr.Hardware.Brand,
			Locations:              append(make([]iocloud.Location, 0, len(hr.Locations)), hr.Locations...),
			TotalAvailableReplicas: hr.TotalAvailableReplicas,
		}
		out.Hardware = append(out.Hardware, e)
	}
	return out
}

func renderReplicas(out replicasOut, in replicasIn) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Containers with %s (%s, fetched %s): %s in total",
		plural(out.GPUsPerContainer, "GPU", "GPUs"), dataSource(out.Sandbox), stamp(out.FetchedAt),
		plural(out.TotalAvailableReplicas, "replica", "replicas"))
	if in.Country != "" {
		fmt.Fprintf(&b, " in %q", in.Country)
	}
	b.WriteString(".\n")
	if len(out.Hardware) == 0 {
		b.WriteString("No location has room for a container of this size right now. " +
			"Try fewer GPUs per container, another GPU type or no country filter.")
		return b.String()
	}
	for _, h := range out.Hardware {
		fmt.Fprintf(&b, "- %s (id %d): %d", h.Name, h.ID, h.TotalAvailableReplicas)
		if len(h.Locations) == 0 {
			b.WriteString(", no location has room\n")
			continue
		}
		parts := make([]string, 0, len(h.Locations))
		for _, l := range h.Locations {
			parts = append(parts, fmt.Sprintf("%s (%s) %d", l.Name, l.ISO2, l.AvailableReplicas))
		}
		b.WriteString(" — " + strings.Join(parts, ", ") + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}
