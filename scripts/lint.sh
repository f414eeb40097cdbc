#!/usr/bin/env bash
# lint.sh [PACKAGES...]: the lint gate. Installs golangci-lint v2.15.0 into
# .tools/bin when it is missing or another version (a one-off ~4 minute compile
# through the module proxy; cached after that), checks .golangci.yml against
# the linter's schema, then lints ./... and the hack/dockerlint module (or just
# PACKAGES of the main module). Exit status is non-zero on any finding.
#
# lint.sh --install-only: just make sure .tools/bin/golangci-lint is v2.15.0
# (hack/lintcheck/check.sh uses it).
set -euo pipefail
cd "$(dirname "$0")/.."

export GOTOOLCHAIN=go1.27.3
readonly version=2.15.0
readonly bin="$PWD/.tools/bin/golangci-lint"

installed=""
if [[ -x $bin ]]; then
  installed=$("$bin" version --short 2>/dev/null || true)
fi
if [[ $installed != "$version" ]]; then
  echo "lint.sh: installing golangci-lint v$version into .tools/bin (found: ${installed:-none}); this takes a few minutes once" >&2
  rm -f "$bin" # go install will not overwrite a file that is not a Go binary
  GOBIN="$PWD/.tools/bin" go install "github.com/golangci/golangci-lint/v2/cmd/golangci-lint@v$version"
fi
if [[ ${1:-} == --install-only ]]; then
  exit 0
fi

"$bin" config verify --config .golangci.yml
# --allow-serial-runners: wait for other runs (parallel make targets, other
# checkouts) instead of failing on golangci-lint's lock.
lint=("$bin" run --allow-serial-runners --config "$PWD/.golangci.yml")
if (($# > 0)); then
  exec "${lint[@]}" "$@"
fi
status=0
"${lint[@]}" ./... || status=$?
# The Dockerfile linter is its own module (BuildKit's dependencies stay out of
# go.mod), so ./... above does not reach it.
(cd hack/dockerlint && "${lint[@]}" ./...) || status=$?
exit "$status"
