package tools

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/iocloud-chatops/iocloud/iocloud"
	"github.com/mark3labs/mcp-go/mcp"
)

const quoteTool = "quote_price"

type quoteIn struct {
	Hardware         string      `json:"hardware"`
	Hours            wholeNumber `json:"hours"`
	GPUsPerContainer wholeNumber `json:"gpus_per_container"`
	Replicas         wholeNumber `json:"replicas"`
	Country          string      `json:"country"`
}

// quoteOut is quote_price's structuredContent (quoteOutputSchema). The
// top-level cost and fees are those of the cheapest location, the first of
// locations.
type quoteOut struct {
	Hardware         quoteHardware   `json:"hardware"`
	GPUsPerContainer int             `json:"gpus_per_container"`
	Replicas         int             `json:"replicas"`
	Hours            int             `json:"hours"`
	Locations        []quoteLocation `json:"locations"`
	TotalCostUSDC    float64         `json:"total_cost_usdc"`
	CostPerHourUSDC  float64         `json:"cost_per_hour_usdc"`
	Fees             quoteFees       `json:"fees"`
	FetchedAt        time.Time       `json:"fetched_at"`
	Sandbox          bool            `json:"sandbox"`
}

type quoteHardware struct {
	ID    int    `json:"id"`
	Name  string `json:"name"`
	Brand string `json:"brand"`
}

type quoteLocation struct {
	iocloud.Location
	TotalCostUSDC   float64   `json:"total_cost_usdc"`
	CostPerHourUSDC float64   `json:"cost_per_hour_usdc"`
	Fees            quoteFees `json:"fees"`
}

type quoteFees struct {
	Discount                     float64 `json:"discount"`
	IONetFee                     float64 `json:"ionet_fee"`
	IONetFeePercent              float64 `json:"ionet_fee_percent"`
	CurrencyConversionFee        float64 `json:"currency_conversion_fee"`
	CurrencyConversionFeePercent float64 `json:"currency_conversion_fee_percent"`
}

func quotePrice(cfg Config) toolSpec {
	tool := mcp.NewTool(quoteTool,
		mcp.WithToolTitle("Quote a GPU container price"),
		mcp.WithDescription("Ask io.net what containers of one GPU type would cost for a number of hours. "+
			"Without a country, every location with room for all the replicas is priced; locations come cheapest first, "+
			"each with its total, its cost per hour and the fees (io.net fee, currency conversion fee, discount). "+
			"The top-level total and fees are the cheapest location's. Amounts are USDC. Nothing is deployed."),
		mcp.WithString("hardware",
			mcp.Required(),
			mcp.Description(`Hardware id (e.g. "7") or name (e.g. "H100 80GB HBM3"), case-insensitive, from list_hardware.`),
			mcp.MinLength(1), mcp.MaxLength(100)),
		mcp.WithInteger("hours",
			mcp.Required(),
			mcp.Description(fmt.Sprintf("How long the containers would run, in whole hours (1 to %d).", iocloud.MaxDurationHours)),
			mcp.Min(1), mcp.Max(iocloud.MaxDurationHours)),
		mcp.WithInteger("gpus_per_container",
			mcp.Description(fmt.Sprintf("GPUs in each container, 1 to %d (default 1).", iocloud.MaxGPUsPerContainer)),
			mcp.Min(1), mcp.Max(iocloud.MaxGPUsPerContainer), mcp.DefaultNumber(1)),
		mcp.WithInteger("replicas",
			mcp.Description("How many containers (default 1)."),
			mcp.Min(1), mcp.Max(10000), mcp.DefaultNumber(1)),
		mcp.WithString("country",
			mcp.Description(`Only price locations in this country: ISO 3166 two-letter code (e.g. "DE") or name, case-insensitive.`),
			mcp.MinLength(2), mcp.MaxLength(60)),
		mcp.WithReadOnlyHintAnnotation(true),
		mcp.WithDestructiveHintAnnotation(false),
		mcp.WithIdempotentHintAnnotation(true),
		mcp.WithOpenWorldHintAnnotation(true),
		mcp.WithRawOutputSchema(quoteOutputSchema),
	)
	handler := func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		var in quoteIn
		if err := req.BindArguments(&in); err != nil {
			return failuref("The arguments could not be read: send hardware (text) and hours (whole number), and optionally gpus_per_container, replicas (whole numbers) and country (text)."), nil
		}
		rep, err := cfg.Catalog.QuotePrices(ctx, iocloud.PriceSearch{
			Hardware:         strings.TrimSpace(in.Hardware),
			Hours:            int(in.Hours),
			GPUsPerContainer: int(in.GPUsPerContainer),
			Replicas:         int(in.Replicas),
			Country:          strings.TrimSpace(in.Country),
		})
		if err != nil {
			return failure(cfg.Hints, err), nil
		}
		if len(rep.Locations) == 0 { // the core reports "no room" as an error; never answer an empty quote
			return failuref("io.net priced no location; try another country or fewer replicas."), nil
		}
		out := quoteOutFrom(rep, cfg)
		return structured(out, renderQuote(out, in.Country)), nil
	}
	return toolSpec{
		tool:    tool,
		handler: handler,
		hints: map[string]string{
			"hardware":           `a hardware id or name as a string, e.g. "7" or "H100 80GB HBM3" (list_hardware shows them)`,
			"hours":              fmt.Sprintf("a whole number of hours from 1 to %d", iocloud.MaxDurationHours),
			"gpus_per_container": fmt.Sprintf("a whole number from 1 to %d, or leave it out for 1", iocloud.MaxGPUsPerContainer),
			"replicas":           "a whole number of containers (at least 1), or leave it out for 1",
			"country":            `a two-letter country code such as "DE" or a country name, or leave it out`,
		},
	}
}

func quoteOutFrom(rep *iocloud.PriceReport, cfg Config) quoteOut {
	out := quoteOut{
		Hardware:         quoteHardware{ID: rep.Hardware.ID, Name: rep.Hardware.Name, Brand: rep.Hardware.Brand},
		GPUsPerContainer: rep.GPUsPerContainer,
		Replicas:         rep.Replicas,
		Hours:            rep.Hours,
		Locations:        make([]quoteLocation, 0, len(rep.Locations)),
		FetchedAt:        orNow(rep.FetchedAt, cfg.Now),
		Sandbox:          cfg.Sandbox,
	}
	for _, lp := range rep.Locations {
		q := lp.Quote
		out.Locations = append(out.Locations, quoteLocation{
			Location:        lp.Location,
			TotalCostUSDC:   q.TotalCostUSDC,
			CostPerHourUSDC: roundCents(lp.CostPerHour(rep.Hours)),
			Fees: quoteFees{
				Discount: q.Discount, IONetFee: q.IONetFee, IONetFeePercent: q.IONetFeePercent,
				CurrencyConversionFee: q.CurrencyConversionFee, CurrencyConversionFeePercent: q.CurrencyConversionFeePercent,
			},
		})
	}
	cheapest := out.Locations[0]
	out.TotalCostUSDC, out.CostPerHourUSDC, out.Fees = cheapest.TotalCostUSDC, cheapest.CostPerHourUSDC, cheapest.Fees
	return out
}

// roundCents keeps a derived amount (cost per hour) to the cent, like io.net's own amounts.
func roundCents(x float64) float64 { return math.Round(x*100) / 100 }

func renderQuote(out quoteOut, country string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s × %s of %s for %s (%s, fetched %s)",
		plural(out.Replicas, "container", "containers"), plural(out.GPUsPerContainer, "GPU", "GPUs"), out.Hardware.Name,
		plural(out.Hours, "hour", "hours"), dataSource(out.Sandbox), stamp(out.FetchedAt))
	if country != "" {
		fmt.Fprintf(&b, " in %q", country)
	}
	fmt.Fprintf(&b, ": cheapest %.2f USDC (%.2f USDC per hour) in %s.\n", out.TotalCostUSDC, out.CostPerHourUSDC, out.Locations[0].Name)
	for _, l := range out.Locations {
		f := l.Fees
		fmt.Fprintf(&b, "- %s (%s, room for %d): %.2f USDC, %.2f/h; io.net fee %.2f (%g%%), conversion fee %.2f (%g%%), discount %.2f\n",
			l.Name, l.ISO2, l.AvailableReplicas, l.TotalCostUSDC, l.CostPerHourUSDC,
			f.IONetFee, f.IONetFeePercent, f.CurrencyConversionFee, f.CurrencyConversionFeePercent, f.Discount)
	}
	return strings.TrimRight(b.String(), "\n")
}
