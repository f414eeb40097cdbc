FROM golang:1.26-bookworm AS build
FROM golang:1.26-bookworm AS build
FROM gcr.io/distroless/static-debian12:nonroot
ENTRYPOINT ["/usr/local/bin/iocloud-mcp"]
