#!/bin/sh
# build-release.sh OUTDIR: builds both release binaries into OUTDIR.
#
# The one place the release build flags live: the Dockerfile's build stage runs
# this script, and scripts/dockercheck.sh runs it too, so the image and its local
# rehearsal cannot drift apart. Static (no cgo), reproducible paths (-trimpath),
# stripped, and stamped with VERSION and COMMIT from the environment.
set -eu

out=${1:?usage: build-release.sh OUTDIR}
version=${VERSION:-dev}
commit=${COMMIT:-unknown}
stamp=github.com/iocloud-chatops/iocloud/cmd/internal/version

CGO_ENABLED=0 exec go build -trimpath \
	-ldflags "-s -w -X ${stamp}.Version=${version} -X ${stamp}.Commit=${commit}" \
	-o "${out%/}/" ./cmd/iocloud-mcp ./cmd/iocloud-slackbot
