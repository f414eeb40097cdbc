#!/usr/bin/env bash
# check.sh: proves the lint gate bites. Runs golangci-lint with the
# repository's .golangci.yml over testdata/, a throwaway module:
#   - testdata/bad must fail, with exactly the linters each "want: ..." comment
#     names reported on exactly that line (no more, no fewer);
#   - testdata/good, the same code written properly, must pass.
# So a config change that silently drops a linter, or one that rejects
# everything, fails `make test`.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

"$root/scripts/lint.sh" --install-only
export GOTOOLCHAIN=go1.27.3
# LINTCHECK_CONFIG swaps in another config, to show that a weakened one fails.
config=${LINTCHECK_CONFIG:-$root/.golangci.yml}
lint=("$root/.tools/bin/golangci-lint" run --allow-serial-runners --config "$config"
  --output.text.print-issued-lines=false --show-stats=false)
cd "$here/testdata"

# "file.go:LINE linter" for every expectation and every finding.
expected=$(grep -n '// want: ' bad/*.go | sed -E 's|^bad/([^:]+):([0-9]+):.*// want: (.*)$|\1 \2 \3|' |
  awk '{ for (i = 3; i <= NF; i++) print $1 ":" $2 " " $i }' | sort -u)

set +e
out=$("${lint[@]}" ./bad/... 2>&1)
rc=$?
set -e
actual=$(printf '%s\n' "$out" | sed -nE 's|^(.*/)?([^/:]+\.go):([0-9]+):[0-9]+: .* \(([a-z0-9]+)\)$|\2:\3 \4|p' | sort -u)

fail=0
if ((rc != 1)); then
  echo "lintcheck: golangci-lint on testdata/bad exited $rc, want 1 (issues found)" >&2
  fail=1
fi
if [[ $expected != "$actual" ]]; then
  echo "lintcheck: findings on testdata/bad differ from its want: comments (< wanted, > reported):" >&2
  diff <(printf '%s\n' "$expected") <(printf '%s\n' "$actual") >&2 || true
  fail=1
fi
if ((fail)); then
  printf '%s\n' "$out" >&2
  exit 1
fi

if ! good=$("${lint[@]}" ./good/... 2>&1); then
  echo "lintcheck: testdata/good must lint clean but did not:" >&2
  printf '%s\n' "$good" >&2
  exit 1
fi

linters=$(printf '%s\n' "$actual" | awk '{print $2}' | sort -u | tr '\n' ' ')
echo "lintcheck: ok: all $(printf '%s\n' "$actual" | wc -l) wanted findings on planted mistakes (${linters% }) and passed the clean twin"
