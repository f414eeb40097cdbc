#!/usr/bin/env bash
# dockercheck.sh: proves the Dockerfile without a Docker engine.
#
#  1. Tests hack/dockerlint (bad Dockerfiles must be flagged), then lints the
#     Dockerfile with BuildKit's own rules through it (no registry access).
#  2. Reads the image's shape from the Dockerfile itself (build-stage ENV, the
#     RUN that builds, final USER, ENV and ENTRYPOINT) and insists the build
#     stage runs scripts/build-release.sh, the one home of the release flags.
#  3. Copies the build context exactly as `docker build .` would send it
#     (.dockerignore applied) and runs that same script there, with the build
#     stage's ENV.
#  4. Checks both binaries are static, trimmed and stripped.
#  5. Runs them the way the image would: in an otherwise empty root, as uid
#     65532 (distroless "nonroot"), with no home directory and only the image's
#     ENV: --version on both (version, commit, Go version), an MCP session over
#     stdio against the sandbox (initialize, tools/list, list_hardware), the
#     refusals the Dockerfile's comments promise, and the Slack console.
#
# Needs root for chroot (CI and the dev containers run as root). Caches:
# .tools/bin/dockerlint and the usual Go build cache. Usage:
#   scripts/dockercheck.sh [DOCKERFILE]     (default: ./Dockerfile)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
dockerfile=${1:-Dockerfile}

export GOTOOLCHAIN=go1.27.3
export GOWORK=off
start=$SECONDS

fail() {
  echo "dockercheck: FAIL: $*" >&2
  exit 1
}
step() { echo "dockercheck: $*"; }

work=$(mktemp -d "${TMPDIR:-/tmp}/dockercheck.XXXXXX")
trap 'rm -rf "$work"' EXIT

# --- 1. BuildKit lint --------------------------------------------------------
step "testing and building hack/dockerlint (a few minutes the first time, cached after)"
(cd hack/dockerlint && go test -count=1 ./... && go build -o "$repo/.tools/bin/dockerlint" .) ||
  fail "hack/dockerlint's own tests or build failed"
dockerlint=$repo/.tools/bin/dockerlint
"$dockerlint" lint "$dockerfile" || fail "$dockerfile has BuildKit lint warnings (above)"

# --- 2. the image's shape, from the Dockerfile --------------------------------
shape=$("$dockerlint" describe "$dockerfile")
field() { printf '%s\n' "$shape" | sed -n "s/^$1 //p"; }

build_run=$(field build.run | tail -n 1)
[[ $build_run == 'sh -c "./scripts/build-release.sh /out"' ]] ||
  fail "the build stage's last RUN is '$build_run'; it must run ./scripts/build-release.sh /out, which this check rehearses"
field final.copy | grep -qxF 'build:/out/ /usr/local/bin/' ||
  fail "the final stage must COPY --from=build /out/ /usr/local/bin/"
user=$(field final.user | tail -n 1)
[[ $user == 65532:65532 ]] || fail "final USER is '${user:-unset}', want 65532:65532 (distroless nonroot)"
entrypoint=$(field final.entrypoint | tail -n 1)
[[ $entrypoint == /usr/local/bin/iocloud-mcp ]] ||
  fail "final ENTRYPOINT is '$entrypoint', want exec form [\"/usr/local/bin/iocloud-mcp\"]"
mapfile -t build_env < <(field build.env)
mapfile -t image_env < <(field final.env)

# --- 3. build from the docker build context, as the build stage does --------
step "copying the build context through .dockerignore"
"$dockerlint" context "$repo" "$work/context" >/dev/null
root=$work/root
mkdir -p "$root/usr/local/bin"
chmod 0755 "$work" "$root" "$root/usr" "$root/usr/local" "$root/usr/local/bin"

# Distinctive stamps even outside a git checkout, so --version proves -X took.
version=$(git describe --tags --always --dirty 2>/dev/null || echo 0.0.0-dockercheck)
commit=$(git rev-parse HEAD 2>/dev/null || echo dockercheck-commit)
step "building with scripts/build-release.sh (VERSION=$version COMMIT=$commit ${build_env[*]})"
# Only what the Dockerfile sets may shape the build: drop the caller's Go
# build knobs, then apply the build stage's ENV.
(cd "$work/context" &&
  env -u CGO_ENABLED -u GOOS -u GOARCH -u GOAMD64 -u GOEXPERIMENT -u GOFLAGS \
    VERSION="$version" COMMIT="$commit" "${build_env[@]}" \
    ./scripts/build-release.sh "$root/usr/local/bin") ||
  fail "the release build failed inside the docker build context (a file missing from .dockerignore's allowlist?)"

# --- 4. static, trimmed, stripped --------------------------------------------
bins=(iocloud-mcp iocloud-slackbot)
for b in "${bins[@]}"; do
  bin=$root/usr/local/bin/$b
  [[ -x $bin ]] || fail "$b was not built"
  info=$(go version -m "$bin")
  grep -qxF $'\tbuild\tCGO_ENABLED=0' <<<"$info" || fail "$b: go version -m does not show CGO_ENABLED=0"
  grep -qxF $'\tbuild\t-trimpath=true' <<<"$info" || fail "$b: go version -m does not show -trimpath=true"
  # (-trimpath keeps -ldflags out of the build info; --version below checks the stamp.)
  if command -v file >/dev/null; then
    desc=$(file -b "$bin")
    [[ $desc == *"statically linked"* ]] || fail "$b is not statically linked: $desc"
    [[ $desc == *", stripped"* ]] || fail "$b is not stripped: $desc"
  fi
  if command -v ldd >/dev/null && ldd "$bin" >/dev/null 2>&1; then
    fail "$b has dynamic dependencies: $(ldd "$bin" 2>&1 | tr '\n' ' ')"
  fi
done
step "binaries are static, trimmed and stripped: ${bins[*]}"

# --- 5. run them as the image would ------------------------------------------
if ((EUID != 0)); then
  fail "the run-as-uid-65532 rehearsal needs root for chroot (run as root, as CI does)"
fi
chroot=$(command -v chroot) || fail "chroot (coreutils) is not installed"
# The environment a container of this image starts with: distroless's PATH,
# Docker's HOME for uid 65532 (absent here: nothing can be written there), and
# the image's own ENV. Nothing from this shell leaks in.
runenv=(PATH=/usr/local/bin:/usr/bin:/bin HOME=/home/nonroot "${image_env[@]}")
# as_nonroot SECONDS CMD...: CMD inside the root as uid/gid 65532, killed
# after SECONDS (the root holds no timeout binary, so it wraps from outside).
as_nonroot() {
  local limit=$1
  shift
  timeout "$limit" env -i "${runenv[@]}" "$chroot" --userspec=65532:65532 --groups=65532 "$root" "$@"
}

gover=$(go env GOVERSION)
for b in "${bins[@]}"; do
  out=$(as_nonroot 10 "/usr/local/bin/$b" --version 2>&1) || fail "$b --version failed as uid 65532: $out"
  for want in "$version" "$commit" "$gover"; do
    [[ $out == *"$want"* ]] || fail "$b --version printed '$out'; it should name $want"
  done
  step "$b --version as uid 65532: $out"
done

# MCP over stdio, the image's default entrypoint, against the sandbox, driven
# like a client: initialize, wait for the answer, then initialized, tools/list
# and a list_hardware call; closing stdin must end the server cleanly.
mcp_session() {
  local line
  coproc MCP { as_nonroot 20 "$entrypoint" --sandbox 2>"$work/mcp.stderr"; }
  printf '%s\n' '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"dockercheck","version":"1.0.0"}}}' >&"${MCP[1]}"
  IFS= read -r -t 15 line <&"${MCP[0]}" && printf '%s\n' "$line"
  printf '%s\n' '{"jsonrpc":"2.0","method":"notifications/initialized"}' \
    '{"jsonrpc":"2.0","id":2,"method":"tools/list"}' \
    '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"list_hardware","arguments":{}}}' >&"${MCP[1]}"
  for _ in 1 2; do
    IFS= read -r -t 15 line <&"${MCP[0]}" && printf '%s\n' "$line"
  done
  local to_server=${MCP[1]} pid=$MCP_PID
  exec {to_server}>&- # EOF on the server's stdin
  wait "$pid"
}
set +e
out=$(mcp_session)
rc=$?
set -e
reply() { grep -F "\"id\":$1," <<<"$out" || grep -F "\"id\":$1}" <<<"$out" || true; }
init=$(reply 1) listing=$(reply 2) called=$(reply 3)
if ((rc != 0)) || [[ $init != *'"protocolVersion":"2025-06-18"'* || $listing != *'"name":"list_hardware"'* ||
  $called != *'"sandbox":true'* || $called == *'"isError":true'* ]]; then
  fail "iocloud-mcp --sandbox over stdio as uid 65532 (exit $rc, want 0 after stdin closed) did not initialize, list list_hardware and answer it from the sandbox
stdout: $out
stderr: $(cat "$work/mcp.stderr")"
fi
step "iocloud-mcp --sandbox (stdio) as uid 65532: initialize, tools/list (list_hardware listed), tools/call list_hardware answered from the sandbox, clean exit on EOF"

# refuses NAME_TO_MENTION SECONDS CMD...: CMD, run as the image would, must
# exit non-zero by itself (not by timeout) and say which variable is missing.
refuses() {
  local want=$1 limit=$2 rc=0 out
  shift 2
  out=$(as_nonroot "$limit" "$@" </dev/null 2>&1) || rc=$?
  if ((rc == 0 || rc == 124)) || [[ $out != *"$want"* ]]; then
    fail "'${*}' with the image's ENV should refuse to start naming $want; it exited $rc: $out"
  fi
  step "refused as promised: ${*##*/} -> $(head -n 1 <<<"$out")"
}
# The Dockerfile binds 0.0.0.0; that must never mean an open, unauthenticated server.
refuses IOCLOUD_MCP_AUTH_TOKEN 10 "$entrypoint" --sandbox --transport http
refuses SLACK_SIGNING_SECRET 10 /usr/local/bin/iocloud-slackbot --sandbox

# The Slack bot's console, the same binary without a workspace.
set +e
out=$(printf 'help\nhardware\n' | as_nonroot 20 /usr/local/bin/iocloud-slackbot --console --sandbox 2>&1)
rc=$?
set -e
# H100 is one of the sandbox's GPU types: the hardware table really arrived.
if ((rc != 0)) || [[ $out != *"Sandbox data"* || $out != *H100* ]]; then
  fail "iocloud-slackbot --console --sandbox as uid 65532 exited $rc or did not answer 'hardware' from the sandbox: $out"
fi
step "iocloud-slackbot --console --sandbox as uid 65532 answered help and hardware"

step "ok in $((SECONDS - start)) s"
