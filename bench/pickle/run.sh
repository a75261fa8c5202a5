#!/usr/bin/env bash
# Pickle analyzer benchmark against baselines measured in the same run.
# Usage: bench/pickle/run.sh [BUILD_DIR]   (default build)
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
cmake --build "$build" -j2 --target pickle_bench >/dev/null
bench="$build/bench/pickle/pickle_bench"
dir=$(mktemp -d /var/tmp/mg-pickle-bench.XXXXXX)
trap 'rm -rf "$dir"' EXIT

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load average $(cut -d' ' -f1-3 /proc/loadavg)"
"$bench" generate state_dict "$dir/state_dict.pkl" 10
"$bench" generate ints "$dir/ints.pkl" 10
cat "$dir"/*.pkl >/dev/null  # warm the page cache for every contender

t() { /usr/bin/time -f "    %e s wall, %U s user, %M KB maxrss" "$@" 2>&1 >/dev/null | tail -1; }

for f in state_dict ints; do
  p="$dir/$f.pkl"
  echo
  echo "## $f.pkl ($(stat -c %s "$p") bytes, $(python3 -c "import pickletools,sys; print(sum(1 for _ in pickletools.genops(open(sys.argv[1],'rb').read())))" "$p") opcodes)"
  echo "modelgate analysis (in-process best of 5):"
  "$bench" analyze "$p" 5 | sed 's/^/    /'
  echo "modelgate analysis, whole process (1 run):"
  t "$bench" analyze "$p" 1
  echo "baseline: cat FILE > /dev/null"
  t cat "$p"
  echo "baseline: CPython C unpickler, stub find_class/persistent_load (a real load, minus imports)"
  t python3 -c '
import pickle, sys
class U(pickle.Unpickler):
    def find_class(self, m, n): return lambda *a, **k: None
    def persistent_load(self, pid): return None
U(open(sys.argv[1], "rb")).load()' "$p"
  echo "baseline: python3 pickletools.genops (opcode walk only, no stack)"
  t python3 -c 'import pickletools, sys; [0 for _ in pickletools.genops(open(sys.argv[1], "rb").read())]' "$p"
done
