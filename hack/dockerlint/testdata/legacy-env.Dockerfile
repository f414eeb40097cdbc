FROM gcr.io/distroless/static-debian12:nonroot
ENV IOCLOUD_MCP_ADDR 0.0.0.0:8080
ENTRYPOINT ["/usr/local/bin/iocloud-mcp"]
