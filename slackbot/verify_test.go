package slackbot_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/iocloud-chatops/iocloud/iocloud/sandbox"
	"github.com/iocloud-chatops/iocloud/slackbot"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Slack's worked example (verifying-requests-from-slack). slack-go cannot
// check it end to end, since its timestamp is years outside the 5-minute
// window, so this is the bare HMAC our test signer uses.
func TestSlackGoldenSignature(t *testing.T) {
	t.Parallel()
	body := fixture(t, "signature_example.form")
	got := sign("8f742231b10e8888abcd99yyyzzz85a5", "1531420618", body)
	assert.Equal(t, "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503", got)
}

func TestSignedCommandIsHandled(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := e.command(t, alice, "hardware", "/commands/1")
	require.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, "ephemeral", r.msg.ResponseType)
	assert.Contains(t, r.raw, "Working on it")

	p := e.hook.next(t, 10*time.Second)
	assert.Equal(t, "/commands/1", p.path)
	assert.Contains(t, p.raw, "H100 80GB HBM3")
	assert.Contains(t, p.raw, "Sandbox data")
	assert.Equal(t, 1, e.sb.Requests(sandbox.RouteHardware))
}

// Every forged, replayed or damaged request is an opaque 401 (413 for a
// body over 1 MiB), and io.net is never asked.
func TestUnverifiedRequestsAreRejected(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	good := func() string { return slashBody(t, alice, "hardware", e.hook.url("/forged")) }
	now := time.Now()
	cases := []struct {
		name   string
		req    func() *http.Request
		status int
	}{
		{"wrong secret", func() *http.Request {
			return signedRequest(t, e.srv.URL, slackbot.PathCommands, good(), now, "not-the-signing-secret")
		}, http.StatusUnauthorized},
		{"timestamp 6 minutes old", func() *http.Request {
			return signedRequest(t, e.srv.URL, slackbot.PathCommands, good(), now.Add(-6*time.Minute), signingSecret)
		}, http.StatusUnauthorized},
		{"timestamp 6 minutes ahead", func() *http.Request {
			return signedRequest(t, e.srv.URL, slackbot.PathCommands, good(), now.Add(6*time.Minute), signingSecret)
		}, http.StatusUnauthorized},
		{"no signature header", func() *http.Request {
			r := signedRequest(t, e.srv.URL, slackbot.PathCommands, good(), now, signingSecret)
			r.Header.Del("X-Slack-Signature")
			return r
		}, http.StatusUnauthorized},
		{"no timestamp header", func() *http.Request {
			r := signedRequest(t, e.srv.URL, slackbot.PathCommands, good(), now, signingSecret)
			r.Header.Del("X-Slack-Request-Timestamp")
			return r
		}, http.StatusUnauthorized},
		{"signature not hex", func() *http.Request {
			r := signedRequest(t, e.srv.URL, slackbot.PathCommands, good(), now, signingSecret)
			r.Header.Set("X-Slack-Signature", "v0=zz")
			return r
		}, http.StatusUnauthorized},
		{"tampered body", func() *http.Request {
			r := signedRequest(t, e.srv.URL, slackbot.PathCommands, good(), now, signingSecret)
			r.Body = http.NoBody
			tampered := strings.Replace(good(), "text=hardware", "text=replicas", 1)
			return withBody(t, r, tampered)
		}, http.StatusUnauthorized},
		{"tampered click", func() *http.Request {
			body := clickBody(t, alice, "iocloud_create_key_confirm", "token", e.hook.url("/forged"))
			r := signedRequest(t, e.srv.URL, slackbot.PathInteractions, body, now, signingSecret)
			return withBody(t, r, strings.Replace(body, requestor, outsider, 1))
		}, http.StatusUnauthorized},
		{"body over 1 MiB", func() *http.Request {
			body := good() + "&pad=" + strings.Repeat("a", slackbot.MaxBodyBytes)
			return signedRequest(t, e.srv.URL, slackbot.PathCommands, body, now, signingSecret)
		}, http.StatusRequestEntityTooLarge},
	}
	for _, c := range cases {
		r := do(t, c.req())
		assert.Equal(t, c.status, r.status, c.name)
		assert.NotContains(t, r.raw, "signature", "%s: the refusal explains nothing", c.name)
	}
	e.hook.quiet(t, 300*time.Millisecond)
	assert.Zero(t, e.sb.Requests(sandbox.RouteHardware), "io.net was never asked")
	assert.Zero(t, e.sb.Requests(sandbox.RouteReplicas))
	assert.Empty(t, e.sb.CreatedKeys())
	e.requireNoSecrets(t)
}

func withBody(t *testing.T, r *http.Request, body string) *http.Request {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), r.Method, r.URL.String(), strings.NewReader(body))
	require.NoError(t, err)
	req.Header = r.Header.Clone()
	req.Header.Set("Content-Length", strconv.Itoa(len(body)))
	return req
}

func TestHealthzNeedsNoSignature(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, e.srv.URL+slackbot.PathHealth, nil)
	require.NoError(t, err)
	r := do(t, req)
	assert.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, "ok\n", r.raw)

	get, err := http.NewRequestWithContext(t.Context(), http.MethodGet, e.srv.URL+slackbot.PathCommands, nil)
	require.NoError(t, err)
	assert.Equal(t, http.StatusMethodNotAllowed, do(t, get).status)
}
