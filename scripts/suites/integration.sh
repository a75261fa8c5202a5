#!/usr/bin/env bash
# Integration tests (ctest label "integration") against a real API server:
# the local control plane from e2e/cluster.sh, built and cached on first use.
set -euo pipefail
build=${1:?usage: integration.sh BUILD_DIR}
exec bash "$(dirname "$0")/../../e2e/run-integration.sh" "$build"
