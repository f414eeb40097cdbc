package main

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The image's shape is what issue 5 asks for; these lines are what
// scripts/dockercheck.sh rehearses, so a change here must be deliberate.
func TestRepoDockerfileShape(t *testing.T) {
	t.Parallel()
	dt, err := os.ReadFile(repoDockerfile)
	require.NoError(t, err)
	lines, err := describe(dt)
	require.NoError(t, err)

	want := []string{
		"build.env GOTOOLCHAIN=go1.27.3",
		"build.run sh -c \"./scripts/build-release.sh /out\"",
		"final.from gcr.io/distroless/static-debian12:nonroot",
		"final.copy build:/out/ /usr/local/bin/",
		"final.expose 8080",
		"final.expose 3000",
		"final.user 65532:65532",
		"final.entrypoint /usr/local/bin/iocloud-mcp", // exec form: no "sh -c"
	}
	for _, w := range want {
		assert.Contains(t, lines, w)
	}
	for _, label := range []string{"title", "description", "source", "licenses", "version", "revision"} {
		assert.True(t, hasPrefix(lines, "final.label org.opencontainers.image."+label+"="), "OCI label %s missing", label)
	}
}

func TestDescribeMarksShellForm(t *testing.T) {
	t.Parallel()
	lines, err := describe([]byte("FROM scratch AS base\nFROM base\nUSER root\nENTRYPOINT /x --flag\n"))
	require.NoError(t, err)
	assert.Equal(t, []string{
		"base.from scratch",
		"final.from base",
		"final.user root",
		`final.entrypoint sh -c "/x --flag"`,
	}, lines)
}

func hasPrefix(lines []string, prefix string) bool {
	for _, l := range lines {
		if len(l) > len(prefix) && l[:len(prefix)] == prefix {
			return true
		}
	}
	return false
}
