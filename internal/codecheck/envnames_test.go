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

// namingFreePackages state problems in their own terms: the core and both
// frontends. Environment-variable names live in config (and cmd/), and
// reach messages through iocloud.Hints (config.Hints, passed by cmd/*).
var namingFreePackages = []string{"iocloud", "iocloud/guard", "iocloud/state", "iocloud/sandbox", "tools", "slackbot"}

// envPrefixes are how our variables (and Slack's, which we read) begin.
var envPrefixes = []string{"IOCLOUD_", "SLACK_"}

// allowedEnvNames lists exceptions as "pkg/file.go <literal>" with the
// reason each may stay. None remain.
var allowedEnvNames = map[string]string{}

// TestPackagesNameNoVariables fails when a non-test string literal of the
// core or a frontend contains "IOCLOUD_" or "SLACK_", so renaming a
// variable cannot leave a message wrong. Comments (package docs, examples)
// are not literals.
func TestPackagesNameNoVariables(t *testing.T) {
	t.Parallel()
	root := moduleRoot(t)
	for _, pkg := range namingFreePackages {
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
				if !ok || lit.Kind != token.STRING || !containsAny(lit.Value, envPrefixes) {
					return true
				}
				rel := pkg + "/" + name
				if _, ok := allowedEnvNames[rel+" "+lit.Value]; !ok {
					assert.Fail(t, "a message names an environment variable",
						"%s: %s; say it in plain words and add the name through iocloud.Hints (config.Hints)", rel, lit.Value)
				}
				return true
			})
		}
	}
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
