package slackbot_test

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/iocloud-chatops/iocloud/config"
	"github.com/iocloud-chatops/iocloud/iocloud"
	"github.com/iocloud-chatops/iocloud/iocloud/sandbox"
	"github.com/iocloud-chatops/iocloud/slackbot"
	"github.com/slack-go/slack"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestKeysListsWithoutSecrets(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, d := range []string{"ci <!channel> <@U999|boss>", "deploy"} {
		_, err := e.client.CreateAPIKey(t.Context(), iocloud.KeyRequest{Description: d, ExpiresAt: time.Now().Add(72 * time.Hour), Project: "io-cloud", Scopes: []string{"read"}})
		require.NoError(t, err)
	}

	// Key creators only.
	r := e.command(t, alice.as(outsider), "keys", "/cmd/outsider")
	assert.Contains(t, r.raw, "You may not create io.net API keys")
	assert.Zero(t, e.sb.Requests(sandbox.RouteListKeys))

	r = e.command(t, alice, "keys --all", "/cmd/keys")
	require.Equal(t, http.StatusOK, r.status)
	assert.Contains(t, r.raw, "Working on it")
	p := e.hook.next(t, wait)
	assert.Equal(t, slack.ResponseTypeEphemeral, p.msg.ResponseType, "a key list is never posted in the channel")
	assert.Contains(t, p.raw, "io.net API keys: 2 active")
	for _, k := range e.sb.CreatedKeys() {
		assert.Contains(t, p.raw, k.KeyID)
		assert.NotContains(t, p.raw, k.Value, "no secret in the list")
	}
	assert.Contains(t, p.raw, "ci \\u0026lt;!channel\\u0026gt; \\u0026lt;@U999|boss\\u0026gt;", "user text is escaped")
	assert.NotContains(t, p.raw, "<!channel>")
	assert.NotContains(t, p.raw, "<@U999")
	assert.Contains(t, p.raw, "in 3 days")
	e.requireNoSecrets(t)
}

func TestKeysWithoutJWTSaysHowToGetOne(t *testing.T) {
	t.Parallel()
	sb, err := sandbox.Start()
	require.NoError(t, err)
	t.Cleanup(sb.Close)
	noJWT, err := iocloud.New(iocloud.WithBaseURL(sb.URL()), iocloud.WithAPIKey(iocloud.Secret(sb.APIKey())), iocloud.WithSandbox(true))
	require.NoError(t, err)
	bot, err := slackbot.New(slackbot.Config{Reader: noJWT, KeyCreators: []string{slackbot.ConsoleUser}, Logger: slog.New(slog.DiscardHandler), Hints: config.Hints()})
	require.NoError(t, err)
	var out strings.Builder
	require.NoError(t, bot.RunConsole(t.Context(), strings.NewReader("keys\n"), &out))
	assert.Contains(t, out.String(), "Listing API keys needs an io.net session token")
	assert.Contains(t, out.String(), "IOCLOUD_JWT")
	assert.Zero(t, sb.Requests(sandbox.RouteListKeys))
}

func TestPriceCommand(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := e.command(t, alice.as(outsider), "price h100 80gb hbm3 --hours 24 --gpus 8 --public", "/cmd/price")
	require.Equal(t, http.StatusOK, r.status)
	assert.Contains(t, r.raw, "Working on it")
	p := e.hook.next(t, wait)
	assert.Equal(t, slack.ResponseTypeInChannel, p.msg.ResponseType, "--public posts a read in the channel")
	ca, _, _ := sandbox.PriceFor(7, []int{12}, 8, 1, 24)
	de, _, _ := sandbox.PriceFor(7, []int{9}, 8, 1, 24)
	assert.Contains(t, p.raw, fmt.Sprintf("from %.2f USDC", ca.TotalCostUSDC))
	assert.Contains(t, p.raw, fmt.Sprintf("Cheapest: Canada (CA), %.2f USDC in all, %.2f USDC per hour", ca.TotalCostUSDC, ca.TotalCostUSDC/24))
	assert.Contains(t, p.raw, fmt.Sprintf("%.2f (2.5%%)", ca.IONetFee), "the fees are broken down")
	assert.Contains(t, p.raw, fmt.Sprintf("%.2f (1%%)", de.CurrencyConversionFee))
	assert.Less(t, strings.Index(p.raw, "Canada"), strings.Index(p.raw, "Germany"), "cheapest first")
	assert.NotContains(t, p.raw, "United States", "no room there for 8 GPUs")

	e.command(t, alice, "price tpu --hours 1", "/cmd/unknown")
	p = e.hook.next(t, wait)
	assert.Contains(t, p.raw, "Unknown hardware")
	assert.Contains(t, p.raw, "RTX 4090 24GB", "the valid names are listed")

	e.command(t, alice, "price 7 --hours 1 --gpus 8 --replicas 5 --country de", "/cmd/full")
	p = e.hook.next(t, wait)
	assert.Contains(t, p.raw, "No location in de has room for 5 replica(s) of H100 80GB HBM3 with 8 GPU(s) each right now; the most is 1 in Germany (DE)")

	r = e.command(t, alice, "price 7", "/cmd/usage")
	assert.Contains(t, r.raw, "price needs --hours")
}
