package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// repoDockerfile is the product's Dockerfile, two levels up from this module.
const repoDockerfile = "../../Dockerfile"

func TestLintFlagsBadDockerfiles(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file  string
		rules []string // every rule the sample must trigger, and nothing else
	}{
		{"from-as-casing.Dockerfile", []string{"FromAsCasing"}},
		{"instruction-casing.Dockerfile", []string{"ConsistentInstructionCasing"}},
		{"shell-entrypoint.Dockerfile", []string{"JSONArgsRecommended"}},
		{"secret-env.Dockerfile", []string{"SecretsUsedInArgOrEnv"}},
		{"duplicate-stage.Dockerfile", []string{"DuplicateStageName"}},
		{"legacy-env.Dockerfile", []string{"LegacyKeyValueFormat"}},
		{"parse-error.Dockerfile", []string{"BuildError"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join("testdata", tt.file)
			var out bytes.Buffer
			err := run(t.Context(), []string{"lint", path}, &out)
			require.ErrorIs(t, err, errFindings, "a bad Dockerfile must fail the lint")

			dt, err := os.ReadFile(path)
			require.NoError(t, err)
			findings, err := lintDockerfile(t.Context(), path, dt)
			require.NoError(t, err)
			var rules []string
			for _, f := range findings {
				rules = append(rules, f.Rule)
				assert.Positive(t, f.Line, "finding %s should point at a line", f.Rule)
				assert.Contains(t, out.String(), f.Rule, "the output names the rule")
			}
			slices.Sort(rules)
			assert.Equal(t, tt.rules, slices.Compact(rules))
		})
	}
}

func TestLintRefusesSkippedRules(t *testing.T) {
	t.Parallel()
	err := run(t.Context(), []string{"lint", "testdata/skip-rules.Dockerfile"}, &bytes.Buffer{})
	require.ErrorIs(t, err, errSkippedRules)
}

// The offline resolver answers for any image, so an unresolvable registry is
// no error: proof that linting looked nothing up over the network.
func TestLintCleanDockerfileNeedsNoRegistry(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	require.NoError(t, run(t.Context(), []string{"lint", "testdata/clean.Dockerfile"}, &out))
	assert.Contains(t, out.String(), "no BuildKit lint warnings")
}

func TestRepoDockerfilePassesLint(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	err := run(t.Context(), []string{"lint", repoDockerfile}, &out)
	require.NoError(t, err, "lint output:\n%s", out.String())
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{nil, {"lint"}, {"frobnicate", "x"}, {"context", "only-one"}} {
		err := run(t.Context(), args, &bytes.Buffer{})
		require.Error(t, err, "args %q", args)
		require.NotErrorIs(t, err, errFindings)
		assert.Contains(t, err.Error(), "usage:")
	}
	err := run(t.Context(), []string{"lint", "testdata/does-not-exist.Dockerfile"}, &bytes.Buffer{})
	require.ErrorIs(t, err, os.ErrNotExist)
}
