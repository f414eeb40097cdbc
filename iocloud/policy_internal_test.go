package iocloud

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestFormatDays(t *testing.T) {
	t.Parallel()
	for d, want := range map[time.Duration]string{
		4320 * time.Hour:                "180 days",
		24 * time.Hour:                  "1 day",
		36 * time.Hour:                  "1 day 12h",
		4321*time.Hour + 30*time.Minute: "180 days 1h30m",
		2 * time.Hour:                   "2h",
		90 * time.Second:                "1m30s",
		time.Millisecond:                "1ms",
	} {
		assert.Equal(t, want, formatDays(d), d.String())
	}
}
