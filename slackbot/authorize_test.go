package slackbot_test

import (
	"testing"
	"time"

	"github.com/iocloud-chatops/iocloud/iocloud/sandbox"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The team and channel allowlists apply to every command and every click,
// and a refused request never reaches io.net.
func TestAllowlists(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withAllowed([]string{teamID, "E0GRID"}, []string{channelID}))

	r := e.command(t, who{team: "T0OTHER", channel: channelID, user: requestor}, "hardware", "/other-team")
	assert.Contains(t, r.raw, "not enabled for this workspace")
	assert.Contains(t, r.raw, "T0OTHER")
	assert.Contains(t, r.raw, "allowed workspaces (IOCLOUD_SLACK_ALLOWED_TEAMS)", "names the list and its variable")
	r = e.command(t, who{team: teamID, channel: "C0OTHER", user: requestor}, "hardware", "/other-channel")
	assert.Contains(t, r.raw, "not enabled in this channel")
	assert.Contains(t, r.raw, "allowed channels (IOCLOUD_SLACK_ALLOWED_CHANNELS)", "names the list and its variable")
	r = e.command(t, who{team: teamID, channel: "", user: requestor}, "help", "/no-channel")
	assert.Contains(t, r.raw, "not enabled in this channel", "fails closed without a channel")
	e.hook.quiet(t, 200*time.Millisecond)
	assert.Zero(t, e.sb.Requests(sandbox.RouteHardware))

	// An Enterprise Grid org on the list admits its workspaces.
	r = e.command(t, who{enterprise: "E0GRID", team: "T0GRIDWS", channel: channelID, user: requestor}, "help", "/grid")
	assert.Contains(t, r.raw, "/iocloud create-key")

	// A valid preview clicked from a channel off the list creates nothing.
	r = e.command(t, alice, "create-key allowed", "/cmd")
	confirm, _ := buttons(t, r.msg)
	e.click(t, who{team: teamID, channel: "C0OTHER", user: requestor}, confirm.ActionID, confirm.Value, "/act")
	p := e.hook.next(t, wait)
	assert.Contains(t, p.raw, "not enabled in this channel")
	assert.False(t, p.msg.ReplaceOriginal)
	assert.Empty(t, e.sb.CreatedKeys())

	// The ticket was not spent by the refused click.
	e.click(t, alice, confirm.ActionID, confirm.Value, "/act")
	p = e.hook.next(t, wait)
	require.Contains(t, p.raw, "io.net API key created")
	assert.Len(t, e.sb.CreatedKeys(), 1)
}
