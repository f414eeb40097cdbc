package slackbot

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/iocloud-chatops/iocloud/iocloud"
	"github.com/slack-go/slack"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// requireWithinSlackLimits checks what Slack would refuse with
// invalid_blocks: too many blocks, section text over 3000 characters,
// more than 10 fields or a field over 2000.
func requireWithinSlackLimits(t *testing.T, w *slack.WebhookMessage) {
	t.Helper()
	require.NotNil(t, w.Blocks)
	assert.LessOrEqual(t, len(w.Blocks.BlockSet), maxBlocks)
	assert.LessOrEqual(t, utf8.RuneCountInString(w.Text), maxSectionText)
	for _, b := range w.Blocks.BlockSet {
		switch b := b.(type) {
		case *slack.SectionBlock:
			if b.Text != nil {
				assert.LessOrEqual(t, utf8.RuneCountInString(b.Text.Text), maxSectionText)
				require.NoError(t, b.Text.Validate())
			}
			assert.LessOrEqual(t, len(b.Fields), maxFields)
			for _, f := range b.Fields {
				assert.LessOrEqual(t, utf8.RuneCountInString(f.Text), maxFieldText)
			}
		case *slack.ContextBlock:
			assert.LessOrEqual(t, len(b.ContextElements.Elements), maxContext)
		}
	}
}

func TestLargeAnswersStayWithinSlackLimits(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("Ü&<>", 30)
	list := &iocloud.HardwareList{FetchedAt: time.Now()}
	rep := &iocloud.ReplicaReport{GPUsPerContainer: 1}
	for i := range 200 {
		h := iocloud.Hardware{ID: i, Name: fmt.Sprintf("GPU %d %s", i, long), Brand: long, AvailableGPUs: i, MaxGPUsPerContainer: 8}
		list.Hardware = append(list.Hardware, h)
		hr := iocloud.HardwareReplicas{Hardware: h}
		for j := range 30 {
			hr.Locations = append(hr.Locations, iocloud.Location{ID: j, ISO2: "DE", Name: long, AvailableReplicas: 30 - j})
			hr.TotalAvailableReplicas += 30 - j
		}
		rep.Hardware = append(rep.Hardware, hr)
		rep.TotalAvailableReplicas += hr.TotalAvailableReplicas
	}
	requireWithinSlackLimits(t, hardwareMessage(list, false).webhook())
	requireWithinSlackLimits(t, replicasMessage(rep, iocloud.ReplicaSearch{}, true).webhook())
	assert.Equal(t, 0, list.Hardware[0].ID, "rendering does not reorder the (possibly cached) list")

	p := &iocloud.Pending{Token: strings.Repeat("t", 1500), ExpiresAt: time.Now().Add(10 * time.Minute),
		Request: iocloud.KeyRequest{Description: strings.Repeat("<", 100), Project: "io-cloud", Scopes: []string{"all"}, ExpiresAt: time.Now().Add(24 * time.Hour)}}
	w := previewMessage(nil, p, time.Now()).webhook()
	requireWithinSlackLimits(t, w)
	ack, err := json.Marshal(map[string]any{"envelope_id": "x", "payload": w})
	require.NoError(t, err)
	assert.Less(t, len(ack), 20*1024, "a preview fits in a Socket Mode ack")
	for _, b := range w.Blocks.BlockSet {
		if ab, ok := b.(*slack.ActionBlock); ok {
			btn := ab.Elements.ElementSet[0].(*slack.ButtonBlockElement)
			assert.LessOrEqual(t, utf8.RuneCountInString(btn.Confirm.Text.Text), maxDialogText)
		}
	}
}

func TestChunksKeepEntitiesWhole(t *testing.T) {
	t.Parallel()
	s := esc(strings.Repeat("a<b&c>", 2000))
	parts := chunks(s, 100)
	assert.Equal(t, s, strings.Join(parts, ""))
	for _, p := range parts {
		assert.LessOrEqual(t, utf8.RuneCountInString(p), 100)
		i := strings.LastIndexByte(p, '&')
		if i >= 0 {
			assert.Contains(t, p[i:], ";", "an entity is never cut: %q", p)
		}
	}
}
