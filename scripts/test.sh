#!/usr/bin/env bash
# The README's test command: installs what is needed, builds, and runs every
# test suite (unit tests, fuzz corpus replay and a short fuzz smoke run, the
# Sigstore conformance suite, integration and end-to-end tests on a local
# control plane). Ends with one "N passed, N failed" line over the suites;
# exits non-zero when any suite failed.
#
# Environment:
#   BUILD_DIR            build folder (default: build)
#   MODELGATE_FUZZ_SECONDS  seconds per fuzz target in the smoke run (default 20; 0 skips it)
#   KUBECONFIG + MODELGATE_USE_EXISTING=1  run cluster tests against that cluster
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
build=${BUILD_DIR:-build}
jobs=${JOBS:-2}

bash scripts/install-deps.sh || { echo "test.sh: installing dependencies failed"; exit 1; }

passed=0
failed=0
failures=()
suite() {  # suite NAME COMMAND... : runs one suite and tallies it
  local name=$1
  shift
  echo "=== suite: $name"
  local start=$SECONDS
  if "$@"; then
    passed=$((passed + 1))
    echo "=== suite: $name: PASSED ($((SECONDS - start)) s)"
  else
    failed=$((failed + 1))
    failures+=("$name")
    echo "=== suite: $name: FAILED ($((SECONDS - start)) s)"
  fi
}

build_all() {
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMODELGATE_WERROR=ON >/dev/null &&
    cmake --build "$build" -j"$jobs"
}
suite build build_all
if ((failed)); then
  echo "build failed; nothing else can run"
  echo "0 passed, 1 failed"
  exit 1
fi

suite unit-tests ctest --test-dir "$build" -L unit --output-on-failure -j"$jobs"
suite fuzz-smoke bash scripts/fuzz-smoke.sh
for s in scripts/suites/*.sh; do
  [ -e "$s" ] || continue
  suite "$(basename "$s" .sh)" bash "$s" "$root/$build"
done

echo
if ((failed)); then echo "failed suites: ${failures[*]}"; fi
echo "$passed passed, $failed failed"
((failed == 0))
