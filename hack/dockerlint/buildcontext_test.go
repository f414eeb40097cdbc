package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCopyContextFollowsDockerignore(t *testing.T) {
	t.Parallel()
	src := t.TempDir()
	files := map[string]os.FileMode{
		".dockerignore":               0o644,
		"go.mod":                      0o644,
		"cmd/app/main.go":             0o644,
		"cmd/app/main_test.go":        0o644,
		"cmd/app/testdata/in.json":    0o644,
		"scripts/build-release.sh":    0o755,
		"scripts/other.sh":            0o755,
		".git/config":                 0o644,
		".env":                        0o600,
		"node_modules/x/package.json": 0o644,
	}
	for name, mode := range files {
		p := filepath.Join(src, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(name), mode))
	}
	ignore := "*\n!go.mod\n!cmd/\n!scripts/build-release.sh\n**/*_test.go\n**/testdata/\n"
	require.NoError(t, os.WriteFile(filepath.Join(src, ".dockerignore"), []byte(ignore), 0o644))

	dst := t.TempDir()
	n, err := copyContext(src, dst)
	require.NoError(t, err)

	got := listFiles(t, dst)
	assert.Equal(t, map[string]os.FileMode{
		"go.mod":                   0o644,
		"cmd/app/main.go":          0o644,
		"scripts/build-release.sh": 0o755,
	}, got)
	assert.Equal(t, len(got), n)
}

func TestCopyContextWithoutDockerignoreCopiesEverything(t *testing.T) {
	t.Parallel()
	src := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(src, "a"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(src, "a", "b.go"), []byte("package a"), 0o644))
	dst := t.TempDir()
	_, err := copyContext(src, dst)
	require.NoError(t, err)
	assert.Equal(t, map[string]os.FileMode{"a/b.go": 0o644}, listFiles(t, dst))
}

func TestCopyContextRefusesSymlinks(t *testing.T) {
	t.Parallel()
	src := t.TempDir()
	require.NoError(t, os.Symlink("/etc/hostname", filepath.Join(src, "link")))
	_, err := copyContext(src, t.TempDir())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "not a regular file")
}

// The repository's own context: what the image build sees must hold the
// sources and the build script and nothing of a developer's working tree.
func TestRepoContext(t *testing.T) {
	t.Parallel()
	dst := t.TempDir()
	_, err := copyContext("../..", dst)
	require.NoError(t, err)
	got := listFiles(t, dst)

	for _, need := range []string{"go.mod", "go.sum", "scripts/build-release.sh"} {
		assert.Contains(t, got, need)
	}
	assert.NotZero(t, got["scripts/build-release.sh"]&0o100, "build-release.sh must stay executable: the Dockerfile runs it")
	for name := range got {
		assert.False(t, strings.HasSuffix(name, "_test.go"), "test file %s in the build context", name)
		assert.NotContains(t, name, "testdata/")
		for _, banned := range []string{".git/", ".tools/", ".cache/", "bin/", "hack/", "node_modules/", ".mcpclients/"} {
			assert.False(t, strings.HasPrefix(name, banned), "%s must not be in the build context", name)
		}
	}
}

func listFiles(t *testing.T, root string) map[string]os.FileMode {
	t.Helper()
	got := map[string]os.FileMode{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		got[filepath.ToSlash(rel)] = info.Mode().Perm()
		return nil
	})
	require.NoError(t, err)
	return got
}
