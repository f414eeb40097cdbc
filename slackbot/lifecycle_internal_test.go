package slackbot

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/iocloud-chatops/iocloud/iocloud"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestKeysMessage(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 5, 12, 0, 0, 0, time.UTC)
	list := &iocloud.KeyList{FetchedAt: now, Keys: []iocloud.APIKey{
		{KeyID: "old-id", Display: "io-v2-aaaa...1111", Description: "old", Scopes: []string{"all"},
			CreatedAt: now.Add(-90 * 24 * time.Hour), ExpiresAt: now.Add(-24 * time.Hour), IsExpired: true},
		{KeyID: "new-id", Display: "io-v2-bbbb...2222", Description: "ping <!here> & <https://e.x|go>", Scopes: []string{"read", "write"},
			CreatedAt: now.Add(-time.Hour), ExpiresAt: now.Add(30 * 24 * time.Hour)},
	}}

	m := keysMessage(list, false, now)
	assert.Equal(t, "io.net API keys: 1 active", m.title)
	plain := m.plain()
	assert.Contains(t, plain, "ping <!here> & <https://e.x|go>", "the console shows the text as typed")
	assert.NotContains(t, plain, "old-id", "expired keys are left out")
	assert.Contains(t, plain, "1 expired key not shown; /iocloud keys --all shows them.")
	assert.Contains(t, plain, "2026-12-05 (in 30 days)")
	assert.False(t, m.public)
	raw, err := json.Marshal(m.webhook())
	require.NoError(t, err)
	assert.NotContains(t, string(raw), "<!here>")
	assert.NotContains(t, string(raw), "<https://e.x")
	assert.Contains(t, string(raw), `ping \u0026lt;!here\u0026gt; \u0026amp; \u0026lt;https://e.x|go\u0026gt;`)

	m = keysMessage(list, true, now)
	assert.Equal(t, "io.net API keys: 1 active, 1 expired", m.title)
	plain = m.plain()
	assert.Less(t, strings.Index(plain, "new-id"), strings.Index(plain, "old-id"), "newest first")
	assert.Contains(t, plain, "2026-11-04 (expired)")

	empty := keysMessage(&iocloud.KeyList{}, false, now)
	assert.Contains(t, empty.plain(), "No keys to show")
}

func TestLifecycleAnswersStayWithinSlackLimits(t *testing.T) {
	t.Parallel()
	now := time.Now()
	long := strings.Repeat("Ü&<>", 30)
	list := &iocloud.KeyList{FetchedAt: now}
	for i := range 500 {
		list.Keys = append(list.Keys, iocloud.APIKey{KeyID: fmt.Sprintf("%08d-1111-4222-8333-944455556666", i), Display: "io-v2-x...y",
			Description: long, Scopes: []string{"all", "read", "write"}, CreatedAt: now, ExpiresAt: now.Add(time.Hour)})
	}
	m := keysMessage(list, true, now)
	requireWithinSlackLimits(t, m.webhook())
	assert.Contains(t, m.plain(), "more keys than fit here")

	rep := &iocloud.PriceReport{Hardware: iocloud.Hardware{ID: 7, Name: long}, GPUsPerContainer: 8, Replicas: 1, Hours: 24, FetchedAt: now}
	for i := range 40 {
		rep.Locations = append(rep.Locations, iocloud.LocationPrice{
			Location: iocloud.Location{ID: i, ISO2: "DE", Name: long, AvailableReplicas: i},
			Quote:    iocloud.Quote{TotalCostUSDC: 1234567.891, IONetFee: 1, IONetFeePercent: 2.5},
		})
	}
	pm := priceMessage(rep, iocloud.PriceSearch{Country: long}, true)
	requireWithinSlackLimits(t, pm.webhook())
	assert.True(t, pm.public)
	assert.Contains(t, pm.plain(), "…and 30 more locations")
	assert.Contains(t, pm.plain(), "1234567.89")
}
