package iocloud

import (
	"fmt"
	"time"
)

// ConfirmationTTL is how long a preview can be confirmed: a confirmation
// ticket, an elicitation round trip, an approval page, Slack's Confirm
// button. guard.TicketTTL is this value; messages that name the window
// say it with ConfirmationWindow, so changing it here changes them all.
const ConfirmationTTL = 10 * time.Minute

// ConfirmationWindow is ConfirmationTTL in words, e.g. "10 minutes".
func ConfirmationWindow() string { return InWords(ConfirmationTTL) }

// InWords says a whole number of hours or minutes as words ("1 hour",
// "10 minutes"), anything else as Go writes it.
func InWords(d time.Duration) string {
	unit, n := "", 0
	switch {
	case d > 0 && d%time.Hour == 0:
		unit, n = "hour", int(d/time.Hour)
	case d > 0 && d%time.Minute == 0:
		unit, n = "minute", int(d/time.Minute)
	default:
		return d.String()
	}
	if n != 1 {
		unit += "s"
	}
	return fmt.Sprintf("%d %s", n, unit)
}
