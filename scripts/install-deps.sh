#!/usr/bin/env bash
# Installs every Debian package that building, testing and the demo need.
# Idempotent: packages already present are left alone; safe to run on every CI job.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake pkg-config clang libclang-rt-14-dev
  # libraries (see README "Stack")
  libcpprest-dev libssl-dev nlohmann-json3-dev libyaml-cpp-dev prometheus-cpp-dev
  libspdlog-dev libarchive-dev zlib1g-dev liblzma-dev libbz2-dev
  libgtest-dev libgmock-dev
  # tools used by tests, the demo and benchmarks
  python3 curl openssl procps wrk hyperfine
  # local Kubernetes control plane (e2e/cluster.sh): etcd, Go to build kube-apiserver from
  # the kubernetes source package (apt-get source needs dpkg-dev), unzip for e2e/install-tools.sh
  etcd-server etcd-client golang-go dpkg-dev rsync unzip util-linux golang-github-modern-go-reflect2-dev
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo_cmd apt-get update -q
  $sudo_cmd apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "install-deps: all ${#packages[@]} packages present"
fi
