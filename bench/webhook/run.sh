#!/usr/bin/env bash
# Webhook throughput, latency and memory against a bare HTTPS server on the same
# stack, measured in the same run (see README.md).
# Usage: bench/webhook/run.sh [BUILD_DIR]      (default build)
# Env: ROUNDS (2: bare, validator, bare, validator...), WRK_DURATION (15s),
#      RATE (200 req/s), RATE_SECONDS (12), MODELS (10000), NETPOLS (10000),
#      IO_THREADS (4, the webhook's default; both servers get the same pool size).
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
rounds=${ROUNDS:-2} wrk_duration=${WRK_DURATION:-15s} rate=${RATE:-200} rate_seconds=${RATE_SECONDS:-12}
models=${MODELS:-10000} netpols=${NETPOLS:-10000} io_threads=${IO_THREADS:-4}
# shellcheck source=lib.sh
source bench/webhook/lib.sh
echo "machine: $(machine); I/O threads per server: $io_threads"
bench_setup "$build" bench
sed 's/^/body /' "$dir/bodies.txt"
bodies="$dir/pod.json $dir/deployment.json"
echo "decision cost without HTTP/TLS (one thread, Validator::Handle on the same bodies):"
for view in indexed inmemory; do
  "$bin/webhook_bench_server" --mode validator --cert "$dir/cert.pem" --key "$dir/key.pem" --models "$models" \
    --netpols "$netpols" --view "$view" --inproc 2000 2>&1 | sed 's/^/    /'
done

# start MODE: starts the server on a free port, sets $server_pid and $url.
start() {
  : >"$dir/out"
  "$bin/webhook_bench_server" --mode "$1" --port 0 --cert "$dir/cert.pem" --key "$dir/key.pem" \
    --models "$models" --netpols "$netpols" --io-threads "$io_threads" >"$dir/out" 2>"$dir/log.$1" &
  server_pid=$!
  url=
  for _ in $(seq 300); do
    url=$(sed -n 's/^listening //p' "$dir/out")
    [ -n "$url" ] && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$dir/log.$1"; exit 1; }
    sleep 0.1
  done
  [ -n "$url" ] || { echo "server did not start"; exit 1; }
  grep -h '^cluster view' "$dir/log.$1" | sed 's/^/  /' || true
}

# stop: SIGTERM; sets $server_hwm to the server's VmHWM in MB (it prints it on exit).
stop() {
  kill -TERM "$server_pid"
  wait "$server_pid" || true
  server_pid=
  server_hwm=$(sed -n 's/^rss [a-z]* //p' "$dir/out" |
    python3 -c 'import json,sys; print("%.1f" % (json.load(sys.stdin)["vm_hwm_kb"] / 1024))')
}

declare -A rps p99w rate_p50 rate_p99 hwm
for round in $(seq "$rounds"); do
  for mode in bare validator; do
    echo
    echo "## round $round: $mode server (load average $(cut -d' ' -f1-3 /proc/loadavg))"
    start "$mode"
    WRK_BODIES="$bodies" wrk -t2 -c16 -d3s -s bench/webhook/post.lua "$url/validate" >/dev/null  # warm-up
    echo "wrk -t2 -c16 -d$wrk_duration --latency (max throughput):"
    WRK_BODIES="$bodies" wrk -t2 -c16 -d"$wrk_duration" --latency -s bench/webhook/post.lua "$url/validate" \
      | tee "$dir/wrk" | sed 's/^/    /'
    if grep -q 'Non-2xx' "$dir/wrk"; then echo "FAIL: non-2xx responses"; exit 1; fi
    rps[$round.$mode]=$(awk '/^Requests\/sec/ {print $2}' "$dir/wrk")
    p99w[$round.$mode]=$(awk '$1 == "99%" {print $2}' "$dir/wrk")
    echo "fixed rate $rate req/s for ${rate_seconds}s (8 keep-alive connections, 2 s warm-up):"
    "$bin/webhook_bench_rate" --url "$url/validate" --body "$dir/pod.json" --body "$dir/deployment.json" \
      --rate "$rate" --seconds "$rate_seconds" --warmup 2 | tee "$dir/rate" | sed 's/^/    /'
    rate_p50[$round.$mode]=$(awk '/from due time/ {print $7}' "$dir/rate")
    rate_p99[$round.$mode]=$(awk '/from due time/ {print $11}' "$dir/rate")
    stop
    hwm[$round.$mode]=$server_hwm
    echo "server VmHWM: ${hwm[$round.$mode]} MB"
  done
done

echo
echo "## summary ($models ModelAdmissions, $netpols NetworkPolicies; machine: $(machine))"
printf '%-6s %-10s %12s %12s %14s %14s %10s\n' round server wrk_req/s wrk_p99 rate_p50_ms rate_p99_ms hwm_MB
for round in $(seq "$rounds"); do
  for mode in bare validator; do
    k=$round.$mode
    printf '%-6s %-10s %12s %12s %14s %14s %10s\n' "$round" "$mode" "${rps[$k]}" "${p99w[$k]}" "${rate_p50[$k]}" \
      "${rate_p99[$k]}" "${hwm[$k]}"
  done
done
pairs=()
for k in "${!rps[@]}"; do pairs+=("$k" "${rps[$k]}"); done
python3 - "$rounds" "${pairs[@]}" <<'PY' || true
import sys
rounds = int(sys.argv[1]); kv = sys.argv[2:]
d = {kv[i]: float(kv[i + 1]) for i in range(0, len(kv), 2)}
ratios = [d[f"{r}.validator"] / d[f"{r}.bare"] for r in range(1, rounds + 1)]
tb = sum(d[f"{r}.bare"] for r in range(1, rounds + 1)); tv = sum(d[f"{r}.validator"] for r in range(1, rounds + 1))
print("throughput ratio validator/bare per round:", " ".join("%.2f" % x for x in ratios),
      "| over all rounds: %.2f (target >= 0.8)" % (tv / tb))
PY
