package guard

import (
	"context"
	"errors"
	"time"

	"github.com/iocloud-chatops/iocloud/iocloud/state"
)

// The store's epoch is a random id written once into an empty state store
// and sealed into every ticket. Tickets are stateless and outlive the store's
// memory of them: a Redis restarted without persistence, or a state file
// replaced, forgets which tickets were used while the shared secret still
// vouches for them. A ticket whose epoch is not the store's is therefore
// refused as stale instead of being used a second time. It catches the loss
// of the whole store, not of some keys (eviction, a snapshot older than the
// last writes): docs/operations.md says how to run Redis so that neither
// happens.
const (
	epochKey      = "epoch"
	epochClaimKey = "epoch:claim"
	// epochTTL is "for good"; the stores need a lifetime for every key.
	epochTTL = 50 * 365 * 24 * time.Hour
	// epochClaimTTL is how long a claim on an empty store stands. It is far
	// longer than one write can take, so a second process never claims (and
	// writes another epoch) while the first one's write is on its way; a
	// claimant that died before writing holds key actions up this long.
	epochClaimTTL = time.Minute
	// epochWait bounds how long a process waits for another one that
	// claimed the empty store to write the epoch.
	epochWait = 2 * time.Second
)

// errStoreReset is why a ticket from before the store's last reset is stale.
var errStoreReset = errors.New("the confirmation store was emptied since it was issued (a Redis restart without persistence, or a replaced state file)")

// storeEpoch returns the store's epoch, writing one if the store has none.
// Of several processes finding the store empty at once, one writes it (the
// first to claim it) and all read it back.
func (t *Tickets) storeEpoch(ctx context.Context) (string, error) {
	deadline := time.Now().Add(epochWait)
	for {
		v, err := t.store.Get(ctx, epochKey)
		if err == nil {
			return string(v), nil
		}
		if !errors.Is(err, state.ErrNotFound) {
			return "", err
		}
		first, err := t.store.Once(ctx, epochClaimKey, epochClaimTTL)
		if err != nil {
			return "", err
		}
		if first {
			if err := t.store.Put(ctx, epochKey, []byte(NewNonce()), epochTTL); err != nil {
				return "", err
			}
			continue // and read it back: what every process will read
		}
		if time.Now().After(deadline) {
			return "", errors.New("the state store's epoch was claimed but not written")
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}
