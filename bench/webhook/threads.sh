#!/usr/bin/env bash
# Throughput and server CPU per request of the bare and the validator server for
# several sizes of cpprestsdk's I/O thread pool (the webhook's --io-threads).
# Usage: bench/webhook/threads.sh [BUILD_DIR]     (default build)
# Env: THREADS ("2 4 8 40"), WRK_DURATION (10s), MODELS, NETPOLS (10000).
# For each size, bare then validator: a 2 s wrk warm-up, then `wrk -t2 -c16` while
# the server's CPU time is read from /proc/PID/stat; prints req/s, CPU µs per request
# and the validator/bare ratio. Same bodies, certificate and fixture as run.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
sizes=${THREADS:-2 4 8 40} wrk_duration=${WRK_DURATION:-10s}
models=${MODELS:-10000} netpols=${NETPOLS:-10000}
# shellcheck source=lib.sh
source bench/webhook/lib.sh
echo "machine: $(machine)"
bench_setup "$build" threads
export WRK_BODIES="$dir/pod.json $dir/deployment.json"
ticks=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# measure MODE THREADS: prints "rps cpu_us_per_request".
measure() {
  : >"$dir/out"
  "$bin/webhook_bench_server" --mode "$1" --port 0 --cert "$dir/cert.pem" --key "$dir/key.pem" \
    --models "$models" --netpols "$netpols" --io-threads "$2" >"$dir/out" 2>"$dir/log" &
  server_pid=$!
  local url=
  for _ in $(seq 300); do
    url=$(sed -n 's/^listening //p' "$dir/out")
    [ -n "$url" ] && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$dir/log" >&2; exit 1; }
    sleep 0.1
  done
  [ -n "$url" ] || { echo "server did not start" >&2; exit 1; }
  wrk -t2 -c16 -d2s -s bench/webhook/post.lua "$url/validate" >/dev/null
  local c0 c1
  c0=$(cpu_ticks "$server_pid")
  wrk -t2 -c16 -d"$wrk_duration" -s bench/webhook/post.lua "$url/validate" >"$dir/wrk"
  c1=$(cpu_ticks "$server_pid")
  kill -TERM "$server_pid"
  wait "$server_pid" || true
  server_pid=
  if grep -q 'Non-2xx' "$dir/wrk"; then echo "FAIL: non-2xx responses" >&2; exit 1; fi
  local rps requests
  rps=$(awk '/^Requests\/sec/ {print $2}' "$dir/wrk")
  requests=$(awk '/requests in/ {print $1}' "$dir/wrk")
  echo "$rps $(( (c1 - c0) * 1000000 / ticks / requests ))"
}

printf '%-8s %12s %12s %16s %16s %8s\n' threads bare_req/s val_req/s bare_cpu_us/req val_cpu_us/req ratio
for t in $sizes; do
  read -r brps bcpu < <(measure bare "$t")
  read -r vrps vcpu < <(measure validator "$t")
  printf '%-8s %12s %12s %16s %16s %8.2f\n' "$t" "$brps" "$vrps" "$bcpu" "$vcpu" "$(echo "$vrps / $brps" | bc -l)"
done
