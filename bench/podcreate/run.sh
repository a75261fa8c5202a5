#!/usr/bin/env bash
# Pod-creation latency through the real API server without and with the modelgate
# webhook registered (failurePolicy Fail), measured alternately in the same run, plus
# one run of pods the webhook denies (see README.md).
#
# Usage: bench/podcreate/run.sh [BUILD_DIR]          (default build)
# Env:
#        ROUNDS (3)        rounds; each measures every mode of MODES, in reverse order
#                          every other round (ABBA), so drift in the machine's load hits all
#        MODES ("none webhook echo")  none: no webhook registered; webhook: `modelgate
#                          webhook`; echo: podcreate_echo_webhook, a constant allow on the
#                          same HTTPS stack (what any webhook costs)
#        COUNT (300)       timed creates per measurement; WARMUP (20) untimed ones first
#        CONCURRENCY (1)   workers creating in parallel
#        INTERVAL_MS (0)   pace each worker to one create per INTERVAL_MS (0: back to back)
#        INTERLEAVED_COUNT (ROUNDS*COUNT) timed creates per arm of the interleaved run
#        DENY_COUNT (COUNT) timed creates of the denied pod
#        KEEP_OPERATOR (0) 1 = leave the operator running during the measurements
#        MODELGATE_CLUSTER_DIR (/tmp/mg-lat-cluster): the local control plane; started
#                          (and stopped at the end) here unless it already runs.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
BUILD=$(cd "${1:-build}" && pwd)
ROUNDS=${ROUNDS:-3} MODES=${MODES:-none webhook echo} COUNT=${COUNT:-300} WARMUP=${WARMUP:-20} CONCURRENCY=${CONCURRENCY:-1}
INTERVAL_MS=${INTERVAL_MS:-0}
DENY_COUNT=${DENY_COUNT:-$COUNT} INTERLEAVED_COUNT=${INTERLEAVED_COUNT:-$((ROUNDS * COUNT))} KEEP_OPERATOR=${KEEP_OPERATOR:-0}
LABEL=modelgate-lat
cmake --build "$BUILD" -j2 --target modelgate podcreate_bench podcreate_echo_webhook >/dev/null
export MG="$BUILD/cli/modelgate"
BENCH="$BUILD/bench/podcreate/podcreate_bench"
ECHO="$BUILD/bench/podcreate/podcreate_echo_webhook"

export MODELGATE_CLUSTER_DIR=${MODELGATE_CLUSTER_DIR:-/tmp/mg-lat-cluster}
CLUSTER="$ROOT/e2e/cluster.sh"
started=0
if ! "$CLUSTER" status >/dev/null 2>&1; then
  "$CLUSTER" install
  "$CLUSTER" up
  started=1
fi
export KUBECONFIG="$MODELGATE_CLUSTER_DIR/admin.kubeconfig"

# shellcheck source=e2e/lib/harness.sh
source "$ROOT/e2e/lib/harness.sh"   # wait_for
# shellcheck source=e2e/lib/modelgate.sh
source "$ROOT/e2e/lib/modelgate.sh" # mg_start_webhook, mg_register_webhook, mg_start_controller...
export MG_STATE
MG_STATE=$(mktemp -d /tmp/mg-podcreate.XXXXXX)
export NS="mg-lat-$RANDOM"
NS_OFF="$NS-off"  # no $LABEL: the webhook's namespaceSelector skips it
cleanup() {
  set +e
  mg_unregister_webhook 2>/dev/null
  mg_stop_webhook
  mg_stop_controller
  [ -n "${ECHO_PID:-}" ] && kill "$ECHO_PID" 2>/dev/null && wait "$ECHO_PID" 2>/dev/null
  kubectl delete ns "$NS" "$NS_OFF" --wait=false >/dev/null 2>&1
  [ "$started" = 1 ] && "$CLUSTER" down
  rm -rf "$MG_STATE"
}
trap cleanup EXIT

machine() { echo "$(nproc) cores (nproc), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load average $(cut -d' ' -f1-3 /proc/loadavg)"; }
echo "machine: $(machine)"
echo "API server: $(kubectl version -o json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["serverVersion"]["gitVersion"])')"

# ---------------------------------------------------------------- fixtures (as e2e)
kubectl apply -f "$ROOT/crds/" >/dev/null
kubectl wait --for condition=established --timeout=60s crd/modeladmissions.modelgate.io \
  crd/modeladmissionpolicies.modelgate.io >/dev/null
python3 "$ROOT/demo/make-samples.py" "$MG_STATE/models" >/dev/null
kubectl create ns "$NS" >/dev/null
kubectl create ns "$NS_OFF" >/dev/null
kubectl label ns "$NS" "$LABEL=true" >/dev/null
wait_for 60 kubectl get serviceaccount default -n "$NS"
wait_for 60 kubectl get serviceaccount default -n "$NS_OFF"
# The e2e fixtures: an egress NetworkPolicy (DNS only) in $NS, model() and pod().
# shellcheck source=e2e/scenarios/00-common.sh
source "$ROOT/e2e/scenarios/00-common.sh"
mg_start_controller
model llm clean-safetensors  # waits until the operator scanned it
phase=$(kubectl get ma llm -n "$NS" -o jsonpath='{.status.phase}')
[ "$phase" = Admitted ] || { echo "FAIL: ModelAdmission llm is $phase, not Admitted"; exit 1; }
echo "ModelAdmission $NS/llm: $phase (scanned by the operator, inline)"
if [ "$KEEP_OPERATOR" != 1 ]; then
  mg_stop_controller
  echo "operator stopped for the measurements (KEEP_OPERATOR=1 keeps it)"
fi
pod llm-server llm | kubectl create --dry-run=client -o json -f - | python3 bench/podcreate/enrich_pod.py >"$MG_STATE/pod.json"
pod llm-root llm insecure | kubectl create --dry-run=client -o json -f - | python3 bench/podcreate/enrich_pod.py >"$MG_STATE/pod-denied.json"
echo "pod: $(wc -c <"$MG_STATE/pod.json") bytes of JSON, $(python3 -c 'import json,sys; p=json.load(open(sys.argv[1]))["spec"]; print(len(p["containers"]), "containers,", len(p["volumes"]), "volumes")' "$MG_STATE/pod.json")"

mg_start_webhook
MODELGATE_URL=$MG_WEBHOOK_URL
METRICS_PORT=$(sed -n 's/.*metrics on port \([0-9]*\).*/\1/p' "$MG_STATE/webhook.out" "$MG_STATE/webhook.log" | head -1)
echo "webhook: $MODELGATE_URL (metrics on port $METRICS_PORT), operator $([ "$KEEP_OPERATOR" = 1 ] && echo running || echo stopped)"
# The echo webhook serves the same certificate (mg_register_webhook's caBundle fits both).
"$ECHO" --cert "$MG_STATE/tls/tls.crt" --key "$MG_STATE/tls/tls.key" >"$MG_STATE/echo.out" 2>"$MG_STATE/echo.log" &
ECHO_PID=$!
for _ in $(seq 100); do
  ECHO_URL=$(sed -n 's/^listening //p' "$MG_STATE/echo.out")
  [ -n "$ECHO_URL" ] && break
  sleep 0.1
done
[ -n "$ECHO_URL" ] || { echo "FAIL: echo webhook did not start"; cat "$MG_STATE/echo.log"; exit 1; }
echo "echo webhook: $ECHO_URL"

# ---------------------------------------------------------------- evidence that the webhook saw the calls
# audit_lines PATTERN: the webhook's audit lines (it logs one JSON line per decision) matching PATTERN.
audit_lines() { cat "$MG_STATE/webhook.out" "$MG_STATE/webhook.log" 2>/dev/null | grep '"audit":"admission"' | grep -c -- "$1" || true; }
# pod_creates DECISION: modelgate_webhook_requests_total{kind=Pod,operation=CREATE,decision=DECISION}.
pod_creates() {
  curl -sf "http://127.0.0.1:$METRICS_PORT/metrics" | awk -v d="decision=\"$1\"" '
    /^modelgate_webhook_requests_total\{/ && /kind="Pod"/ && /operation="CREATE"/ && index($0, d) { s += $NF }
    END { printf "%d\n", s }'
}
# echo_count: reviews the echo webhook answered so far.
echo_count() { curl -sf --cacert "$MG_STATE/tls/ca.crt" "$ECHO_URL/count"; }
# probe: which webhook (webhook, echo or none) a server-side dry-run create reaches.
probe() {
  local name="probe-$RANDOM$RANDOM" e0
  e0=$(echo_count)
  python3 -c 'import json,sys; p=json.load(open(sys.argv[1])); p["metadata"]["name"]=sys.argv[2]; print(json.dumps(p))' \
    "$MG_STATE/pod.json" "$name" | kubectl create -n "$NS" --dry-run=server -f - >/dev/null 2>&1 || true
  if [ "$(audit_lines "\"Pod $NS/$name\"")" -gt 0 ]; then echo webhook
  elif [ "$(echo_count)" -gt "$e0" ]; then echo echo
  else echo none; fi
}

# apiserver_webhook SUM|COUNT: the API server's own histogram of its calls to our webhook
# (pod CREATEs): network, TLS, JSON both ways and our handler, as the caller sees them.
apiserver_webhook() {
  kubectl get --raw /metrics | awk -v m="apiserver_admission_webhook_admission_duration_seconds_$1" '
    index($0, m "{") == 1 && /name="pods.modelgate.io"/ && /operation="CREATE"/ { s += $NF }
    END { printf "%.6f\n", s }'
}
# handler_ms RUN: p50/p99 of the webhook's own handling time (audit latencyMs) for RUN's pods.
handler_ms() {
  cat "$MG_STATE/webhook.out" "$MG_STATE/webhook.log" 2>/dev/null | grep '"audit":"admission"' | grep -- "\"Pod $NS/$1-" |
    python3 -c '
import json, math, sys
v = sorted(json.loads(l[l.index("{"):])["latencyMs"] for l in sys.stdin)
nr = lambda p: v[max(1, math.ceil(p * len(v))) - 1]
print("p50 %.3f ms, p99 %.3f ms" % (nr(.5), nr(.99)) if v else "no lines")'
}
# webhook_conns: TCP connections on the webhook's port by state (is the API server reusing them?).
webhook_conns() {
  local port=${MG_WEBHOOK_URL##*:}
  ss -Htan "( sport = :$port )" | awk '{ n[$1]++ } END { for (s in n) printf "%s=%d ", s, n[s]; print "" }'
}

# set_mode MODE: registers the matching webhook (or none), then waits until the API
# server's informer has picked that up (a probe reaches exactly that webhook).
set_mode() {
  case $1 in
    webhook) MG_WEBHOOK_URL=$MODELGATE_URL; mg_register_webhook "$LABEL" >/dev/null ;;
    echo) MG_WEBHOOK_URL=$ECHO_URL; mg_register_webhook "$LABEL" >/dev/null ;;
    none) mg_unregister_webhook ;;
  esac
  local i
  for i in $(seq 100); do
    [ "$(probe)" = "$1" ] && return 0
    sleep 0.2
  done
  echo "FAIL: after registering $1, probes still reach $(probe)"
  exit 1
}

# measure MODE ROUND POD_FILE EXPECT COUNT [OFF_NS]: one podcreate_bench run in $NS; checks
# the webhook's audit lines and metrics against what MODE implies; appends the result to
# results.jsonl. With OFF_NS (MODE webhook), calls alternate between $NS (webhook) and
# OFF_NS, a namespace the webhook's namespaceSelector does not match (no call).
measure() {
  local mode=$1 round=$2 podfile=$3 expect=$4 count=$5 off=${6:-}
  local run="pcb-r$round-$mode" seen seen_off=0 m0 m1 want as0 ac0 as1 ac1
  [ "$expect" = denied ] && run="pcb-denied"
  [ -n "$off" ] && run="pcb-il-$mode"
  local e0 e1
  m0=$(pod_creates "$expect") e0=$(echo_count)
  as0=$(apiserver_webhook sum) ac0=$(apiserver_webhook count)
  echo
  echo "## round $round: $mode${off:+ interleaved with $off (not selected)}, expect $expect (load average $(cut -d' ' -f1-3 /proc/loadavg))"
  local alt=()
  [ -n "$off" ] && alt=(--alternate-namespace "$off" --alternate-samples "$MG_STATE/samples.il-$mode-off.$expect")
  local samples="$MG_STATE/samples.$mode.$expect"
  [ -n "$off" ] && samples="$MG_STATE/samples.il-$mode-on.$expect"
  "$BENCH" --namespace "$NS" --pod "$podfile" --count "$count" --warmup "$WARMUP" --concurrency "$CONCURRENCY" \
    --interval-ms "$INTERVAL_MS" --expect "$expect" --run-id "$run" --samples "$samples" "${alt[@]}" | tee "$MG_STATE/out"
  seen=$(audit_lines "\"Pod $NS/$run-")
  [ -n "$off" ] && seen_off=$(audit_lines "\"Pod $off/$run-")
  m1=$(pod_creates "$expect") e1=$(echo_count)
  as1=$(apiserver_webhook sum) ac1=$(apiserver_webhook count)
  local want_echo=0
  want=0
  [ "$mode" = webhook ] && want=$((count + WARMUP))
  [ "$mode" = echo ] && want_echo=$((count + WARMUP))
  echo "modelgate audit lines for this run: $seen${off:+ in $NS, $seen_off in $off}; metric requests_total{Pod,CREATE,$expect} +$((m1 - m0)) (want $want${off:+ and 0}); echo webhook +$((e1 - e0)) (want $want_echo)"
  if [ "$seen" != "$want" ] || [ "$((m1 - m0))" != "$want" ] || [ "$seen_off" != 0 ] || [ "$((e1 - e0))" != "$want_echo" ]; then
    echo "FAIL: the webhooks did not see exactly the expected requests"
    exit 1
  fi
  if [ "$mode" != none ]; then
    [ "$mode" = webhook ] && echo "webhook handler time (audit latencyMs): $(handler_ms "$run")"
    python3 -c 'import sys; s, c = float(sys.argv[2]) - float(sys.argv[1]), float(sys.argv[4]) - float(sys.argv[3]); print("API server -> webhook call, mean over %d calls: %.2f ms" % (c, 1000 * s / c) if c else "API server webhook metric: no calls")' \
      "$as0" "$as1" "$ac0" "$ac1"
    echo "TCP connections on the webhook port after the run: $(webhook_conns)"
  fi
  sed -n 's/^result //p' "$MG_STATE/out" | python3 -c '
import json, sys
for line in sys.stdin:
    r = json.loads(line)
    off = r["namespace"] == sys.argv[4]
    r.update(mode="none-off" if off else sys.argv[1], round=sys.argv[2], load=sys.argv[3])
    print(json.dumps(r))' "$mode" "$round" "$(cut -d' ' -f1 /proc/loadavg)" "${off:-/}" >>"$MG_STATE/results.jsonl"
}

# ---------------------------------------------------------------- measurements
echo "plan: $ROUNDS rounds x ($MODES), $COUNT timed creates each (+$WARMUP warm-up), $CONCURRENCY worker(s), interval $INTERVAL_MS ms"
for round in $(seq "$ROUNDS"); do
  order=$MODES
  ((round % 2 == 0)) && order=$(tr ' ' '\n' <<<"$MODES" | tac | tr '\n' ' ')
  for mode in $order; do
    set_mode "$mode"
    measure "$mode" "$round" "$MG_STATE/pod.json" allowed "$COUNT"
  done
done
# Interleaved: calls alternate between $NS and $NS_OFF (never selected), so both arms
# share every moment of machine load. First with no webhook at all (an A/A check: the
# two arms must agree, and how far they do not is the method's own noise), then with
# the webhook registered (called for $NS only).
set_mode none
measure none aa "$MG_STATE/pod.json" allowed "$INTERLEAVED_COUNT" "$NS_OFF"
set_mode webhook
measure webhook il "$MG_STATE/pod.json" allowed "$INTERLEAVED_COUNT" "$NS_OFF"
measure webhook denied "$MG_STATE/pod-denied.json" denied "$DENY_COUNT"

echo
echo "## summary (machine: $(machine))"
python3 - "$MG_STATE" <<'PY'
import json, math, random, sys
d = sys.argv[1]
rs = [json.loads(l) for l in open(f"{d}/results.jsonl")]
def nr(v, p):
    v = sorted(v); return v[max(1, math.ceil(p * len(v))) - 1]
def med(v):
    v = sorted(v); n = len(v); return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2
def load(name):
    return [float(x) for x in open(f"{d}/samples.{name}")]
print("%-7s %-8s %-8s %5s %9s %9s %9s %9s %8s %11s" % ("round", "mode", "expect", "n", "p50_ms", "p90_ms", "p99_ms", "max_ms", "create/s", "load1_after"))
for r in rs:
    print("%-7s %-8s %-8s %5d %9.2f %9.2f %9.2f %9.2f %8.1f %11s" % (r["round"], r["mode"], r["expect"], r["count"],
          r["p50_ms"], r["p90_ms"], r["p99_ms"], r["max_ms"], r["creates_per_s"], r["load"]))

print("\n(1) registered vs not registered, alternating rounds:")
by = {(r["round"], r["mode"]): r for r in rs if r["round"].isdigit()}
rounds = sorted({k[0] for k in by}, key=int)
modes = [m for m in ("webhook", "echo") if (rounds[0], m) in by]
pool = {m: load(f"{m}.allowed") for m in ["none"] + modes}
for m in ["none"] + modes:
    print("  pooled %-8s n=%d p50=%.2f p90=%.2f p99=%.2f ms" % (m, len(pool[m]), nr(pool[m], .5), nr(pool[m], .9), nr(pool[m], .99)))
base99 = [by[(k, "none")]["p99_ms"] for k in rounds]
spread = max(base99) / min(base99)
print("  baseline p99 across rounds: %.2f .. %.2f ms (x%.2f)%s" % (min(base99), max(base99), spread,
      ": the baseline's own p99 moves by more than the 15% margin between rounds" if spread > 1.15 else ""))
v1 = None
for m in modes:
    p99r = [by[(k, m)]["p99_ms"] / by[(k, "none")]["p99_ms"] for k in rounds]
    p50r = [by[(k, m)]["p50_ms"] / by[(k, "none")]["p50_ms"] for k in rounds]
    r50 = nr(pool[m], .5) / nr(pool["none"], .5); r99 = nr(pool[m], .99) / nr(pool["none"], .99)
    print("  %s/none per round: p50 %s (median %.2f) | p99 %s (median %.2f)" % (m, " ".join("%.2f" % x for x in p50r), med(p50r),
          " ".join("%.2f" % x for x in p99r), med(p99r)))
    print("  %s/none pooled: p50 %.2f (%+.2f ms), p99 %.2f (%+.2f ms)" % (m, r50, nr(pool[m], .5) - nr(pool["none"], .5),
          r99, nr(pool[m], .99) - nr(pool["none"], .99)))
    if m == "webhook":
        v1 = med(p99r) < 1.15 and r99 < 1.15
if "echo" in modes:
    print("  webhook vs echo (what modelgate's decision adds over any webhook on its stack): p50 %+.2f ms, p99 %+.2f ms"
          % (nr(pool["webhook"], .5) - nr(pool["echo"], .5), nr(pool["webhook"], .99) - nr(pool["echo"], .99)))
print("  target, modelgate webhook adds under 15%% at p99 (median per-round ratio and pooled ratio): %s" % ("MET" if v1 else "NOT MET"))

def interleaved(title, mode):
    on, off = load(f"il-{mode}-on.allowed"), load(f"il-{mode}-off.allowed")
    print(title)
    for name, v in (("$NS", on), ("$NS-off", off)):
        print("  %-8s n=%d p50=%.2f p90=%.2f p99=%.2f ms" % (name, len(v), nr(v, .5), nr(v, .9), nr(v, .99)))
    i50 = nr(on, .5) / nr(off, .5); i99 = nr(on, .99) / nr(off, .99)
    # 90% interval of the p99 ratio: bootstrap over blocks of 50 consecutive call pairs
    # (the pairs stay together and load bursts spanning neighbouring calls stay whole).
    rnd = random.Random(1)
    blocks = [(on[i:i + 50], off[i:i + 50]) for i in range(0, min(len(on), len(off)), 50)]
    boot = []
    for _ in range(400):
        pick = [rnd.choice(blocks) for _ in blocks]
        boot.append(nr([x for b in pick for x in b[0]], .99) / nr([x for b in pick for x in b[1]], .99))
    lo, hi = nr(boot, .05), nr(boot, .95)
    print("  ratio $NS/$NS-off: p50 %.2f (%+.2f ms), p99 %.2f (%+.2f ms; 90%% bootstrap interval %.2f .. %.2f)"
          % (i50, nr(on, .5) - nr(off, .5), i99, nr(on, .99) - nr(off, .99), lo, hi))
    return i99, hi
aa, _ = interleaved("\n(2) A/A check, interleaved, no webhook registered (both arms alike; should be ~1.00):", "none")
i99, i99_hi = interleaved("\n(3) interleaved, webhook registered; it selects $NS and not $NS-off:", "webhook")
verdict = "MET" if i99_hi < 1.15 else "NOT MET" if i99 >= 1.15 else "MET on the point estimate, not at the upper bound"
print("  target, webhook adds under 15%% at p99: %s (A/A p99 ratio of the same method: %.2f)" % (verdict, aa))
PY
