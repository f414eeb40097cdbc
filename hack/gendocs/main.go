// Command gendocs writes the generated reference docs: docs/configuration.md
// from the config structs' env tags and config/describe.go, docs/tools.md
// from the MCP tool schema snapshots in tools/testdata. Run it from the
// module root (make docs). With -check it writes nothing and fails, naming
// each file, when one is missing or differs from what it would write; the
// same check runs in make test as this package's test.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

func main() {
	check := flag.Bool("check", false, "report stale generated docs instead of writing them")
	root := flag.String("root", ".", "the module root")
	flag.Parse()
	docs, err := generate(*root)
	if err == nil {
		if *check {
			err = checkDocs(*root, docs)
		} else {
			err = writeDocs(*root, docs)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gendocs:", err)
		os.Exit(1)
	}
}

// generate renders every generated doc: path below root -> content.
func generate(root string) (map[string][]byte, error) {
	tools, err := toolsDoc(filepath.Join(root, "tools", "testdata"))
	if err != nil {
		return nil, err
	}
	return map[string][]byte{
		"docs/configuration.md": configurationDoc(),
		"docs/tools.md":         tools,
	}, nil
}

func writeDocs(root string, docs map[string][]byte) error {
	for _, path := range sortedKeys(docs) {
		full := filepath.Join(root, filepath.FromSlash(path))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(full, docs[path], 0o644); err != nil { //nolint:gosec // G306: docs are meant to be read by everyone
			return err
		}
	}
	return nil
}

// errStale marks generated docs that differ from their sources.
var errStale = errors.New("generated docs are stale")

// checkDocs compares each doc with the file on disk.
func checkDocs(root string, docs map[string][]byte) error {
	var stale []string
	for _, path := range sortedKeys(docs) {
		have, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(path)))
		switch {
		case errors.Is(err, os.ErrNotExist):
			stale = append(stale, path+" is missing")
		case err != nil:
			return err
		case !bytes.Equal(have, docs[path]):
			stale = append(stale, path+" differs from its sources")
		}
	}
	if len(stale) > 0 {
		return fmt.Errorf("%w: %s; run `make docs` (go run ./hack/gendocs) and commit the result", errStale, strings.Join(stale, ", "))
	}
	return nil
}

func sortedKeys(m map[string][]byte) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// cell makes text safe inside a Markdown table cell.
func cell(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.ReplaceAll(strings.TrimSpace(s), "\n", "<br>")
}

// code wraps s in backticks (empty stays empty).
func code(s string) string {
	if s == "" {
		return ""
	}
	return "`" + s + "`"
}
