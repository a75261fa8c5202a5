#!/usr/bin/env bash
# Runs every ctest test labelled "integration" against a Kubernetes API server.
#
# Which cluster (one rule, documented in e2e/README.md):
#   MODELGATE_USE_EXISTING=1 and $KUBECONFIG answers /readyz  -> that cluster is used;
#     tests that restart the API server are excluded (they cannot restart yours).
#   otherwise -> the local control plane (e2e/cluster.sh): reused when already up,
#     else started here and stopped again at the end.
#
# Usage: e2e/run-integration.sh [BUILD_DIR] [extra ctest args...]
#   BUILD_DIR defaults to $MODELGATE_BUILD_DIR or ./build; it must already be built.
set -euo pipefail

E2E_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$E2E_DIR")"
BUILD="${1:-${MODELGATE_BUILD_DIR:-$ROOT/build}}"
shift || true
CLUSTER="$E2E_DIR/cluster.sh"
export MODELGATE_CLUSTER_DIR="${MODELGATE_CLUSTER_DIR:-$HOME/.cache/modelgate/cluster}"

[ -d "$BUILD" ] || { echo "run-integration: build dir $BUILD not found" >&2; exit 2; }

exclude=()
started=0
if [ "${MODELGATE_USE_EXISTING:-0}" = "1" ] && [ -n "${KUBECONFIG:-}" ]; then
  if ! kubectl --kubeconfig "${KUBECONFIG%%:*}" get --raw /readyz >/dev/null 2>&1; then
    echo "run-integration: MODELGATE_USE_EXISTING=1 but $KUBECONFIG does not answer /readyz" >&2
    exit 1
  fi
  export MODELGATE_TEST_KUBECONFIG="${KUBECONFIG%%:*}"
  unset MODELGATE_TEST_CLUSTER_SCRIPT
  exclude=(-E 'ApiServerRestart|TooOldResourceVersion')
  echo "run-integration: using existing cluster from $MODELGATE_TEST_KUBECONFIG" \
    "(restart tests excluded)"
else
  if ! "$CLUSTER" status >/dev/null 2>&1; then
    "$CLUSTER" install
    "$CLUSTER" up
    started=1
  fi
  export MODELGATE_TEST_KUBECONFIG="$MODELGATE_CLUSTER_DIR/admin.kubeconfig"
  export MODELGATE_TEST_CLUSTER_SCRIPT="$CLUSTER"
fi

cleanup() {
  if [ "$started" = 1 ]; then "$CLUSTER" down || true; fi
}
trap cleanup EXIT

# Integration tests share one API server (and restart it): run them one at a time.
ctest --test-dir "$BUILD" -L integration --output-on-failure -j1 --timeout 300 "${exclude[@]}" "$@"
