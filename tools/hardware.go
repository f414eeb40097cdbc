package tools

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/iocloud-chatops/iocloud/iocloud"
	"github.com/mark3labs/mcp-go/mcp"
)

const hardwareTool = "list_hardware"

// hardwareOut is list_hardware's structuredContent (hardwareOutputSchema).
type hardwareOut struct {
	Hardware  []iocloud.Hardware `json:"hardware"`
	FetchedAt time.Time          `json:"fetched_at"`
	Sandbox   bool               `json:"sandbox"`
}

func listHardware(cfg Config) toolSpec {
	tool := mcp.NewTool(hardwareTool,
		mcp.WithToolTitle("List GPU hardware"),
		mcp.WithDescription("List the GPU types io.net offers for containers: id, name, brand, "+
			"the most GPUs one container can have, and how many GPUs of the type are free now. "+
			"Use an id or name from here with list_available_replicas."),
		mcp.WithReadOnlyHintAnnotation(true),
		mcp.WithDestructiveHintAnnotation(false),
		mcp.WithIdempotentHintAnnotation(true),
		mcp.WithOpenWorldHintAnnotation(true),
		mcp.WithRawOutputSchema(hardwareOutputSchema),
	)
	handler := func(ctx context.Context, _ mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		list, err := cfg.Catalog.Hardware(ctx)
		if err != nil {
			return failure(cfg.Hints, err), nil
		}
		out := hardwareOutFrom(list, cfg)
		return structured(out, renderHardware(out)), nil
	}
	return toolSpec{tool: tool, handler: handler}
}

func hardwareOutFrom(list *iocloud.HardwareList, cfg Config) hardwareOut {
	out := hardwareOut{
		Hardware:  make([]iocloud.Hardware, 0, len(list.Hardware)),
		FetchedAt: orNow(list.FetchedAt, cfg.Now),
		Sandbox:   cfg.Sandbox,
	}
	// The core's Hardware already marshals to the documented item shape;
	// the output schema and the snapshot tests pin it.
	out.Hardware = append(out.Hardware, list.Hardware...)
	return out
}

func renderHardware(out hardwareOut) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s, fetched %s):\n",
		plural(len(out.Hardware), "GPU type", "GPU types"), dataSource(out.Sandbox), stamp(out.FetchedAt))
	for _, h := range out.Hardware {
		fmt.Fprintf(&b, "- %s (id %d, %s): %d free GPUs, up to %d per container\n",
			h.Name, h.ID, h.Brand, h.AvailableGPUs, h.MaxGPUsPerContainer)
	}
	return strings.TrimRight(b.String(), "\n")
}
