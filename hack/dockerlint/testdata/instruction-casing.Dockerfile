FROM golang:1.26-bookworm AS build
run go version
RUN go env
FROM gcr.io/distroless/static-debian12:nonroot
ENTRYPOINT ["/usr/local/bin/iocloud-mcp"]
