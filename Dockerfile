# grabkit in a container: `docker compose up` (see compose.yaml), or
#   docker build -t grabkit . && docker run -p 8080:8080 -v grabkit-data:/data grabkit
# The build stage runs the same commands as CI and the README: the wasm
# target, `cargo xtask plugins`, a release build of the `grabkit` binary.

FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN rustup target add wasm32-wasip2 \
 && cargo xtask plugins \
 && cargo build --release --locked -p grabkit

# The runtime image: the binary, the built plugins and ffmpeg (the download
# proxy's merge), run as an unprivileged user.
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin grabkit \
 && mkdir -p /data && chown grabkit /data
COPY --from=build /src/target/release/grabkit /usr/local/bin/grabkit
COPY --from=build /src/target/plugins/ /opt/grabkit/plugins/
# Inside the container grabkit listens on every interface; the data dir
# (database, compiled-plugin cache) is the volume.
ENV GRABKIT_LISTEN=0.0.0.0:8080 \
    GRABKIT_DATA_DIR=/data \
    GRABKIT_PLUGINS=/opt/grabkit/plugins \
    GRABKIT_CACHE_DIR=/data/cache
VOLUME ["/data"]
USER grabkit
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s \
  CMD curl -fsS http://127.0.0.1:8080/healthz >/dev/null || exit 1
ENTRYPOINT ["grabkit"]
CMD ["serve"]
