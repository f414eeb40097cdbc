package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

// copyContext copies the build context rooted at src into dst the way
// `docker build src` would send it: every file that src/.dockerignore does not
// exclude, with its mode. Building from that copy proves the .dockerignore
// keeps everything the build needs. Symlinks and special files are refused:
// the repository has none, and silently dropping one would hide a difference.
func copyContext(src, dst string) (int, error) {
	pm, err := readDockerignore(src)
	if err != nil {
		return 0, err
	}
	copied := 0
	err = filepath.WalkDir(src, func(path string, d fs.DirEntry, walkErr error) error {
		if walkErr != nil {
			return walkErr
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		if rel == "." {
			return nil
		}
		rel = filepath.ToSlash(rel)
		excluded := false
		if pm != nil {
			if excluded, err = pm.MatchesOrParentMatches(rel); err != nil {
				return fmt.Errorf(".dockerignore against %s: %w", rel, err)
			}
		}
		switch {
		case d.IsDir():
			if excluded && !exceptionInside(pm, rel) {
				return filepath.SkipDir
			}
			return nil
		case excluded:
			return nil
		case !d.Type().IsRegular():
			return fmt.Errorf("%s is not a regular file (%s); the context copy handles only files and directories", rel, d.Type())
		}
		if err := copyFile(path, filepath.Join(dst, filepath.FromSlash(rel))); err != nil {
			return err
		}
		copied++
		return nil
	})
	return copied, err
}

// readDockerignore returns nil when src has no .dockerignore (nothing excluded).
func readDockerignore(src string) (*patternmatcher.PatternMatcher, error) {
	f, err := os.Open(filepath.Join(src, ".dockerignore"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("open .dockerignore: %w", err)
	}
	defer f.Close()
	patterns, err := ignorefile.ReadAll(f)
	if err != nil {
		return nil, fmt.Errorf("read .dockerignore: %w", err)
	}
	pm, err := patternmatcher.New(patterns)
	if err != nil {
		return nil, fmt.Errorf("parse .dockerignore: %w", err)
	}
	return pm, nil
}

// exceptionInside reports whether a "!pattern" could re-include something
// below the excluded directory dir, in which case the walk must go in.
func exceptionInside(pm *patternmatcher.PatternMatcher, dir string) bool {
	for _, p := range pm.Patterns() {
		if !p.Exclusion() {
			continue
		}
		s := filepath.ToSlash(p.String())
		if strings.HasPrefix(s, dir+"/") || strings.Contains(s, "**") {
			return true
		}
	}
	return false
}

func copyFile(from, to string) error {
	info, err := os.Stat(from)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		return err
	}
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, info.Mode().Perm())
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		_ = out.Close()
		return fmt.Errorf("copy %s: %w", from, err)
	}
	return out.Close()
}
