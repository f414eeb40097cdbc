package slackbot

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/iocloud-chatops/iocloud/iocloud"
	"github.com/stretchr/testify/assert"
)

// Every subcommand the parser knows is in the help text.
func TestHelpListsEveryCommand(t *testing.T) {
	t.Parallel()
	help := helpMessage(nil, "").plain()
	for name, form := range usage {
		assert.Contains(t, help, form, name)
	}
}

// A confirmed revocation that did not clearly succeed is told with the
// audit's outcome word, and what to do.
func TestRevokeFailedMessageSaysTheOutcome(t *testing.T) {
	t.Parallel()
	const id = "3f0c2a7e-1111-4222-8333-944455556666"
	cases := []struct {
		err         error
		title, line string
	}{
		{&iocloud.RevokeFailure{Outcome: iocloud.OutcomeUnknown, KeyID: id, Err: errors.New("timeout")},
			"Unknown whether the key was revoked (unknown)", "list the keys to see whether " + id + " is gone"},
		{&iocloud.RevokeFailure{Outcome: iocloud.OutcomeNotRevoked, KeyID: id, Err: errors.New("refused")},
			"Nothing was revoked (not_revoked)", "still works"},
		{fmt.Errorf("%w (%s)", iocloud.ErrKeyNotFound, id),
			"The key was not found (not_found)", "revoked already"},
		{iocloud.ErrStateUnavailable, "The key was not revoked", "Key actions are paused"},
	}
	for _, c := range cases {
		m := revokeFailedMessage(nil, c.err)
		assert.Equal(t, c.title, m.title)
		assert.Contains(t, m.plain(), c.line)
		assert.False(t, m.replace, "a failure leaves the preview")
	}
}

func TestRevokePreviewExpiry(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 5, 12, 0, 0, 0, time.UTC)
	preview := func(k iocloud.APIKey) string {
		return revokePreviewMessage(&iocloud.RevokePending{Token: "t", ExpiresAt: now.Add(10 * time.Minute), Key: k}, now).plain()
	}
	assert.Contains(t, preview(iocloud.APIKey{ExpiresAt: now.Add(48 * time.Hour)}), "Expires: 2026-11-07 12:00 UTC (in 2 days)")
	assert.Contains(t, preview(iocloud.APIKey{ExpiresAt: now.Add(-time.Hour), IsExpired: true}), "Expires: 2026-11-05 11:00 UTC (expired)")
	assert.Contains(t, preview(iocloud.APIKey{}), "Expires: not given by io.net")
	assert.Contains(t, preview(iocloud.APIKey{}), "until 12:10 UTC")
}
