FROM gcr.io/distroless/static-debian12:nonroot
ENTRYPOINT /usr/local/bin/iocloud-mcp
