#!/usr/bin/env bash
# Scanner benchmarks, each against a baseline measured in the same run:
#  1. SHA-256 of one multi-GB file: modelgate (1 thread) vs `openssl dgst -sha256`
#     and `sha256sum` (target: >= 0.9x openssl).
#  2. Two files: modelgate with 1 vs 2 threads (both cores used across files).
#  3. `modelgate scan` of a 4 GB SafeTensors model: wall time and peak RSS
#     (target: peak memory under 64 MB), against `cat FILE > /dev/null`.
# Usage: bench/scan/run.sh [BUILD_DIR] [SIZE_MB]   (default build, 2048)
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
size_mb=${2:-2048}
cmake --build "$build" -j2 --target hash_bench modelgate >/dev/null
dir=$(mktemp -d /var/tmp/mg-bench.XXXXXX)
trap 'rm -rf "$dir"' EXIT

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem/{print $2}') GiB"
echo "file size: $size_mb MiB each (random data; page cache warm after the first read)"
head -c "$((size_mb << 20))" /dev/urandom >"$dir/a.bin"
head -c "$((size_mb << 20))" /dev/urandom >"$dir/b.bin"
cat "$dir/a.bin" "$dir/b.bin" >/dev/null  # warm the page cache for every contender

t() { /usr/bin/time -f "%e s  %M KB maxrss" "$@" 2>&1 >/dev/null | tail -1; }
mbps() { awk -v b="$((size_mb << 20))" -v s="$1" 'BEGIN{printf "%.0f MB/s", b/s/1e6}'; }
secs() { /usr/bin/time -f "%e" "$@" 2>&1 >/dev/null | tail -1; }
# CPU seconds (user + system): far less sensitive than wall time to other load on a
# shared machine, and what "throughput on one core" means.
cpu() { /usr/bin/time -f "%U %S" "$@" 2>&1 >/dev/null | tail -1 | awk '{printf "%.2f", $1 + $2}'; }
pct() { /usr/bin/time -f "%P" "$@" 2>&1 >/dev/null | tail -1; }

echo
echo "## 1. one file, one core (CPU seconds; throughput per CPU second)"
for i in 1 2 3; do
  o=$(cpu openssl dgst -sha256 "$dir/a.bin")
  s=$(cpu sha256sum "$dir/a.bin")
  m=$(cpu "$build/bench/scan/hash_bench" 1 "$dir/a.bin")
  echo "run $i: openssl $o s ($(mbps "$o")), sha256sum $s s ($(mbps "$s")), modelgate $m s ($(mbps "$m")), ratio modelgate/openssl throughput $(awk -v o="$o" -v m="$m" 'BEGIN{printf "%.2f", o/m}')"
done

echo
echo "## 2. two files: 1 thread vs 2 threads (CPU use: 200% = both cores busy)"
for i in 1 2; do
  one=$(pct "$build/bench/scan/hash_bench" 1 "$dir/a.bin" "$dir/b.bin")
  two=$(pct "$build/bench/scan/hash_bench" 2 "$dir/a.bin" "$dir/b.bin")
  echo "run $i: 1 thread uses $one of the CPUs, 2 threads use $two"
done

echo
echo "## 3. modelgate scan of a 4 GB SafeTensors model: time and peak memory"
python3 - "$dir/model" <<'PY'
import json, os, struct, sys
root = sys.argv[1]; os.makedirs(root)
n = 4 << 30; per = n // 4
hdr = {f"layer{i}.weight": {"dtype": "F32", "shape": [per // 4], "data_offsets": [i * per, (i + 1) * per]} for i in range(4)}
raw = json.dumps(hdr).encode(); raw += b" " * (-len(raw) % 8)
with open(os.path.join(root, "model.safetensors"), "wb") as f:
    f.write(struct.pack("<Q", len(raw)) + raw)
    chunk = os.urandom(1 << 20)
    for _ in range(n >> 20): f.write(chunk)
PY
cat "$dir/model/model.safetensors" >/dev/null
echo "baseline cat:        $(t cat "$dir/model/model.safetensors")"
echo "baseline openssl:    $(t openssl dgst -sha256 "$dir/model/model.safetensors")"
echo "modelgate scan:      $(t "$build/cli/modelgate" scan --no-progress "$dir/model")"
