# syntax=docker/dockerfile:1
# check=error=true

# One image, both servers: the MCP server (default entrypoint, stdio) and the
# Slack bot. `check=error=true` makes `docker build` fail on any BuildKit lint
# warning, the same rules `make test` runs through hack/dockerlint.
#
# Build:
#   docker build -t iocloud \
#     --build-arg VERSION="$(git describe --tags --always --dirty)" \
#     --build-arg COMMIT="$(git rev-parse HEAD)" .
#
# MCP over stdio (the default; -i keeps stdin open):
#   docker run --rm -i iocloud --sandbox
#   docker run --rm -i -e IOCLOUD_API_KEY -e IOCLOUD_JWT iocloud
# MCP over streamable HTTP (a bearer token is mandatory off loopback):
#   docker run --rm -p 8080:8080 -e IOCLOUD_API_KEY -e IOCLOUD_MCP_AUTH_TOKEN iocloud --transport http
# Slack bot: choose the other binary with --entrypoint:
#   docker run --rm -p 3000:3000 -e IOCLOUD_API_KEY -e SLACK_SIGNING_SECRET -e SLACK_BOT_TOKEN \
#     --entrypoint /usr/local/bin/iocloud-slackbot iocloud

FROM golang:1.26-bookworm AS build
# go.mod stays buildable with Go 1.26; releases use the patched 1.27.3
# toolchain, which the go command fetches from the module proxy.
ENV GOTOOLCHAIN=go1.27.3 GOFLAGS=-mod=readonly
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
ARG VERSION=dev
ARG COMMIT=unknown
# scripts/build-release.sh holds the flags (CGO_ENABLED=0, -trimpath, -s -w,
# version stamp); scripts/dockercheck.sh runs the same script to rehearse this.
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    ./scripts/build-release.sh /out

# Static binaries need no libc: distroless static, running as its nonroot user.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/ /usr/local/bin/
# Inside a container 127.0.0.1 is unreachable from outside, so the HTTP
# listeners bind every interface here. This changes nothing for stdio; over
# HTTP the MCP server still refuses to start without IOCLOUD_MCP_AUTH_TOKEN,
# and the Slack bot verifies every request with SLACK_SIGNING_SECRET.
ENV IOCLOUD_MCP_ADDR=0.0.0.0:8080 IOCLOUD_SLACK_ADDR=0.0.0.0:3000
# 8080: MCP streamable HTTP (/mcp, /healthz); 3000: Slack (/slack/*, /healthz).
EXPOSE 8080 3000
ARG VERSION=dev
ARG COMMIT=unknown
# SPDX identifier of the project's licence (LICENSE).
ARG LICENSES=MIT
LABEL org.opencontainers.image.title="iocloud" \
      org.opencontainers.image.description="MCP server and Slack bot for io.net's IO Cloud GPU capacity and API keys" \
      org.opencontainers.image.source="https://github.com/iocloud-chatops/iocloud" \
      org.opencontainers.image.licenses="${LICENSES}" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${COMMIT}"
# 65532 is distroless's "nonroot"; numeric so Kubernetes runAsNonRoot can verify it.
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/iocloud-mcp"]
