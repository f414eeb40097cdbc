package tools_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/iocloud-chatops/iocloud/iocloud"
	"github.com/iocloud-chatops/iocloud/iocloud/sandbox"
	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// withCacheTTL turns the client's cache on (newEnv turns it off) and makes
// subscriptions poll at the same interval, as cmd/iocloud-mcp wires them.
func withCacheTTL(d time.Duration) envOption {
	return func(o *envOptions) {
		o.clientOps = append(o.clientOps, iocloud.WithCacheTTL(d))
		o.cfg.PollInterval = d
	}
}

func readResource(t *testing.T, c *client.Client, uri string) (map[string]any, error) {
	t.Helper()
	var req mcp.ReadResourceRequest
	req.Params.URI = uri
	res, err := c.ReadResource(context.Background(), req)
	if err != nil {
		return nil, err
	}
	require.Len(t, res.Contents, 1)
	text, ok := res.Contents[0].(mcp.TextResourceContents)
	require.Truef(t, ok, "%T", res.Contents[0])
	assert.Equal(t, uri, text.URI)
	assert.Equal(t, "application/json", text.MIMEType)
	var doc map[string]any
	require.NoError(t, json.Unmarshal([]byte(text.Text), &doc), text.Text)
	return doc, nil
}

func TestResourcesAreTheReadToolsDocuments(t *testing.T) {
	t.Parallel()
	for _, era := range []string{mcp.LATEST_PROTOCOL_VERSION, mcp.ProtocolVersion20250618} {
		t.Run(era, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			c := connect(t, e.srv, client.WithProtocolVersion(era))
			ctx := context.Background()

			list, err := c.ListResources(ctx, mcp.ListResourcesRequest{})
			require.NoError(t, err)
			require.Len(t, list.Resources, 1)
			assert.Equal(t, "iocloud://hardware", list.Resources[0].URI)
			assert.NotEmpty(t, list.Resources[0].Description)
			templates, err := c.ListResourceTemplates(ctx, mcp.ListResourceTemplatesRequest{})
			require.NoError(t, err)
			require.Len(t, templates.ResourceTemplates, 1)
			assert.Equal(t, "iocloud://replicas/{hardware}", templates.ResourceTemplates[0].URITemplate.Raw())

			hw, err := readResource(t, c, "iocloud://hardware")
			require.NoError(t, err)
			tool := structuredOf(t, call(t, c, "list_hardware", nil))
			assert.Equal(t, tool["hardware"], hw["hardware"], "the resource is list_hardware's document")
			assert.Equal(t, true, hw["sandbox"])

			// By id and by percent-encoded name: the same type.
			byID, err := readResource(t, c, "iocloud://replicas/203")
			require.NoError(t, err)
			byName, err := readResource(t, c, "iocloud://replicas/H200%20141GB%20HBM3e")
			require.NoError(t, err)
			assert.Equal(t, byID["hardware"], byName["hardware"])
			entry := byID["hardware"].([]any)[0].(map[string]any)
			assert.Equal(t, "H200 141GB HBM3e", entry["name"])
			assert.InDelta(t, 17, byID["total_available_replicas"], 0, "1-GPU containers: 8+6 in the US, 3 in Canada")
			assert.InDelta(t, 1, byID["gpus_per_container"], 0)
		})
	}
}

func TestResourceErrorsSayWhatToSend(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := connect(t, e.srv, client.WithProtocolVersion(mcp.ProtocolVersion20250618))

	_, err := readResource(t, c, "iocloud://replicas/H999")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `Unknown hardware "H999"`)
	assert.Contains(t, err.Error(), "H200 141GB HBM3e", "lists the valid names")

	_, err = readResource(t, c, "iocloud://elsewhere")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "not found")

	e.sb.SetFault(sandbox.RouteHardware, sandbox.Fault{Status: 401})
	_, err = readResource(t, c, "iocloud://hardware")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "IOCLOUD_API_KEY", "io.net failures carry the core's advice")
	assert.NotContains(t, err.Error(), e.sb.APIKey())
}

// sdkSession serves srv over streamable HTTP on loopback and connects the
// official go-sdk client to it in the given protocol era; resource updates
// go to updates.
func sdkSession(t *testing.T, srv *server.MCPServer, era string, updates chan<- string) *sdk.ClientSession {
	t.Helper()
	streamable := server.NewStreamableHTTPServer(srv)
	ts := httptest.NewServer(streamable)
	t.Cleanup(ts.Close)
	c := sdk.NewClient(&sdk.Implementation{Name: "go-sdk-test", Version: "1"}, &sdk.ClientOptions{
		ResourceUpdatedHandler: func(_ context.Context, req *sdk.ResourceUpdatedNotificationRequest) {
			updates <- req.Params.URI
		},
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cs, err := c.Connect(ctx, &sdk.StreamableClientTransport{Endpoint: ts.URL + "/mcp"}, &sdk.ClientSessionOptions{ProtocolVersion: era})
	require.NoError(t, err)
	t.Cleanup(func() { _ = cs.Close() })
	return cs
}

func subscribe(t *testing.T, cs *sdk.ClientSession, uri string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, cs.Subscribe(ctx, &sdk.SubscribeParams{URI: uri}))
}

func unsubscribe(t *testing.T, cs *sdk.ClientSession, uri string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, cs.Unsubscribe(ctx, &sdk.UnsubscribeParams{URI: uri}))
}

// Subscribers hear of a change in io.net's data within one cache TTL, only
// for the resources whose data changed, and only once: a fresh fetch of
// the same data is not a change. Both ways of subscribing: resources/subscribe
// (2025-11-25) and a subscriptions/listen stream (2026-07-28).
func TestSubscriptionNotifiesWithinOneTTL(t *testing.T) {
	t.Parallel()
	const ttl = time.Second
	const slack = 600 * time.Millisecond // scheduling, the race detector and two shared cores
	for _, era := range []string{"2025-11-25", "2026-07-28"} {
		t.Run(era, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, withCacheTTL(ttl))
			updates := make(chan string, 16)
			cs := sdkSession(t, e.srv, era, updates)
			subscribe(t, cs, "iocloud://hardware")
			subscribe(t, cs, "iocloud://replicas/7")

			// More free H200 GPUs in the United States: the hardware list
			// changes, where H100 80GB HBM3 (id 7) fits does not.
			changed := time.Now()
			require.NoError(t, e.sb.SetFreeGPUs(203, 4, 8, 8, 8))
			select {
			case uri := <-updates:
				assert.Equal(t, "iocloud://hardware", uri)
				assert.LessOrEqual(t, time.Since(changed), ttl+slack, "notified within one cache TTL")
			case <-time.After(ttl + slack):
				t.Fatalf("no notifications/resources/updated within %s of the change", ttl+slack)
			}
			select {
			case uri := <-updates:
				t.Fatalf("unexpected second notification for %s: the data did not change again", uri)
			case <-time.After(ttl + ttl/2):
			}

			// H100 80GB HBM3 changes: both documents show it.
			require.NoError(t, e.sb.SetFreeGPUs(7, 12, 8, 8, 8))
			var got []string
			for len(got) < 2 {
				select {
				case uri := <-updates:
					got = append(got, uri)
				case <-time.After(ttl + slack):
					t.Fatalf("got %v, want both resources notified", got)
				}
			}
			assert.ElementsMatch(t, []string{"iocloud://hardware", "iocloud://replicas/7"}, got)
		})
	}
}

// upstreamReads counts the requests io.net (the sandbox) got on both read
// routes.
func upstreamReads(sb *sandbox.Server) int {
	return sb.Requests(sandbox.RouteHardware) + sb.Requests(sandbox.RouteReplicas)
}

// While anyone is subscribed, io.net is polled at most once per cache TTL;
// when the last subscriber leaves (unsubscribe, end of session, end of a
// listen stream) polling stops.
func TestSubscriptionPollingStopsWithTheLastSubscriber(t *testing.T) {
	t.Parallel()
	const ttl = 200 * time.Millisecond
	e := newEnv(t, withCacheTTL(ttl))
	discard := make(chan string, 64)
	a := sdkSession(t, e.srv, "2025-11-25", discard)
	b := sdkSession(t, e.srv, "2025-11-25", discard)
	listener := sdkSession(t, e.srv, "2026-07-28", discard)
	const uri = "iocloud://hardware" // one hardware read per poll

	quiet := func(what string) {
		t.Helper()
		before := e.sb.Requests(sandbox.RouteHardware)
		time.Sleep(5 * ttl)
		assert.Equalf(t, before, e.sb.Requests(sandbox.RouteHardware), "%s: io.net must not be polled", what)
	}
	polled := func(what string) {
		t.Helper()
		before := e.sb.Requests(sandbox.RouteHardware)
		window := 10 * ttl
		time.Sleep(window)
		n := e.sb.Requests(sandbox.RouteHardware) - before
		assert.GreaterOrEqualf(t, n, 3, "%s: polling", what)
		assert.LessOrEqualf(t, n, int(window/ttl)+1, "%s: at most once per cache TTL", what)
	}

	quiet("before anyone subscribes")
	subscribe(t, a, uri)
	subscribe(t, b, uri)
	subscribe(t, listener, uri)
	polled("three subscribers")

	unsubscribe(t, a, uri)
	unsubscribe(t, listener, uri) // ends the listen stream
	polled("one subscriber left")

	require.NoError(t, b.Close()) // DELETE ends the session and its subscriptions
	time.Sleep(2 * ttl)           // a poll already under way may finish
	quiet("after the last subscriber left")

	before := upstreamReads(e.sb)
	subscribe(t, a, "iocloud://elsewhere")
	quiet("a subscription to a resource this server does not serve")
	assert.Equal(t, before, upstreamReads(e.sb))
}
