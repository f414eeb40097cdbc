# syntax=docker/dockerfile:1
FROM registry.invalid/nowhere/golang:1.26 AS build
ENV CGO_ENABLED=0
RUN go version
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /usr/local/go/VERSION /VERSION
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/iocloud-mcp"]
