package codecheck

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// corePackages state problems in their own terms: environment-variable
// names live in config (and cmd/), and reach messages through Hints.
var corePackages = []string{"iocloud", "iocloud/guard", "iocloud/state", "iocloud/sandbox"}

// allowedEnvNames lists exceptions as "pkg/file.go <literal>" with the
// reason each may stay. None remain.
var allowedEnvNames = map[string]string{}

// TestCoreNamesNoVariables fails when a core package's non-test string
// literal contains "IOCLOUD_", so renaming a variable cannot leave a core
// message wrong. Comments (package docs, examples) are not literals.
func TestCoreNamesNoVariables(t *testing.T) {
	t.Parallel()
	root := moduleRoot(t)
	for _, pkg := range corePackages {
		dir := filepath.Join(root, filepath.FromSlash(pkg))
		entries, err := os.ReadDir(dir)
		require.NoError(t, err)
		for _, e := range entries {
			name := e.Name()
			if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
				continue
			}
			path := filepath.Join(dir, name)
			file, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
			require.NoError(t, err)
			ast.Inspect(file, func(n ast.Node) bool {
				lit, ok := n.(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING || !strings.Contains(lit.Value, "IOCLOUD_") {
					return true
				}
				rel := pkg + "/" + name
				if _, ok := allowedEnvNames[rel+" "+lit.Value]; !ok {
					assert.Fail(t, "a core message names an environment variable",
						"%s: %s; say it in the core's terms and add the name through iocloud.Hints (config.Hints)", rel, lit.Value)
				}
				return true
			})
		}
	}
}
