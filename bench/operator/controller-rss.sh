#!/usr/bin/env bash
# Memory of the operator (`modelgate controller`) with N ModelAdmissions in a real API
# server (the local control plane of e2e/cluster.sh), for sizing the chart.
#
# Usage: bench/operator/controller-rss.sh BUILD_DIR
#   MG=BINARY             the modelgate binary (default BUILD_DIR/cli/modelgate)
#   MODELS=10000          ModelAdmissions to load (bench/webhook/load_cluster.py; same
#                         shape as the webhook benchmark, status Admitted and current)
#   NETPOLS=0             NetworkPolicies the loader also makes (the operator does not
#                         watch them; 0 keeps the load short)
#   SCENARIOS="current rescan"
#     current: every ModelAdmission's status is current, so the operator only syncs its
#              caches and has nothing to scan (a restart in a healthy cluster).
#     rescan:  every ModelAdmission is annotated modelgate.io/rescan (as `kubectl annotate`
#              does, with the operator stopped), then the operator starts and rescans all
#              of them. None of the model files exist on this machine (hostPath
#              /mnt/models/..., PVC sources without --pvc-root), so every scan fails and
#              ends in phase Error, and the operator keeps retrying with backoff (1 s
#              doubling to 5 min): the worst case, a fleet whose models are all unreachable.
#              It leaves every ModelAdmission in phase Error, so `current` is current only
#              on a freshly loaded cluster (`e2e/cluster.sh down`, then run this again).
#   IDLE_SECONDS=60       how long to leave the operator running after its work is done
#                         before reading its memory again
#   RECONCILE_TIMEOUT=3600
#   MODELGATE_CLUSTER_DIR (default /tmp/mg-op-cluster): started with `up` if needed and
#                         left running (stop it with `e2e/cluster.sh down`).
#
# Per scenario it prints: time to /readyz (ModelAdmission cache synced), time until the
# work is done (current: every model counted by the operator's modelgate_models gauge;
# rescan: no model left in phase Admitted or Pending), VmRSS/VmHWM at that point and after
# IDLE_SECONDS, the operator's scan counters, and the API requests it made, counted by
# the API server (apiserver_request_total deltas: status writes, GETs, Events).
# MALLOC_STATS=1 also prints glibc's malloc_stats() (through gdb) into the operator's log.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:?usage: controller-rss.sh BUILD_DIR}
MG=${MG:-$build/cli/modelgate}
models=${MODELS:-10000} netpols=${NETPOLS:-0}
scenarios=${SCENARIOS:-current rescan}
idle=${IDLE_SECONDS:-60} timeout=${RECONCILE_TIMEOUT:-3600}
export MODELGATE_CLUSTER_DIR=${MODELGATE_CLUSTER_DIR:-/tmp/mg-op-cluster}
export PATH="$HOME/.cache/modelgate/tools/bin:$PATH"
e2e/install-tools.sh >/dev/null
e2e/cluster.sh up >/dev/null
eval "$(e2e/cluster.sh env)"
work=$(mktemp -d /var/tmp/mg-controller-rss.XXXXXX)
pid=
stop_controller() {
  [ -n "$pid" ] || return 0
  kill "$pid" 2>/dev/null || true
  local i=0
  while kill -0 "$pid" 2>/dev/null && [ $((i += 1)) -le 100 ]; do sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  pid=
}
trap 'stop_controller; echo "operator logs kept in $work"' EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
now() { date +%s.%N; }
since() { python3 -c "print('%.1f' % ($(now) - $1))"; }
mb() { awk -v k="$1" '/^'"$1"'/ {printf "%.1f", $2 / 1024}' "/proc/$pid/status"; }
mem() { echo "VmRSS $(mb VmRSS) MB, VmHWM $(mb VmHWM) MB"; }
# Sum of the operator's own metric samples matching a regex (e.g. 'modelgate_models{phase="Error"}').
metric() {
  curl -sf "http://127.0.0.1:$metrics_port/metrics" | awk -v re="$1" '$0 !~ /^#/ && $1 ~ re {s += $2} END {printf "%d", s}'
}
# Requests the API server has answered (all codes) on apiserver_request_total lines
# matching an extended regex. (Kubernetes 1.20 labels a GET of one custom resource
# verb="LIST" scope="namespace"; the informer's own lists are scope="cluster".)
api_count() {
  kubectl get --raw /metrics | grep '^apiserver_request_total{' | grep -E "$1" | awk '{s += $NF} END {printf "%d", s}'
}
api_snapshot() {
  local ma='resource="modeladmissions",scope="(namespace|resource)"'
  echo "$(api_count "$ma,subresource=\"status\",verb=\"PUT\"")" \
    "$(api_count "$ma,subresource=\"\",verb=\"(GET|LIST)\"")" \
    "$(api_count 'resource="events",.*verb="POST"')" \
    "$(api_count "$ma,.*verb=\"PATCH\"")"
}
api_delta() {  # BEFORE AFTER (api_snapshot outputs)
  read -r w0 g0 e0 p0 <<<"$1"
  read -r w1 g1 e1 p1 <<<"$2"
  echo "status writes $((w1 - w0)), GETs $((g1 - g0)), Events $((e1 - e0)), patches $((p1 - p0))"
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "binary: $MG (tree at $(git log -1 --format=%h), $(git status --porcelain controller kube | wc -l | xargs) files changed in controller/ kube/)"
kubectl apply -f crds/ >/dev/null
kubectl wait --for condition=established crd --all --timeout 60s >/dev/null
have=$(kubectl get ma -A --no-headers 2>/dev/null | wc -l)
if [ "$have" -lt "$models" ]; then
  echo "loading $models ModelAdmissions and $netpols NetworkPolicies (bench/webhook/load_cluster.py) ..."
  python3 bench/webhook/load_cluster.py "$KUBECONFIG" --models "$models" --netpols "$netpols"
fi
have=$(kubectl get ma -A --no-headers | wc -l)
[ "$have" -eq "$models" ] || echo "NOTE: the cluster holds $have ModelAdmissions, not $models"
echo "cluster: $have ModelAdmissions, $(kubectl get netpol -A --no-headers 2>/dev/null | wc -l) NetworkPolicies, $(kubectl get pods -A --no-headers 2>/dev/null | wc -l) Pods"
echo "one ModelAdmission as the API server returns it: $(kubectl get ma -n team-01 model-00001 -o json | wc -c) bytes of JSON"

for scenario in $scenarios; do
  case $scenario in
    current) ;;
    rescan)
      token="bench-$(date +%s)"
      t=$(now)
      kubectl annotate ma -A --all "modelgate.io/rescan=$token" --overwrite >/dev/null
      echo "[rescan] annotated $have ModelAdmissions modelgate.io/rescan=$token in $(since "$t") s (operator stopped)"
      ;;
    *) echo "unknown scenario $scenario"; exit 2 ;;
  esac
  metrics_port=$(free_port) health_port=$(free_port)
  log=$work/$scenario.log
  before=$(api_snapshot)
  t0=$(now)
  # No leader election: one replica, whose workers start as soon as its cache has synced.
  "$MG" controller --kubeconfig "$KUBECONFIG" --scan-mode inline --no-leader-election \
    --metrics-addr "127.0.0.1:$metrics_port" --health-addr "127.0.0.1:$health_port" >"$log" 2>&1 &
  pid=$!
  until curl -sf "http://127.0.0.1:$health_port/readyz" >/dev/null; do
    kill -0 "$pid" 2>/dev/null || { echo "FAIL: operator exited"; tail -20 "$log"; exit 1; }
    [ "$(since "$t0" | cut -d. -f1)" -lt "$timeout" ] || { echo "FAIL: not ready in ${timeout}s"; exit 1; }
    sleep 0.2
  done
  synced=$(since "$t0")
  echo "[$scenario] /readyz (cache synced) after $synced s: $(mem)"
  done_when() {  # the scenario's "work is done" condition, from the operator's own gauges
    case $scenario in
      current) [ "$(metric '^modelgate_models')" -ge "$have" ] ;;
      rescan) [ "$(metric '^modelgate_models\{phase="(Admitted|Pending)"\}')" -eq 0 ] &&
                [ "$(metric '^modelgate_models')" -ge "$have" ] ;;
    esac
  }
  until done_when 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || { echo "FAIL: operator exited"; tail -20 "$log"; exit 1; }
    [ "$(since "$t0" | cut -d. -f1)" -lt "$timeout" ] || { echo "FAIL: work not done in ${timeout}s"; break; }
    sleep 1
  done
  # The inventory flushes every 2 s: give it two rounds before counting.
  sleep 5
  echo "[$scenario] work done after $(since "$t0") s: $(mem)"
  echo "[$scenario]   operator: scans admitted $(metric 'modelgate_scans_total\{result="admitted"\}'), rejected $(metric 'modelgate_scans_total\{result="rejected"\}'), error $(metric 'modelgate_scans_total\{result="error"\}'); models by phase: $(curl -sf "http://127.0.0.1:$metrics_port/metrics" | awk '/^modelgate_models\{/ && $2 > 0 {sub(/modelgate_models\{phase="/, ""); sub(/"\}/, ""); printf "%s %d ", $1, $2}')"
  mid=$(api_snapshot)
  echo "[$scenario]   API server counted: $(api_delta "$before" "$mid")"
  sleep "$idle"
  echo "[$scenario] after ${idle} s more: $(mem)"
  echo "[$scenario]   operator: scans error $(metric 'modelgate_scans_total\{result="error"\}') in total; API requests in those ${idle} s: $(api_delta "$mid" "$(api_snapshot)")"
  if [ "${MALLOC_STATS:-0}" = 1 ]; then
    gdb -p "$pid" -batch -ex 'call (void)malloc_stats()' >/dev/null 2>&1 || true
    echo "[$scenario]   malloc_stats (main arena first, then total):"
    grep -A2 -E '^(Arena 0|Total \(incl. mmap\)):' "$log" | sed 's/^/    /' || true
  fi
  stop_controller
done
