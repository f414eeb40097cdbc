#!/usr/bin/env bash
# tools.sh NAME: prints the path of a pinned developer tool in .tools/bin,
# installing it first (go install through the module proxy) when it is
# missing or another version. The pins live here, in one place:
#   gotestsum    runs the unit tests readably and writes their JSON events
#   govulncheck  the vulnerability gate (scripts/vulncheck.sh)
# and the version of golang.org/x/vulndb whose OSV files are that gate's
# offline database.
# golangci-lint has its own installer, scripts/lint.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

export GOTOOLCHAIN=go1.27.3

# golang.org/x/vulndb: the offline vulnerability data. Bump it with
#   go list -m golang.org/x/vulndb@latest
# and commit the new pin, so every run of make test judges the same data.
readonly VULNDB_VERSION=v0.0.0-20261105234957-e22db6528018

case ${1:-} in
  gotestsum) pkg=gotest.tools/gotestsum version=v1.13.0 ;;
  govulncheck) pkg=golang.org/x/vuln/cmd/govulncheck version=v1.9.0 ;;
  vulndb-version) echo "$VULNDB_VERSION"; exit 0 ;;
  *) echo "usage: tools.sh gotestsum|govulncheck|vulndb-version" >&2; exit 2 ;;
esac

bin=$PWD/.tools/bin/$1
# go version -m reads the module version the binary was built from, so a
# binary of another version (or not a Go binary at all) is replaced.
have=$(go version -m "$bin" 2>/dev/null | awk '$1 == "mod" { print $3; exit }' || true)
if [[ $have != "$version" ]]; then
  echo "tools.sh: installing $pkg@$version into .tools/bin (found: ${have:-none})" >&2
  rm -f "$bin"
  GOBIN=$PWD/.tools/bin go install "$pkg@$version"
fi
echo "$bin"
