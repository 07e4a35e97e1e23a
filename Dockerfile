# Runtime image with every tool, man page and pipeline of systematic-trading-infra.
#   docker build -t sti . && docker run --rm --env-file .env -v sti-store:/var/lib/sti sti pipelines/daily
# Secrets come only through the environment (--env-file); nothing secret is baked into the image.

FROM debian:12-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends \
	build-essential pkg-config libcurl4-openssl-dev libjansson-dev libpq-dev libssl-dev check mandoc \
	&& rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN make clean && make -j"$(nproc)" && make install PREFIX=/usr/local DESTDIR=/out

FROM debian:12-slim
RUN apt-get update && apt-get install -y --no-install-recommends \
	libcurl4 libjansson4 libpq5 libssl3 ca-certificates jq parallel util-linux man-db tzdata \
	&& rm -rf /var/lib/apt/lists/* \
	&& useradd --system --create-home --home-dir /var/lib/sti --shell /usr/sbin/nologin sti
COPY --from=build /out/usr/local /usr/local
ENV STI_STORE=/var/lib/sti/store PATH=/usr/local/share/sti/pipelines:/usr/local/bin:/usr/bin:/bin
USER sti
WORKDIR /var/lib/sti
VOLUME /var/lib/sti
CMD ["daily"]
