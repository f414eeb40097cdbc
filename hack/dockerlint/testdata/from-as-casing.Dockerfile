FROM golang:1.26-bookworm as build
RUN ["go", "version"]
FROM gcr.io/distroless/static-debian12:nonroot
ENTRYPOINT ["/usr/local/bin/iocloud-mcp"]
