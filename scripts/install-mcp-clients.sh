#!/usr/bin/env bash
# Installs MCP clients nobody on this project wrote, for the interop tests:
# the MCP Inspector CLI (pinned) from npm into .mcpclients/ (git-ignored).
# cmd/iocloud-mcp's TestInspectorCLI runs it against the built binary; with
# IOCLOUD_REQUIRE_INSPECTOR=1 (set by `make test` when node is present) a
# missing CLI fails that test instead of skipping it.
set -euo pipefail
cd "$(dirname "$0")/.."

INSPECTOR_VERSION=2.12.0
PREFIX=.mcpclients
PKG=@modelcontextprotocol/inspector

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "install-mcp-clients: node and npm are needed (apt-get install nodejs npm)" >&2
  exit 1
fi

installed=$(node -p "require('./$PREFIX/node_modules/$PKG/package.json').version" 2>/dev/null || true)
if [ "$installed" = "$INSPECTOR_VERSION" ] && [ -x "$PREFIX/node_modules/.bin/mcp-inspector" ]; then
  echo "install-mcp-clients: $PKG@$INSPECTOR_VERSION already installed in $PREFIX"
  exit 0
fi

# npm writes its cache and logs under HOME; keep them out of the developer's.
npm_home=$(mktemp -d)
trap 'rm -rf "$npm_home"' EXIT
mkdir -p "$PREFIX"
echo "install-mcp-clients: installing $PKG@$INSPECTOR_VERSION into $PREFIX"
HOME="$npm_home" npm install --prefix "$PREFIX" --no-audit --no-fund --loglevel=error \
  "$PKG@$INSPECTOR_VERSION"
HOME="$npm_home" "$PREFIX/node_modules/.bin/mcp-inspector" --help >/dev/null 2>&1 || {
  echo "install-mcp-clients: $PKG installed but its CLI does not start" >&2
  exit 1
}
echo "install-mcp-clients: done ($PREFIX/node_modules/.bin/mcp-inspector)"
