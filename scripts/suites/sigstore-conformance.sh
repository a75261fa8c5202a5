#!/usr/bin/env bash
# The Sigstore conformance bundle-verification cases (../shared/testdata), offline,
# through `modelgate verify-bundle`. The tool prints "N passed, N failed".
set -euo pipefail
build=${1:?usage: sigstore-conformance.sh BUILD_DIR}
root="$(cd "$(dirname "$0")/../.." && pwd)"
shared=${MODELGATE_SHARED_DIR:-$root/../shared}
exec python3 "$shared/tools/sigstore-conformance.py" "$build/cli/modelgate"
