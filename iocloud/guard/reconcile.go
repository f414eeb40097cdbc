package guard

import (
	"context"
	"errors"
	"net"
	"time"

	"github.com/iocloud-chatops/iocloud/iocloud"
)

// clockSkew widens the "created after the attempt began" test of the key
// lookup: io.net's clock and ours need not agree to the second.
const clockSkew = 2 * time.Minute

// reconcile turns a failed POST into what is known about the key. A clear
// refusal by io.net (4xx), or a request that never left (no connection), is
// not_created. A lost answer (timeout, connection dropped after sending,
// 5xx, an unreadable success) is looked up in the key list: found is
// created_secret_unavailable, absent is not_created, and a list that cannot
// be read leaves it unknown.
func (g *Guard) reconcile(ctx context.Context, tk Ticket, started time.Time, cause error) *iocloud.CreateFailure {
	fail := &iocloud.CreateFailure{TicketID: tk.ID(), Err: cause}
	if !ambiguous(cause) {
		fail.Outcome = iocloud.OutcomeNotCreated
		return fail
	}
	// After a timeout io.net may still be working on the request: look
	// twice, a moment apart, before saying it made nothing.
	looks := 1
	if timedOut(cause) {
		looks = 2
	}
	for look := range looks {
		if look > 0 {
			time.Sleep(g.lookAgainAfter)
		}
		key, err := g.lookUp(ctx, tk, started)
		if err != nil {
			fail.Outcome = iocloud.OutcomeUnknown
			fail.Err = errors.Join(cause, err)
			return fail
		}
		if key != nil {
			fail.Outcome = iocloud.OutcomeSecretUnavailable
			fail.Key = key
			return fail
		}
	}
	fail.Outcome = iocloud.OutcomeNotCreated
	fail.Checked = true
	return fail
}

// lookUp finds the key this attempt made in io.net's list, or nil.
func (g *Guard) lookUp(ctx context.Context, tk Ticket, started time.Time) (*iocloud.APIKey, error) {
	lookCtx, cancel := context.WithTimeout(ctx, g.actTimeout)
	defer cancel()
	list, err := g.client.ListAPIKeys(lookCtx)
	if err != nil {
		return nil, err
	}
	if found := list.Matching(tk.Request, started.Add(-clockSkew)); len(found) > 0 {
		key := found[len(found)-1] // the newest: the one this attempt made
		return &key, nil
	}
	return nil, nil
}

func timedOut(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

// ambiguous reports whether io.net may have acted although no usable answer
// came back.
func ambiguous(err error) bool {
	var api *iocloud.APIError
	if errors.As(err, &api) {
		return api.StatusCode >= 500
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return false // the request never left this machine
	}
	switch {
	case errors.Is(err, iocloud.ErrNoJWT), errors.Is(err, iocloud.ErrJWTExpired),
		errors.Is(err, iocloud.ErrValidation), errors.Is(err, iocloud.ErrRedirect):
		return false
	}
	return true
}
