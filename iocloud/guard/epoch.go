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
// refused as stale instead of being used a second time.
const (
	epochKey      = "epoch"
	epochClaimKey = "epoch:claim"
	// epochTTL is "for good"; the stores need a lifetime for every key.
	epochTTL = 50 * 365 * 24 * time.Hour
	// epochWait bounds how long a process waits for another one that
	// claimed the empty store to write the epoch.
	epochWait = time.Second
)

// errStoreReset is why a ticket from before the store's last reset is stale.
var errStoreReset = errors.New("the confirmation store was emptied since it was issued (a Redis restart without persistence, or a replaced state file)")

// storeEpoch returns the store's epoch, writing one if the store has none.
// Of several processes finding the store empty at once, one writes it (the
// first to claim it) and the others read what it wrote.
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
		first, err := t.store.Once(ctx, epochClaimKey, 2*epochWait)
		if err != nil {
			return "", err
		}
		if first {
			epoch := NewNonce()
			if err := t.store.Put(ctx, epochKey, []byte(epoch), epochTTL); err != nil {
				return "", err
			}
			return epoch, nil
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
