FROM gcr.io/distroless/static-debian12:nonroot
ENV IOCLOUD_API_KEY=io-v2-not-a-real-key
ENTRYPOINT ["/usr/local/bin/iocloud-mcp"]
