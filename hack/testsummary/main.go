// Command testsummary prints the one line `make test` ends with:
// "N passed, M failed, K skipped", counted from the `go test -json` events
// that gotestsum saved (--jsonfile) during `make unit`.
//
// Usage: testsummary [-status CODE] FILE
//
// Every test and subtest that ran counts once, by its final action. A package
// that failed without a failing test (it did not build, its TestMain or init
// failed, it timed out or panicked outside a test) counts as one failure, so
// "0 failed" always means nothing went wrong. A missing FILE means the unit
// tests did not run (an earlier step failed). -status is the exit status of
// the steps that ran before the summary: when it is not 0, the line says that
// a step failed, so a green count cannot hide a red lint.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// event is the part of a test2json event that is counted.
type event struct {
	Action  string
	Package string
	Test    string
}

// counts are the final actions of the tests that ran.
type counts struct {
	passed, failed, skipped int
}

func (c counts) String() string {
	return fmt.Sprintf("%d passed, %d failed, %d skipped", c.passed, c.failed, c.skipped)
}

// count reads test2json events. Lines that are not JSON (go test prints build
// errors as plain text when -json cannot) are skipped: the package's "fail"
// event accounts for them.
func count(r io.Reader) (counts, error) {
	var c counts
	failedTests := map[string]bool{} // package -> a test in it failed
	failedPkgs := map[string]bool{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20) // one Output line may be long
	for sc.Scan() {
		var e event
		if json.Unmarshal(sc.Bytes(), &e) != nil {
			continue
		}
		switch {
		case e.Test == "" && e.Action == "fail":
			failedPkgs[e.Package] = true
		case e.Test == "":
		case e.Action == "pass":
			c.passed++
		case e.Action == "fail":
			c.failed++
			failedTests[e.Package] = true
		case e.Action == "skip":
			c.skipped++
		}
	}
	for pkg := range failedPkgs {
		if !failedTests[pkg] {
			c.failed++
		}
	}
	return c, sc.Err()
}

func main() {
	status := flag.Int("status", 0, "exit status of the steps before the summary")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: testsummary [-status CODE] FILE")
		os.Exit(2)
	}
	line, err := summary(flag.Arg(0), *status)
	if err != nil {
		fmt.Fprintln(os.Stderr, "testsummary:", err)
		os.Exit(1)
	}
	fmt.Println(line)
}

// summary is the line for the events in path.
func summary(path string, status int) (string, error) {
	var c counts
	note := ""
	f, err := os.Open(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		note = " (the unit tests did not run)"
	case err != nil:
		return "", err
	default:
		defer func() { _ = f.Close() }()
		if c, err = count(f); err != nil {
			return "", fmt.Errorf("reading %s: %w", path, err)
		}
	}
	if status != 0 {
		note += " — make test FAILED: see the first error above"
	}
	return c.String() + note, nil
}
