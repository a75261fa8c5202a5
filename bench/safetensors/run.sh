#!/bin/sh
# SafeTensors validation time vs data-section size (same 1000-tensor header: 1 MB and
# 4 GB data), and vs header size (10000 tensors over the same 4 GB).
# Usage: bench/safetensors/run.sh BUILD_DIR   (builds nothing; needs safetensors_bench built)
set -eu
BIN="$1/bench/safetensors/safetensors_bench"
TMP=$(mktemp -d /tmp/st-bench.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
for spec in 1048576:1000 4294967296:1000 4294967296:10000; do
  size=${spec%:*}
  tensors=${spec#*:}
  f="$TMP/m${size}_$tensors.safetensors"
  "$BIN" make "$f" "$size" "$tensors" >/dev/null
  "$BIN" analyze "$f" 20
  # Baselines on the same file: reading the header bytes, and Python's json.
  python3 - "$f" <<'PY'
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
  du -h --apparent-size "$f" | sed 's/^/  apparent size: /'
  du -h "$f" | sed 's/^/  on disk: /'
  rm -f "$f"
done
