package version

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A plain `go build` in a git checkout (no -ldflags stamp) reports the
// checkout's commit, read from the build information the go command embeds.
func TestBuildInfoInABinary(t *testing.T) {
	t.Parallel()
	head, err := exec.CommandContext(t.Context(), "git", "rev-parse", "--short=12", "HEAD").Output()
	if err != nil {
		if os.Getenv("CI") != "" {
			require.NoError(t, err, "git and a checkout are needed in CI")
		}
		t.Skip("not a git checkout:", err)
	}
	bin := filepath.Join(t.TempDir(), "printversion")
	// -buildvcs=true: the default (auto) stamps too, but a developer's
	// GOFLAGS may say -buildvcs=false.
	build := exec.CommandContext(t.Context(), "go", "build", "-buildvcs=true", "-o", bin, "./testdata/printversion")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "%s", out)
	out, err = exec.CommandContext(t.Context(), bin).Output()
	require.NoError(t, err)
	line := strings.TrimSpace(string(out))
	assert.Contains(t, line, "(commit "+strings.TrimSpace(string(head)), "the checkout's commit, not 'unknown'")
	assert.NotContains(t, line, "printversion dev ", "the module's pseudo-version, not 'dev'")
}
