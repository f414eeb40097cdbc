package slackbot_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/iocloud-chatops/iocloud/iocloud/sandbox"
	"github.com/slack-go/slack"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Slack needs its acknowledgement within 3 seconds whatever io.net does.
// With io.net delayed 10 s the ack still comes at once, and the answer
// (here: the read deadline running out) arrives later on response_url.
func TestAckComesAtOnceWhenIONetIsSlow(t *testing.T) {
	t.Parallel()
	const deadline = 2 * time.Second
	e := newEnv(t, withReadTimeout(deadline))
	e.sb.SetFault(sandbox.RouteReplicas, sandbox.Fault{Latency: 10 * time.Second})
	e.sb.SetFault(sandbox.RouteHardware, sandbox.Fault{Latency: 10 * time.Second})

	start := time.Now()
	r := e.command(t, alice, "replicas H100 80GB HBM3 --gpus 2", "/slow")
	require.Equal(t, http.StatusOK, r.status)
	assert.Less(t, r.elapsed, time.Second, "the acknowledgement does not wait for io.net")
	assert.Contains(t, r.raw, "Working on it")

	p := e.hook.next(t, deadline+5*time.Second)
	assert.GreaterOrEqual(t, time.Since(start), deadline, "the answer came after the deadline, not with the ack")
	assert.Equal(t, "/slow", p.path)
	assert.Contains(t, p.raw, "did not answer within 2s")
	assert.Contains(t, p.raw, "Try again")
	assert.Equal(t, slack.ResponseTypeEphemeral, p.msg.ResponseType)
}

// A slow but successful read: the ack first, then the real answer.
func TestSlowAnswerArrivesOnResponseURL(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.sb.SetFault(sandbox.RouteHardware, sandbox.Fault{Latency: 1500 * time.Millisecond})
	r := e.command(t, alice, "hardware --public", "/slow")
	assert.Less(t, r.elapsed, time.Second)
	assert.Equal(t, slack.ResponseTypeEphemeral, r.msg.ResponseType, "the 'working on it' note is for the asker only")

	p := e.hook.next(t, wait)
	assert.Equal(t, slack.ResponseTypeInChannel, p.msg.ResponseType, "--public puts the read in the channel")
	assert.Contains(t, p.raw, "RTX 4090 24GB")
}

func TestIONetErrorsSayWhatToDo(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.sb.SetFault(sandbox.RouteHardware, sandbox.Fault{Status: http.StatusUnauthorized, Times: 1})
	e.command(t, alice, "hardware", "/401")
	p := e.hook.next(t, wait)
	assert.Contains(t, p.raw, "IOCLOUD_API_KEY")

	e.command(t, alice, "replicas NoSuchGPU", "/unknown")
	p = e.hook.next(t, wait)
	assert.Contains(t, p.raw, "H100 80GB HBM3", "an unknown hardware name lists the valid ones")
}

func TestReplicasAcrossTypes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.command(t, alice, "replicas --country de", "/all")
	p := e.hook.next(t, wait)
	assert.Contains(t, p.raw, "Germany")
	assert.NotContains(t, p.raw, "Canada", "filtered by country")
	assert.NotContains(t, p.raw, "L40S", "types without free GPUs are left out")
}
