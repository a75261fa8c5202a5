#!/usr/bin/env bash
# Builds the libFuzzer targets with clang, ASan and UBSan, and runs each for
# MODELGATE_FUZZ_SECONDS (default 20) starting from its corpus. Any crash,
# leak or sanitizer report fails the run; the crashing input is kept in
# build-fuzz/crashes/ for a regression seed.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${MODELGATE_FUZZ_SECONDS:-20}
if [ "$seconds" = 0 ]; then
  echo "fuzz-smoke: MODELGATE_FUZZ_SECONDS=0, not run"
  exit 0
fi
dir=${FUZZ_BUILD_DIR:-build-fuzz}
CC=clang CXX=clang++ cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DMODELGATE_FUZZ=ON -DMODELGATE_SANITIZE=ON >/dev/null
targets=$(cd fuzz && ls *_fuzz.cc 2>/dev/null | sed 's/\.cc$//')
[ -n "$targets" ] || { echo "fuzz-smoke: no fuzz targets"; exit 1; }
# shellcheck disable=SC2086
cmake --build "$dir" -j"${JOBS:-2}" --target $targets
mkdir -p "$dir/crashes"
status=0
for t in $targets; do
  name=${t%_fuzz}
  work="$dir/corpus-$name"
  mkdir -p "$work"
  seeds=()
  [ -d "fuzz/corpus/$name" ] && seeds=("fuzz/corpus/$name")
  echo "fuzz-smoke: $t for ${seconds}s"
  if ! "$dir/fuzz/$t" -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=65536 \
      -artifact_prefix="$dir/crashes/$name-" -print_final_stats=1 "$work" "${seeds[@]}" \
      >"$dir/$name.log" 2>&1; then
    echo "fuzz-smoke: $t FAILED; see $dir/$name.log"
    tail -40 "$dir/$name.log"
    status=1
  else
    grep -E 'stat::number_of_executed_units' "$dir/$name.log" || true
  fi
done
exit $status
