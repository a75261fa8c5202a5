#!/usr/bin/env bash
# End-to-end scenarios: kubectl apply through the real API server with modelgate's
# webhook and operator in front of it.
set -euo pipefail
build=${1:?usage: e2e.sh BUILD_DIR}
exec bash "$(dirname "$0")/../../e2e/run-e2e.sh" "$build"
