#!/usr/bin/env bash
# vulncheck.sh: the vulnerability gate. govulncheck (pinned, in .tools/bin)
# scans the product module against an offline copy of the Go vulnerability
# database and fails on any finding the code can reach (symbol level: a
# vulnerable function actually called, the standard library included).
# Vulnerable modules that are required but never called are listed and do
# not fail the gate.
#
# Offline: the database is the data/osv directory of the pinned
# golang.org/x/vulndb module (its OSV files, one per vulnerability), which the
# go command fetches once through the module proxy like any module. govulncheck
# reads such a flat directory of OSV files directly when -db names it with
# file:// (it indexes them in memory, ~1 s), so nothing has to be built; the
# scans run with GOPROXY=off, and no vulnerability service is ever asked.
# (vulndb's cmd/indexdb would write the indexed v1 layout instead, but
# compiling it and its dependencies costs about 95 CPU-seconds cold.)
#
# It then proves the gate bites: testdata/vulnerable calls a function of
# golang.org/x/text v0.3.7 with a known vulnerability (GO-2022-1059), and
# govulncheck must report it with exit status 3. An empty or unreadable
# database, or a govulncheck that no longer reads flat OSV directories, would
# pass the product scan silently; it cannot pass this one.
set -euo pipefail
cd "$(dirname "$0")/.."

export GOTOOLCHAIN=go1.27.3
version=$(bash scripts/tools.sh vulndb-version)
govulncheck=$(bash scripts/tools.sh govulncheck)

# -json names the module's directory in the module cache, wherever that is.
src=$(go mod download -json "golang.org/x/vulndb@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
db=$src/data/osv
if [[ ! -f $db/GO-2022-1059.json ]]; then
  echo "vulncheck.sh: golang.org/x/vulndb@$version has no data/osv files (looked in: ${src:-nothing})" >&2
  exit 1
fi

# The scanned modules' own dependencies come from the module proxy like for
# any build (a no-op when cached); after that GOPROXY=off makes any attempt to
# reach the network an error instead of a silent download.
go mod download
(cd hack/vulncheck/testdata && go mod download)
export GOPROXY=off GOFLAGS="${GOFLAGS:-} -mod=readonly"

echo "govulncheck: scanning ./... against golang.org/x/vulndb@$version ($(go env GOVERSION))"
"$govulncheck" -db "file://$db" ./...

cd hack/vulncheck/testdata
set +e
out=$("$govulncheck" -db "file://$db" ./... 2>&1)
rc=$?
set -e
if ((rc != 3)) || ! grep -q 'GO-2022-1059' <<<"$out"; then
  echo "vulncheck.sh: the planted vulnerability in hack/vulncheck/testdata was not reported" >&2
  echo "(govulncheck exited $rc, want 3 with GO-2022-1059): the database or the scan is broken" >&2
  printf '%s\n' "$out" >&2
  exit 1
fi
echo "govulncheck: the planted vulnerability (GO-2022-1059) is reported, so the gate bites"
