#!/usr/bin/env bash
# Builds kube-apiserver and kube-controller-manager from Debian's `kubernetes` source
# package with Debian's Go, and caches the binaries under
#   $MODELGATE_CACHE/kubernetes-<source version>/bin/
# so that every later run finds them in seconds. Sourced by e2e/cluster.sh.
#
# Why the source package: the project must not download anything but Debian packages,
# and Debian ships kubernetes only as `kubernetes-client` (kubectl). The source package
# vendors all Go dependencies, so the build needs no network.

MODELGATE_CACHE="${MODELGATE_CACHE:-$HOME/.cache/modelgate}"
# Bumped whenever the build recipe changes, so binaries from an older recipe are rebuilt.
K8S_RECIPE="2 (vendor reflect2 replaced by Debian's 1.0.2)"

_sudo() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# Adds a deb-src entry for the suite(s) the machine already uses, in the format the
# machine already uses (deb822 .sources on bookworm images, one-line .list otherwise).
k8s_ensure_deb_src() {
  if apt-cache showsrc kubernetes >/dev/null 2>&1 &&
     [ -n "$(apt-cache showsrc kubernetes 2>/dev/null)" ]; then
    return 0
  fi
  local main=/etc/apt/sources.list.d/debian.sources
  if [ -f "$main" ]; then
    # Reuse URIs/Suites/Components/Signed-By of the first stanza that names the main archive.
    awk 'BEGIN{RS=""; FS="\n"} /URIs: *http[^\n]*debian[ \t]*(\n|$)/ && !/security/ {
           out=$0; sub(/Types: *deb[^\n]*/, "Types: deb-src", out); print out; exit }' "$main" |
      grep -v '^#' | _sudo tee /etc/apt/sources.list.d/modelgate-deb-src.sources >/dev/null
  else
    grep -h '^deb ' /etc/apt/sources.list 2>/dev/null | grep -v security | sed 's/^deb /deb-src /' |
      _sudo tee /etc/apt/sources.list.d/modelgate-deb-src.list >/dev/null
  fi
  _sudo apt-get update -q
}

# Prints the source package version apt would fetch, e.g. 1.20.5+really1.20.2-1.1+deb12u1.
k8s_source_version() {
  apt-cache showsrc kubernetes 2>/dev/null | awk '/^Version:/{print $2; exit}'
}

# Directory holding the cached binaries for a source version (no epoch, ':' is unsafe).
k8s_bin_dir() { echo "$MODELGATE_CACHE/kubernetes-${1#*:}/bin"; }

# Finds already built binaries without asking apt (fast path for `up`).
k8s_cached() {  # bin dir
  [ -x "$1/kube-apiserver" ] && [ -x "$1/kube-controller-manager" ] &&
    grep -qxF "recipe: $K8S_RECIPE" "$1/../BUILD-INFO" 2>/dev/null
}

k8s_find_cached_bin_dir() {
  local d
  for d in "$MODELGATE_CACHE"/kubernetes-*/bin; do
    if k8s_cached "$d"; then
      echo "$d"
      return 0
    fi
  done
  return 1
}

# Builds (if needed) and prints the bin dir. Log of the Go build goes to
# $MODELGATE_CACHE/kubernetes-<version>/build.log.
k8s_install() {
  k8s_ensure_deb_src
  local version
  version="$(k8s_source_version)"
  if [ -z "$version" ]; then
    echo "cluster: apt-cache showsrc kubernetes found no source package; see e2e/README.md" >&2
    return 1
  fi
  local bin
  bin="$(k8s_bin_dir "$version")"
  if k8s_cached "$bin"; then
    echo "$bin"
    return 0
  fi
  command -v go >/dev/null || { echo "cluster: golang-go missing (scripts/install-deps.sh)" >&2; return 1; }
  local src="$MODELGATE_CACHE/src"
  mkdir -p "$src" "$bin"
  local upstream="${version#*:}"
  upstream="${upstream%-*}"
  local tree="$src/kubernetes-$upstream"
  if [ ! -d "$tree/cmd/kube-apiserver" ]; then
    (cd "$src" && apt-get source -q kubernetes >&2)
  fi
  # Kubernetes 1.20 vendors modern-go/reflect2 1.0.1, which crashes under Go >= 1.18
  # ("unexpected fault address" in mapiterinit, e.g. on the first custom resource).
  # Bookworm only has Go 1.19, so the vendored copy is replaced by Debian's
  # golang-github-modern-go-reflect2-dev (1.0.2, the upstream fix; API-compatible).
  local reflect2=/usr/share/gocode/src/github.com/modern-go/reflect2
  if [ ! -f "$reflect2/go_above_118.go" ]; then
    echo "cluster: golang-github-modern-go-reflect2-dev missing (scripts/install-deps.sh)" >&2
    return 1
  fi
  if [ ! -f "$tree/vendor/github.com/modern-go/reflect2/go_above_118.go" ]; then
    rm -rf "$tree/vendor/github.com/modern-go/reflect2"
    mkdir -p "$tree/vendor/github.com/modern-go/reflect2"
    cp -r "$reflect2"/. "$tree/vendor/github.com/modern-go/reflect2/"
    rm -f "$tree/vendor/github.com/modern-go/reflect2/go.mod"
  fi
  local log="$MODELGATE_CACHE/kubernetes-${version#*:}/build.log"
  echo "cluster: building kube-apiserver + kube-controller-manager $version (log: $log)" >&2
  # Same GOPATH layout as debian/rules. kubernetes 1.20's hack/lib/init.sh forces
  # GO111MODULE=off, so the build resolves imports from vendor/ through GOPATH rules;
  # GOFLAGS=-mod=vendor would be rejected in that mode, and hack/lib/golang.sh parses
  # GOFLAGS for -tags, so it stays empty. The machine has 2 shared cores: NumCPU is 2,
  # which is go build's default -p; GOMAXPROCS=2 caps the compiler's own threads.
  (
    cd "$tree"
    mkdir -p .go/src/k8s.io
    [ -L .go/src/k8s.io/kubernetes ] || ln -s ../../.. .go/src/k8s.io/kubernetes
    export GOPATH="$tree/.go" GOFLAGS="" GOMAXPROCS=2 GOTOOLCHAIN=local
    export GOPROXY=off CGO_ENABLED=0 HOME="${HOME}"
    make WHAT="cmd/kube-apiserver cmd/kube-controller-manager" >"$log" 2>&1
  ) || { echo "cluster: build failed; tail of $log:" >&2; tail -n 30 "$log" >&2; return 1; }
  cp "$tree/_output/bin/kube-apiserver" "$tree/_output/bin/kube-controller-manager" "$bin/"
  printf 'source: kubernetes %s (Debian source package)\ngo: %s\nrecipe: %s\n' \
    "$version" "$(go version)" "$K8S_RECIPE" >"$bin/../BUILD-INFO"
  echo "$bin"
}
