package tools

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/iocloud-chatops/iocloud/iocloud"
)

// saveSecret writes a new key's secret to a new file in dir, readable only by
// this process's user, and returns the file's absolute path. The name comes
// from the key id; O_EXCL makes an existing file (or a planted symlink) an
// error rather than something overwritten or followed.
func saveSecret(dir string, created *iocloud.CreatedKey) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("resolve directory: %w", err)
	}
	path := filepath.Join(abs, "iocloud-key-"+fileSafe(created.Key.KeyID)+".txt")
	// #nosec G304 -- the directory is operator configuration and the name is sanitized.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", err
	}
	_, werr := f.WriteString(created.Secret.Reveal() + "\n")
	cerr := f.Close()
	if werr != nil || cerr != nil {
		_ = os.Remove(path)
		return "", fmt.Errorf("write %s: %w", filepath.Base(path), errors.Join(werr, cerr))
	}
	return path, nil
}

// fileSafe keeps letters, digits, '-' and '_' from a key id; anything else
// (path separators included) becomes '_'. An empty result gets a random name.
func fileSafe(id string) string {
	safe := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			return r
		default:
			return '_'
		}
	}, id)
	if len(safe) > 100 {
		safe = safe[:100]
	}
	if strings.Trim(safe, "_") == "" {
		var b [8]byte
		_, _ = rand.Read(b[:])
		return "unnamed-" + hex.EncodeToString(b[:])
	}
	return safe
}
