package slackbot_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/iocloud-chatops/iocloud/iocloud/sandbox"
	"github.com/iocloud-chatops/iocloud/slackbot"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// stuckHook is a response_url that holds every post until released (or
// until its own bound), counting the posts it is holding.
type stuckHook struct {
	srv     *httptest.Server
	release chan struct{}
	held    atomic.Int64
	done    atomic.Int64
}

func newStuckHook(t *testing.T, bound time.Duration) *stuckHook {
	t.Helper()
	h := &stuckHook{release: make(chan struct{})}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.held.Add(1)
		select {
		case <-h.release:
		case <-time.After(bound):
		case <-r.Context().Done():
		}
		h.done.Add(1)
	}))
	t.Cleanup(h.srv.Close)
	return h
}

// While io.net answers at once, no command is told "busy", however slow
// response_url is: a job's place is held while io.net is asked, and the
// answer waits for Slack in the delivery queue. Before, each stuck
// delivery held a place, so the third command here was refused.
func TestNoBusyWhileIONetIsFastAndResponseURLIsSlow(t *testing.T) {
	t.Parallel()
	const maxJobs, commands = 2, 12
	e := newEnv(t, func(c *slackbot.Config) { c.MaxJobs = maxJobs })
	hook := newStuckHook(t, 10*time.Second)
	for i := 1; i <= commands; i++ {
		body := slashBody(t, alice, "hardware", hook.srv.URL+"/commands/1/2")
		r := do(t, signedRequest(t, e.srv.URL, slackbot.PathCommands, body, time.Now(), signingSecret))
		require.Equal(t, http.StatusOK, r.status)
		require.NotContainsf(t, r.raw, "Busy", "command %d of %d was refused while io.net was fast", i, commands)
		// The answer is ready and posted (and stuck) before the next one.
		require.Eventually(t, func() bool { return hook.held.Load() == int64(i) }, 10*time.Second, time.Millisecond)
	}
	close(hook.release)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, e.bot.Wait(ctx))
	assert.Equal(t, int64(commands), hook.done.Load(), "every answer was delivered before Wait returned")
}

// When io.net itself is slow, the places do run out and the next command
// hears that it should try again, at once.
func TestBusyWhenIONetIsTheBottleneck(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *slackbot.Config) { c.MaxJobs = 1 }, withReadTimeout(300*time.Millisecond))
	e.sb.SetFault(sandbox.RouteHardware, sandbox.Fault{Latency: 5 * time.Second})
	first := e.command(t, alice, "hardware", "/a")
	require.NotContains(t, first.raw, "Busy")
	second := e.command(t, alice, "hardware", "/b")
	assert.Contains(t, second.raw, "Busy right now")
	assert.Contains(t, second.raw, "io.net")
	e.hook.next(t, 5*time.Second) // the first one's timeout answer
}

// A new key's secret does not wait behind read answers to a slow
// response_url, nor is it dropped when their queue is full: key-action
// answers have a lane of their own.
func TestKeyOutcomeIsNotStuckBehindReadAnswers(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *slackbot.Config) { c.MaxDeliveries, c.DeliveryWorkers = 2, 1 })
	hook := newStuckHook(t, 30*time.Second)
	defer close(hook.release)
	for range 3 { // two fill the queue; the third waits for a place
		body := slashBody(t, alice, "hardware", hook.srv.URL+"/commands/1/2")
		r := do(t, signedRequest(t, e.srv.URL, slackbot.PathCommands, body, time.Now(), signingSecret))
		require.Equal(t, http.StatusOK, r.status)
	}
	require.Eventually(t, func() bool { return hook.held.Load() == 1 }, 10*time.Second, time.Millisecond, "the one worker is stuck")

	preview := e.command(t, alice, "create-key past the queue", "/cmd")
	confirm, _ := buttons(t, preview.msg)
	e.click(t, alice, confirm.ActionID, confirm.Value, "/act")

	p := e.hook.next(t, 5*time.Second)
	assert.Contains(t, p.raw, "API key created")
	require.Len(t, e.sb.CreatedKeys(), 1)
	assert.Contains(t, p.raw, e.sb.CreatedKeys()[0].Value, "the secret reached the person")
}
