# The modelgate image: one binary (`modelgate webhook|controller|scan|...`) on a minimal
# Debian runtime, running as the non-root user 65532. Build and push: docs/install.md.
#
#   docker build -t ghcr.io/modelgate/modelgate:0.1.0 .
#
# Two stages: the build stage has the compiler and the -dev packages of
# scripts/install-deps.sh ("libraries" list; scripts/chart-check.sh fails when they
# drift); the runtime stage has only the shared libraries the binary links
# (chart-check.sh compares them with `ldd` of a local build) and no build tools.

ARG DEBIAN_RELEASE=bookworm

FROM debian:${DEBIAN_RELEASE} AS build
ARG DEBIAN_FRONTEND=noninteractive
RUN apt-get update -q \
 && apt-get install -y -q --no-install-recommends \
      build-essential cmake pkg-config \
      libcpprest-dev libssl-dev nlohmann-json3-dev libyaml-cpp-dev prometheus-cpp-dev \
      libspdlog-dev libarchive-dev zlib1g-dev liblzma-dev libbz2-dev \
      libgtest-dev libgmock-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# Only the `modelgate` target (GoogleTest is needed to configure, not to build it).
RUN cmake -S . -B /build -DCMAKE_BUILD_TYPE=Release \
 && cmake --build /build --target modelgate -j"$(nproc)" \
 && strip -o /modelgate /build/cli/modelgate \
 && /modelgate version

FROM debian:${DEBIAN_RELEASE}-slim
ARG DEBIAN_FRONTEND=noninteractive
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="modelgate" \
      org.opencontainers.image.description="Kubernetes admission control for ML model weights" \
      org.opencontainers.image.version="${VERSION}"
RUN apt-get update -q \
 && apt-get install -y -q --no-install-recommends \
      ca-certificates \
      libcpprest2.10 libssl3 libyaml-cpp0.7 libprometheus-cpp-core1.0 libprometheus-cpp-pull1.0 \
      libspdlog1.10 libfmt9 libarchive13 zlib1g liblzma5 libbz2-1.0 libstdc++6 \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/* /var/log/*
COPY --from=build /modelgate /usr/local/bin/modelgate
# Numeric user and group, as the chart's runAsUser/runAsGroup: Kubernetes can check
# runAsNonRoot against a number without an /etc/passwd entry.
USER 65532:65532
WORKDIR /
# Exec form: nothing here needs a shell. Fails the build if a shared library is missing.
RUN ["/usr/local/bin/modelgate", "version"]
ENTRYPOINT ["/usr/local/bin/modelgate"]
CMD ["--help"]
