FORM gcr.io/distroless/static-debian12:nonroot
