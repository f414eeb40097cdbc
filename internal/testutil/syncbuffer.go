// Package testutil holds small helpers shared by the tests of several
// packages (frontends and binaries), so each does not grow its own copy.
package testutil

import (
	"bytes"
	"sync"
)

// SyncBuffer collects log and audit output written from several goroutines;
// tests read it with String to search for secrets and messages.
type SyncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
