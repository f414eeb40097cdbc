package version

import (
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/assert"
)

func info(version string, settings ...string) *debug.BuildInfo {
	bi := &debug.BuildInfo{Main: debug.Module{Path: "github.com/iocloud-chatops/iocloud", Version: version}}
	for i := 0; i+1 < len(settings); i += 2 {
		bi.Settings = append(bi.Settings, debug.BuildSetting{Key: settings[i], Value: settings[i+1]})
	}
	return bi
}

func TestResolve(t *testing.T) {
	t.Parallel()
	const rev = "0fea18a5b2c4d6e8f0a1b2c3d4e5f60718293a4b"
	cases := []struct {
		name                 string
		version, commit      string
		info                 *debug.BuildInfo
		wantVersion, wantRev string
	}{
		{"make build stamps both", "v1.2.0", "0fea18a5b2c4", info("v0.0.0-20261129101500-aaaaaaaaaaaa", "vcs.revision", rev), "v1.2.0", "0fea18a5b2c4"},
		{"no build info", "dev", "unknown", nil, "dev", "unknown"},
		{"go run without VCS", "dev", "unknown", info("(devel)"), "dev", "unknown"},
		{"go build in a git checkout", "dev", "unknown", info("(devel)", "vcs", "git", "vcs.revision", rev, "vcs.modified", "false"), "dev", "0fea18a5b2c4"},
		{"uncommitted changes", "dev", "unknown", info("(devel)", "vcs.revision", rev, "vcs.modified", "true"), "dev", "0fea18a5b2c4-dirty"},
		{"go install module@version", "dev", "unknown", info("v1.3.0"), "v1.3.0", "unknown"},
		{"go install module@commit", "dev", "unknown", info("v0.0.0-20261129101500-0fea18a5b2c4"), "v0.0.0-20261129101500-0fea18a5b2c4", "0fea18a5b2c4"},
		{"Go 1.24+ build stamps a dirty pseudo-version", "dev", "unknown", info("v1.2.4-0.20261129101500-0fea18a5b2c4+dirty"),
			"v1.2.4-0.20261129101500-0fea18a5b2c4+dirty", "0fea18a5b2c4-dirty"},
		{"a short revision is kept whole", "dev", "unknown", info("(devel)", "vcs.revision", "abc"), "dev", "abc"},
	}
	for _, tc := range cases {
		v, c := resolve(tc.version, tc.commit, tc.info)
		assert.Equal(t, tc.wantVersion, v, tc.name)
		assert.Equal(t, tc.wantRev, c, tc.name)
	}
}
