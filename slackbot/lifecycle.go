package slackbot

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/iocloud-chatops/iocloud/iocloud"
)

// Caps that keep the key and price replies inside Slack's limits.
const (
	maxKeyRows   = 30
	maxPriceRows = 10
)

// listKeys answers /iocloud keys: key creators only (a key list is as
// sensitive as the right to make keys), always ephemeral, never a secret.
func (b *Bot) listKeys(ctx context.Context, who requester, c *KeysCommand, r responder) *message {
	if err := b.access.creator(who); err != nil {
		b.log.InfoContext(ctx, "slack keys refused", "team", who.Team, "user", who.User, "reason", "not a key creator")
		return b.finish(textMessage("Not allowed", err.Error()))
	}
	return b.read(ctx, r, "Asking io.net for the API keys.", "Could not list the API keys", func(ctx context.Context) (*message, error) {
		list, err := b.reader.ListAPIKeys(ctx)
		if err != nil {
			return nil, err
		}
		return keysMessage(list, c.All, b.now()), nil
	})
}

// keysMessage lists keys newest first, expired ones only with all.
func keysMessage(list *iocloud.KeyList, all bool, now time.Time) *message {
	keys := slices.Clone(list.Keys)
	slices.SortStableFunc(keys, func(a, b iocloud.APIKey) int { return b.CreatedAt.Compare(a.CreatedAt) })
	active, expired := 0, 0
	t := table{header: []string{"Description", "Shown as", "Scopes", "Expires", "Key ID"}}
	shown := 0
	for _, k := range keys {
		if k.IsExpired {
			expired++
			if !all {
				continue
			}
		} else {
			active++
		}
		if shown == maxKeyRows {
			t.more = "…and more keys than fit here; revoke what you no longer need."
			continue
		}
		shown++
		exp := k.ExpiresAt.UTC().Format(time.DateOnly)
		if k.IsExpired {
			exp += " (expired)"
		} else if d := k.ExpiresAt.Sub(now); d > 0 {
			exp += " (in " + humanDuration(d) + ")"
		}
		t.rows = append(t.rows, []string{k.Description, k.Display, strings.Join(k.Scopes, ","), exp, k.KeyID})
	}
	m := &message{title: fmt.Sprintf("io.net API keys: %d active", active)}
	switch {
	case expired > 0 && all:
		m.title += fmt.Sprintf(", %d expired", expired)
	case expired > 0:
		m.notes = append(m.notes, fmt.Sprintf("%d expired %s not shown; /iocloud keys --all shows them.", expired, pluralWord(expired, "key", "keys")))
	}
	if shown == 0 {
		m.lines = []string{"No keys to show. `/iocloud create-key` makes one."}
	} else {
		m.tables = []titledTable{{table: t}}
	}
	m.notes = append(m.notes, "Secrets are never shown here: io.net keeps only the masked form.", fetched(list.FetchedAt))
	return m
}

// priceMessage shows the quotes, cheapest first, with the fees.
func priceMessage(rep *iocloud.PriceReport, s iocloud.PriceSearch, public bool) *message {
	m := &message{public: public, notes: []string{"Amounts in USDC as io.net quotes them; nothing was deployed.", fetched(rep.FetchedAt)}}
	what := fmt.Sprintf("%s: %d container%s × %d GPU%s for %d hour%s",
		rep.Hardware.Name, rep.Replicas, plural(rep.Replicas), rep.GPUsPerContainer, plural(rep.GPUsPerContainer), rep.Hours, plural(rep.Hours))
	if len(rep.Locations) == 0 {
		m.title = what
		m.lines = []string{"io.net priced no location. Try another country or fewer replicas."}
		return m
	}
	cheapest := rep.Locations[0]
	m.title = fmt.Sprintf("%s, from %s USDC", what, money(cheapest.Quote.TotalCostUSDC))
	m.lines = []string{fmt.Sprintf("Cheapest: %s (%s), %s USDC in all, %s USDC per hour.",
		cheapest.Location.Name, cheapest.Location.ISO2, money(cheapest.Quote.TotalCostUSDC), money(cheapest.CostPerHour(rep.Hours)))}
	t := table{
		header:  []string{"Country", "Location", "Room", "Total", "Per hour", "io.net fee", "Conversion fee", "Discount"},
		numeric: []bool{false, false, true, true, true, true, true, true},
	}
	for i, lp := range rep.Locations {
		if i == maxPriceRows {
			t.more = fmt.Sprintf("…and %d more locations", len(rep.Locations)-i)
			break
		}
		q := lp.Quote
		t.rows = append(t.rows, []string{
			lp.Location.ISO2, lp.Location.Name, strconv.Itoa(lp.Location.AvailableReplicas),
			money(q.TotalCostUSDC), money(lp.CostPerHour(rep.Hours)),
			fmt.Sprintf("%s (%s%%)", money(q.IONetFee), percent(q.IONetFeePercent)),
			fmt.Sprintf("%s (%s%%)", money(q.CurrencyConversionFee), percent(q.CurrencyConversionFeePercent)),
			money(q.Discount),
		})
	}
	heading := "Where all the containers fit, cheapest first"
	if s.Country != "" {
		heading += " (in " + s.Country + ")"
	}
	m.tables = []titledTable{{heading: heading, table: t}}
	return m
}

func money(x float64) string { return strconv.FormatFloat(x, 'f', 2, 64) }

func percent(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

func pluralWord(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
