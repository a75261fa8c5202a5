# Shared setup of the webhook benchmark scripts (run.sh, threads.sh); sourced, not run.
# bench_setup BUILD NAME: builds the bench targets, makes $dir (removed on exit, with
# any server in $server_pid stopped), a P-256 certificate ($dir/cert.pem, key.pem) and
# the review bodies ($dir/pod.json, deployment.json; their sizes in $dir/bodies.txt);
# sets $bin. Call it in the script's own shell (not in a pipeline): it sets variables.
machine() { echo "$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load average $(cut -d' ' -f1-3 /proc/loadavg)"; }

bench_cleanup() {
  [ -n "${server_pid:-}" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$dir"
}

bench_setup() {
  cmake --build "$1" -j2 --target webhook_bench_server webhook_bench_reviews webhook_bench_rate >/dev/null
  bin="$1/bench/webhook"
  dir=$(mktemp -d "/var/tmp/mg-webhook-$2.XXXXXX")
  server_pid=
  trap bench_cleanup EXIT
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=localhost \
    -addext subjectAltName=IP:127.0.0.1,DNS:localhost -keyout "$dir/key.pem" -out "$dir/cert.pem" 2>/dev/null
  "$bin/webhook_bench_reviews" "$dir" >"$dir/bodies.txt"
}
