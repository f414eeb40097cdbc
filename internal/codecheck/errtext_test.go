// Package codecheck holds tests that read the module's own source to keep
// rules no compiler or linter enforces.
package codecheck

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// No production code decides what to do by reading an error's text (or
// the advice built from it): wording changes, wrapping adds prefixes, and a
// secret-free rewrite of a message must never change behaviour. Errors
// carry their meaning in types and sentinels (errors.Is/As) instead.
func TestNoDecisionOnErrorText(t *testing.T) {
	t.Parallel()
	root := moduleRoot(t)
	var findings []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			// testdata is not built; dot directories hold downloaded tools;
			// hack/lintcheck's testdata is a separate module of planted
			// mistakes.
			if path != root && (name == "testdata" || strings.HasPrefix(name, ".") || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		findings = append(findings, errTextFindings(t, path, rel)...)
		return nil
	})
	require.NoError(t, err)
	assert.Empty(t, findings, "decide with errors.Is/As on a typed error or sentinel, not on its text")
}

// The check bites: every planted "// want" line in testdata/errtext.go is
// reported, and nothing else (its typed twins are not).
func TestNoDecisionOnErrorTextBites(t *testing.T) {
	t.Parallel()
	const sample = "testdata/errtext.go"
	src, err := os.ReadFile(sample)
	require.NoError(t, err)
	var want []string
	for i, line := range strings.Split(string(src), "\n") {
		if strings.Contains(line, "// want") {
			want = append(want, sample+":"+strconv.Itoa(i+1))
		}
	}
	require.GreaterOrEqual(t, len(want), 6, "the sample plants every form")
	var got []string
	for _, f := range errTextFindings(t, sample, sample) {
		got = append(got, f[:strings.Index(f, ": ")])
	}
	assert.Equal(t, want, got)
}

// textFuncs are the string tests that, applied to an error's text, make a
// decision of it.
var textFuncs = map[string]bool{
	"strings.Contains": true, "strings.ContainsAny": true, "strings.ContainsRune": true,
	"strings.HasPrefix": true, "strings.HasSuffix": true, "strings.EqualFold": true,
	"strings.Index": true, "strings.IndexAny": true, "strings.LastIndex": true, "strings.Count": true,
	"strings.Cut": true, "strings.CutPrefix": true, "strings.CutSuffix": true,
	"bytes.Contains": true, "bytes.HasPrefix": true, "bytes.HasSuffix": true,
	"errors.ErrorContains": true,
}

// regexpMethods applied to error text decide by it too.
var regexpMethods = regexp.MustCompile(`^(Match|MatchString|FindString|FindStringIndex|FindStringSubmatch)$`)

// errTextFindings reports, as "rel:line: what", every place in the file
// that tests an error's text: err.Error() or iocloud.Advice(err), directly,
// through strings.ToLower and friends, or through a variable assigned one.
func errTextFindings(t *testing.T, path, rel string) []string {
	t.Helper()
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
	require.NoError(t, err, path)
	tainted := map[string]bool{} // names assigned error text, per file (names are short-lived; good enough)
	var out []string
	report := func(n ast.Node, what string) {
		out = append(out, rel+":"+strconv.Itoa(fset.Position(n.Pos()).Line)+": "+what)
	}
	var isText func(e ast.Expr) bool
	isText = func(e ast.Expr) bool {
		switch e := ast.Unparen(e).(type) {
		case *ast.Ident:
			return tainted[e.Name]
		case *ast.CallExpr:
			switch fn := e.Fun.(type) {
			case *ast.SelectorExpr:
				if fn.Sel.Name == "Error" && len(e.Args) == 0 {
					return true
				}
				if fn.Sel.Name == "Advice" {
					return true
				}
				// strings.ToLower(err.Error()) and the like carry it on.
				if pkg, ok := fn.X.(*ast.Ident); ok && (pkg.Name == "strings" || pkg.Name == "bytes") {
					return slices.ContainsFunc(e.Args, isText)
				}
			case *ast.Ident:
				return fn.Name == "Advice" || (fn.Name == "string" || fn.Name == "[]byte") && slices.ContainsFunc(e.Args, isText)
			}
		}
		return false
	}
	ast.Inspect(file, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			for i, lhs := range n.Lhs {
				if id, ok := lhs.(*ast.Ident); ok && len(n.Rhs) == len(n.Lhs) && isText(n.Rhs[i]) {
					tainted[id.Name] = true
				}
			}
		case *ast.ValueSpec:
			for i, name := range n.Names {
				if i < len(n.Values) && isText(n.Values[i]) {
					tainted[name.Name] = true
				}
			}
		case *ast.CallExpr:
			sel, ok := n.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if pkg, ok := sel.X.(*ast.Ident); ok && textFuncs[pkg.Name+"."+sel.Sel.Name] && slices.ContainsFunc(n.Args, isText) {
				report(n, pkg.Name+"."+sel.Sel.Name+" on error text")
			} else if regexpMethods.MatchString(sel.Sel.Name) && slices.ContainsFunc(n.Args, isText) {
				report(n, "a regular expression on error text")
			}
		case *ast.BinaryExpr:
			if (n.Op == token.EQL || n.Op == token.NEQ) && (isText(n.X) || isText(n.Y)) {
				report(n, "comparison of error text")
			}
		case *ast.SwitchStmt:
			if n.Tag != nil && isText(n.Tag) {
				report(n, "switch on error text")
			}
		}
		return true
	})
	return out
}

// moduleRoot is the directory holding go.mod, two levels up.
func moduleRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(t, err)
	_, err = os.Stat(filepath.Join(root, "go.mod"))
	require.NoError(t, err)
	return root
}
