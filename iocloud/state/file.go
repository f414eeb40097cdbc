package state

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

var (
	bucketOnce   = []byte("once")
	bucketValues = []byte("values")
	bucketSets   = []byte("sets")
)

// fileSweepInterval is how often expired entries are deleted from disk.
const fileSweepInterval = time.Minute

// File is the embedded store: a bbolt database that survives restarts. bbolt
// holds an exclusive lock on the file, so a second process on the same path
// is refused at start-up (ErrLocked) instead of silently sharing it.
type File struct {
	db   *bolt.DB
	now  func() time.Time
	stop chan struct{}
	done sync.WaitGroup
}

// OpenFile opens (creating it 0600) the database at path.
func OpenFile(path string) (*File, error) {
	return openFile(path, time.Now)
}

func openFile(path string, now func() time.Time) (*File, error) {
	if dir := filepath.Dir(path); dir != "" {
		if _, err := os.Stat(dir); err != nil {
			return nil, fmt.Errorf("the folder %q for the state file does not exist", dir)
		}
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 500 * time.Millisecond})
	switch {
	case errors.Is(err, berrors.ErrTimeout):
		return nil, fmt.Errorf("%w: %s; run one process per state file, or use Redis for several", ErrLocked, path)
	case err != nil:
		return nil, fmt.Errorf("open the state file %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketOnce, bucketValues, bucketSets} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("prepare the state file %s: %w", path, err)
	}
	f := &File{db: db, now: now, stop: make(chan struct{})}
	f.done.Add(1)
	go f.sweepLoop()
	return f, nil
}

func (f *File) Kind() string { return "file" }

func (f *File) Once(_ context.Context, key string, ttl time.Duration) (bool, error) {
	first := false
	err := f.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketOnce)
		now := f.now()
		if v := b.Get([]byte(key)); v != nil && live(v, now) {
			return nil
		}
		first = true
		return b.Put([]byte(key), expiry(now.Add(ttl)))
	})
	if err != nil {
		return false, unavailable("once", err)
	}
	return first, nil
}

func (f *File) Acquire(_ context.Context, name, member string, ttl time.Duration, limit int) (Slot, error) {
	var slot Slot
	err := f.db.Update(func(tx *bolt.Tx) error {
		b, err := tx.Bucket(bucketSets).CreateBucketIfNotExists([]byte(name))
		if err != nil {
			return err
		}
		now := f.now()
		var stale [][]byte
		var earliest time.Time
		held, mine := 0, false
		err = b.ForEach(func(k, v []byte) error {
			if !live(v, now) {
				stale = append(stale, append([]byte(nil), k...))
				return nil
			}
			held++
			if string(k) == member {
				mine = true
			}
			if at := expiryOf(v); earliest.IsZero() || at.Before(earliest) {
				earliest = at
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, k := range stale {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		if !mine && held >= limit {
			slot = Slot{Held: held, FreesIn: earliest.Sub(now)}
			return nil
		}
		if !mine {
			held++
		}
		slot = Slot{Acquired: true, Held: held}
		return b.Put([]byte(member), expiry(now.Add(ttl)))
	})
	if err != nil {
		return Slot{}, unavailable("acquire", err)
	}
	return slot, nil
}

func (f *File) Release(_ context.Context, name, member string) error {
	err := f.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSets).Bucket([]byte(name))
		if b == nil {
			return nil
		}
		return b.Delete([]byte(member))
	})
	return unavailable("release", err)
}

func (f *File) Put(_ context.Context, key string, value []byte, ttl time.Duration) error {
	err := f.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketValues).Put([]byte(key), append(expiry(f.now().Add(ttl)), value...))
	})
	return unavailable("put", err)
}

func (f *File) Get(_ context.Context, key string) ([]byte, error) {
	var out []byte
	err := f.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketValues).Get([]byte(key))
		if v == nil || !live(v, f.now()) {
			return ErrNotFound
		}
		out = append([]byte(nil), v[8:]...)
		return nil
	})
	switch {
	case errors.Is(err, ErrNotFound):
		return nil, ErrNotFound
	case err != nil:
		return nil, unavailable("get", err)
	}
	return out, nil
}

func (f *File) Ping(context.Context) error {
	return unavailable("ping", f.db.View(func(*bolt.Tx) error { return nil }))
}

// Close stops the sweeper and releases the file's lock.
func (f *File) Close() error {
	select {
	case <-f.stop:
		return nil
	default:
		close(f.stop)
	}
	f.done.Wait()
	return f.db.Close()
}

func (f *File) sweepLoop() {
	defer f.done.Done()
	t := time.NewTicker(fileSweepInterval)
	defer t.Stop()
	for {
		select {
		case <-f.stop:
			return
		case <-t.C:
			_ = f.sweep()
		}
	}
}

// sweep deletes every expired entry, so the file holds only live state.
func (f *File) sweep() error {
	return f.db.Update(func(tx *bolt.Tx) error {
		now := f.now()
		for _, name := range [][]byte{bucketOnce, bucketValues} {
			if err := deleteExpired(tx.Bucket(name), now); err != nil {
				return err
			}
		}
		sets := tx.Bucket(bucketSets)
		var empty [][]byte
		err := sets.ForEachBucket(func(k []byte) error {
			b := sets.Bucket(k)
			if err := deleteExpired(b, now); err != nil {
				return err
			}
			if b.Stats().KeyN == 0 {
				empty = append(empty, append([]byte(nil), k...))
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, k := range empty {
			if err := sets.DeleteBucket(k); err != nil {
				return err
			}
		}
		return nil
	})
}

func deleteExpired(b *bolt.Bucket, now time.Time) error {
	var stale [][]byte
	err := b.ForEach(func(k, v []byte) error {
		if v != nil && !live(v, now) {
			stale = append(stale, append([]byte(nil), k...))
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, k := range stale {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// expiry encodes a time as 8 big-endian bytes of Unix nanoseconds; every
// stored value starts with one.
func expiry(t time.Time) []byte {
	return binary.BigEndian.AppendUint64(nil, uint64(t.UnixNano()))
}

func expiryOf(v []byte) time.Time {
	if len(v) < 8 {
		return time.Time{}
	}
	return time.Unix(0, int64(binary.BigEndian.Uint64(v[:8]))) //nolint:gosec // written by expiry
}

func live(v []byte, now time.Time) bool { return expiryOf(v).After(now) }
