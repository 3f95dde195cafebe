# syntax=docker/dockerfile:1
# The AGIR server as a container: a static binary on distroless, run as a non-root user.
#   docker build -t agir-backend .
# It needs a PostgreSQL (DATABASE_URL) with the extensions of deploy/postgres/ (the image
# has no PostgreSQL binaries, so no private cluster): compose.yaml brings one.

FROM golang:1.26-bookworm AS build
WORKDIR /src
# Modules first: they are cached while only the sources change.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# lib/pq is pure Go: no cgo, a static binary that needs no libc.
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/agir ./server \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
# The data directory holds the development signing secret when AGIR_DEV_SECRET is unset.
COPY --from=build --chown=nonroot:nonroot /out/data /var/lib/agir
COPY --from=build /out/agir /usr/local/bin/agir
USER nonroot:nonroot
ENV PORT=8080 \
    AGIR_DATA_DIR=/var/lib/agir \
    LOG_FORMAT=json
EXPOSE 8080
VOLUME ["/var/lib/agir"]
ENTRYPOINT ["/usr/local/bin/agir"]
CMD ["serve"]
