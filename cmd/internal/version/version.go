// Package version holds the build stamp of both binaries, set with
// -ldflags "-X github.com/iocloud-chatops/iocloud/cmd/internal/version.Version=… -X ….Commit=…"
// (make build, the Dockerfile). A plain `go build`, `go install` or
// `go run` sets no stamp; then the Go toolchain's own build information
// (debug.ReadBuildInfo) stands in: the module version `go install
// module@version` records, and the VCS revision a build in a git checkout
// records.
package version

import (
	"fmt"
	"regexp"
	"runtime"
	"runtime/debug"
)

// Set by -ldflags at build time.
var (
	Version = "dev"
	Commit  = "unknown"
)

// String is the one line --version prints: name, version, commit, Go version.
func String(binary string) string {
	v, c := Current()
	return fmt.Sprintf("%s %s (commit %s, %s)", binary, v, c, runtime.Version())
}

// Short is the version alone, as sent in User-Agent and to MCP clients.
func Short() string {
	v, _ := Current()
	return v
}

// Current is the version and commit: the -ldflags stamp where set, else what
// the build information says, else "dev" and "unknown".
func Current() (version, commit string) {
	info, _ := debug.ReadBuildInfo()
	return resolve(Version, Commit, info)
}

// pseudoRev finds the commit in a pseudo-version such as
// v0.0.0-20261129101500-0fea18a5b2c4 (or v1.2.4-0.2026…-0fea18a5b2c4+dirty).
var pseudoRev = regexp.MustCompile(`[.-]\d{14}-([0-9a-f]{12})(\+dirty)?$`)

func resolve(version, commit string, info *debug.BuildInfo) (string, string) {
	if info == nil {
		return version, commit
	}
	if version == "dev" && info.Main.Version != "" && info.Main.Version != "(devel)" {
		version = info.Main.Version
	}
	if commit != "unknown" {
		return version, commit
	}
	var revision string
	modified := false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			revision = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	switch {
	case revision != "":
		commit = revision[:min(len(revision), 12)]
		if modified {
			commit += "-dirty"
		}
	case pseudoRev.MatchString(version):
		m := pseudoRev.FindStringSubmatch(version)
		commit = m[1]
		if m[2] != "" {
			commit += "-dirty"
		}
	}
	return version, commit
}
