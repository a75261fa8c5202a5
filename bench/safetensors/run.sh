#!/bin/sh
# SafeTensors validation time vs data-section size (same 1000-tensor header).
# Usage: bench/safetensors/run.sh BUILD_DIR   (builds nothing; needs safetensors_bench built)
set -eu
BIN="$1/bench/safetensors/safetensors_bench"
TMP=$(mktemp -d /tmp/st-bench.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
for size in 1048576 4294967296; do
  "$BIN" make "$TMP/m$size.safetensors" "$size" 1000 >/dev/null
  "$BIN" analyze "$TMP/m$size.safetensors" 20
  # Baselines on the same file: reading the header bytes, and Python's json.
  python3 - "$TMP/m$size.safetensors" <<'PY'
import json, struct, sys, time
p = sys.argv[1]
best_read = best_json = 1e9
for _ in range(20):
    t = time.perf_counter()
    with open(p, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        raw = f.read(n)
    t1 = time.perf_counter()
    json.loads(raw)
    t2 = time.perf_counter()
    best_read = min(best_read, t1 - t)
    best_json = min(best_json, t2 - t1)
print(f"  baseline python3: read header {best_read*1e3:.3f} ms, json.loads {best_json*1e3:.3f} ms ({len(raw)} bytes)")
PY
  du -h --apparent-size "$TMP/m$size.safetensors" | sed 's/^/  apparent size: /'
  du -h "$TMP/m$size.safetensors" | sed 's/^/  on disk: /'
done
