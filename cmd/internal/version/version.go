// Package version holds the build stamp of both binaries, set with
// -ldflags "-X github.com/iocloud-chatops/iocloud/cmd/internal/version.Version=… -X ….Commit=…".
package version

import (
	"fmt"
	"runtime"
)

// Set by -ldflags at build time.
var (
	Version = "dev"
	Commit  = "unknown"
)

// String is the one line --version prints: name, version, commit, Go version.
func String(binary string) string {
	return fmt.Sprintf("%s %s (commit %s, %s)", binary, Version, Commit, runtime.Version())
}
