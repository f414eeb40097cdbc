package guard

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"syscall"
)

// AuditFile is the append-only JSON-lines audit file. It refuses a path that
// is a symbolic link or a file others may write (either would let someone
// else forge or divert records), creates the file 0600, and can be reopened
// after log rotation (SIGHUP).
type AuditFile struct {
	path string
	mu   sync.Mutex
	f    *os.File
}

// ErrUnsafeAuditFile matches every refusal of an audit path for its kind or
// permissions.
var ErrUnsafeAuditFile = errors.New("unsafe audit file")

// OpenAuditFile opens (creating it 0600 if needed) the audit file at path.
func OpenAuditFile(path string) (*AuditFile, error) {
	path = filepath.Clean(path)
	f, err := openAppendOnly(path)
	if err != nil {
		return nil, err
	}
	return &AuditFile{path: path, f: f}, nil
}

func openAppendOnly(path string) (*os.File, error) {
	if fi, err := os.Lstat(path); err == nil {
		if err := safeMode(path, fi); err != nil {
			return nil, err
		}
	}
	// O_NOFOLLOW closes the race between the Lstat above and the open: a
	// symlink planted in between makes the open fail instead of following.
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY|syscall.O_NOFOLLOW, 0o600) //nolint:gosec // the operator's IOCLOUD_AUDIT_LOG, checked above
	if err != nil {
		if errors.Is(err, syscall.ELOOP) {
			return nil, fmt.Errorf("%w: %s is a symbolic link; point the setting at the real file", ErrUnsafeAuditFile, path)
		}
		return nil, err
	}
	fi, err := f.Stat()
	if err == nil {
		err = safeMode(path, fi)
	}
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	return f, nil
}

func safeMode(path string, fi fs.FileInfo) error {
	switch {
	case fi.Mode()&fs.ModeSymlink != 0:
		return fmt.Errorf("%w: %s is a symbolic link; point the setting at the real file", ErrUnsafeAuditFile, path)
	case !fi.Mode().IsRegular():
		return fmt.Errorf("%w: %s is not a regular file", ErrUnsafeAuditFile, path)
	case fi.Mode().Perm()&0o022 != 0:
		return fmt.Errorf("%w: %s can be written by group or others (mode %04o); run chmod 600 on it",
			ErrUnsafeAuditFile, path, fi.Mode().Perm())
	}
	return nil
}

// Write appends p in one write call.
func (a *AuditFile) Write(p []byte) (int, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.f == nil {
		return 0, os.ErrClosed
	}
	return a.f.Write(p)
}

// Reopen opens the path again (after rotation moved the old file away) and
// switches to it; on failure the old file is kept.
func (a *AuditFile) Reopen() error {
	f, err := openAppendOnly(a.path)
	if err != nil {
		return err
	}
	a.mu.Lock()
	old := a.f
	a.f = f
	a.mu.Unlock()
	if old != nil {
		return old.Close()
	}
	return nil
}

// Path is where the file lives.
func (a *AuditFile) Path() string { return a.path }

// Close closes the file; later writes fail.
func (a *AuditFile) Close() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.f == nil {
		return nil
	}
	err := a.f.Close()
	a.f = nil
	return err
}
