#!/usr/bin/env bash
# A local Kubernetes control plane on 127.0.0.1 only: etcd (Debian etcd-server),
# kube-apiserver and kube-controller-manager (built from Debian's kubernetes source
# package, see e2e/lib/build-kubernetes.sh). No kubelet: pods are created and
# scheduled nowhere, which is all the admission path needs.
#
# Usage: e2e/cluster.sh <command>
#   install            build or find the cached binaries (slow only the first time)
#   up                 start everything and wait for /readyz (idempotent)
#   down               stop everything; no process or port is left behind (idempotent)
#   status             what runs, on which ports; exit 0 only when ready
#   env                print "export KUBECONFIG=..." for eval
#   stop-apiserver / start-apiserver / restart-apiserver
#                      for tests that must survive an API server restart (same port)
#   compact            compact etcd to its current revision (old resourceVersions -> 410)
#   clean              down, then delete the state directory
#
# State lives in $MODELGATE_CLUSTER_DIR (default ~/.cache/modelgate/cluster): pki/,
# kubeconfigs, etcd data, logs/, run/ (pids and ports). Every `up` from a stopped state
# starts with an empty etcd, so test runs do not see each other's objects.
set -euo pipefail

E2E_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib/build-kubernetes.sh
source "$E2E_DIR/lib/build-kubernetes.sh"

DIR="${MODELGATE_CLUSTER_DIR:-$HOME/.cache/modelgate/cluster}"
PKI="$DIR/pki"
RUN="$DIR/run"
LOGS="$DIR/logs"
READY_TIMEOUT="${MODELGATE_READY_TIMEOUT:-120}"

log() { echo "cluster: $*" >&2; }
die() { log "$*"; exit 1; }

# ---------------------------------------------------------------- ports and processes

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

port_in_use() {
  python3 - "$1" <<'EOF'
import socket, sys
s = socket.socket()
try:
    s.connect(("127.0.0.1", int(sys.argv[1])))
    sys.exit(0)
except OSError:
    sys.exit(1)
finally:
    s.close()
EOF
}

# A pid file is trusted only while the process still runs our binary with our state
# dir on its command line: a recycled pid must never be killed.
pid_of() {
  local f="$RUN/$1.pid" pid
  [ -f "$f" ] || return 1
  pid="$(cat "$f")"
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$DIR" || return 1
  echo "$pid"
}

running() { pid_of "$1" >/dev/null; }

# SIGTERM, then SIGKILL after a grace period. The apiserver's graceful shutdown waits for
# open watch streams (HTTP/1.1 clients are not told to go away), so it gets 5 s; etcd
# gets 10 s to flush.
stop_proc() {
  local name="$1" pid i grace=50
  [ "$name" = etcd ] && grace=100
  pid="$(pid_of "$name")" || { rm -f "$RUN/$name.pid"; return 0; }
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 "$grace"); do
    [ -d "/proc/$pid" ] || break
    sleep 0.1
  done
  if [ -d "/proc/$pid" ]; then
    log "$name (pid $pid) still running $((grace / 10))s after SIGTERM; killing"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.2
  fi
  rm -f "$RUN/$name.pid"
}

start_proc() {  # name, then the command line
  local name="$1"
  shift
  mkdir -p "$LOGS" "$RUN"
  # fd 9 holds the up/down lock; the daemons must not inherit it.
  setsid "$@" >>"$LOGS/$name.log" 2>&1 </dev/null 9>&- &
  echo $! >"$RUN/$name.pid"
}

wait_port_free() {
  local port="$1" i
  for i in $(seq 1 50); do
    port_in_use "$port" || return 0
    sleep 0.1
  done
  return 1
}

load_ports() {
  [ -f "$RUN/ports.env" ] || return 1
  # shellcheck disable=SC1091
  source "$RUN/ports.env"
}

# ---------------------------------------------------------------- certificates

gen_pki() {
  [ -f "$PKI/sa.pub" ] && [ -f "$PKI/admin.crt" ] && return 0
  mkdir -p "$PKI"
  chmod 700 "$PKI"
  log "generating certificates in $PKI"
  (
    cd "$PKI"
    openssl ecparam -name prime256v1 -genkey -noout -out ca.key 2>/dev/null
    openssl req -x509 -new -key ca.key -sha256 -days 3650 -subj "/CN=modelgate-e2e-ca" -out ca.crt
    sign() {  # name, subject, extensions
      openssl ecparam -name prime256v1 -genkey -noout -out "$1.key" 2>/dev/null
      openssl req -new -key "$1.key" -subj "$2" -out "$1.csr"
      printf '%s\n' "$3" >"$1.ext"
      openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -sha256 -days 3650 \
        -extfile "$1.ext" -out "$1.crt" 2>/dev/null
      rm -f "$1.csr" "$1.ext"
    }
    sign apiserver "/CN=kube-apiserver" \
      "$(printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=digitalSignature,keyEncipherment" \
        "extendedKeyUsage=serverAuth" \
        "subjectAltName=IP:127.0.0.1,DNS:localhost,IP:10.96.0.1,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc")"
    client_ext="$(printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=digitalSignature,keyEncipherment" \
      "extendedKeyUsage=clientAuth")"
    sign admin "/O=system:masters/CN=modelgate-admin" "$client_ext"
    sign controller-manager "/CN=system:kube-controller-manager" "$client_ext"
    openssl genrsa -out sa.key 2048 2>/dev/null
    openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
    chmod 600 ./*.key
  )
}

write_kubeconfig() {  # file, user, cert, key, port
  b64() { base64 -w0 <"$1"; }
  cat >"$1" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: modelgate-e2e
  cluster:
    server: https://127.0.0.1:$5
    certificate-authority-data: $(b64 "$PKI/ca.crt")
users:
- name: $2
  user:
    client-certificate-data: $(b64 "$3")
    client-key-data: $(b64 "$4")
contexts:
- name: modelgate-e2e
  context: {cluster: modelgate-e2e, user: $2, namespace: default}
current-context: modelgate-e2e
EOF
  chmod 600 "$1"
}

# ---------------------------------------------------------------- components

bin_dir() {
  k8s_find_cached_bin_dir || die "no kube-apiserver binary cached; run: e2e/cluster.sh install"
}

start_etcd() {
  running etcd && return 0
  command -v etcd >/dev/null || die "etcd missing: apt-get install etcd-server (scripts/install-deps.sh)"
  rm -rf "$DIR/etcd"
  mkdir -p "$DIR/etcd"
  chmod 700 "$DIR/etcd"
  start_proc etcd etcd --name modelgate --data-dir "$DIR/etcd" \
    --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster "modelgate=http://127.0.0.1:$ETCD_PEER_PORT" \
    --log-level warn --quota-backend-bytes 2147483648
  local i
  for i in $(seq 1 100); do
    ETCDCTL_API=3 etcdctl --endpoints "http://127.0.0.1:$ETCD_PORT" endpoint health >/dev/null 2>&1 && return 0
    running etcd || break
    sleep 0.2
  done
  log "etcd did not become healthy; tail of $LOGS/etcd.log:"
  tail -n 20 "$LOGS/etcd.log" >&2 || true
  stop_all
  exit 1
}

start_apiserver() {
  running apiserver && return 0
  local bin
  bin="$(bin_dir)"
  port_in_use "$APISERVER_PORT" && die "port $APISERVER_PORT is taken; run e2e/cluster.sh down"
  start_proc apiserver "$bin/kube-apiserver" \
    --etcd-servers "http://127.0.0.1:$ETCD_PORT" \
    --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$APISERVER_PORT" \
    --insecure-port 0 \
    --cert-dir "$DIR/apiserver-certs" \
    --tls-cert-file "$PKI/apiserver.crt" --tls-private-key-file "$PKI/apiserver.key" \
    --client-ca-file "$PKI/ca.crt" \
    --service-account-key-file "$PKI/sa.pub" --service-account-signing-key-file "$PKI/sa.key" \
    --service-account-issuer "https://kubernetes.default.svc.cluster.local" \
    --api-audiences "https://kubernetes.default.svc.cluster.local" \
    --authorization-mode Node,RBAC \
    --service-cluster-ip-range 10.96.0.0/16 \
    --allow-privileged=true \
    --profiling=false \
    --endpoint-reconciler-type none \
    --v 1
}

start_controller_manager() {
  running controller-manager && return 0
  local bin
  bin="$(bin_dir)"
  start_proc controller-manager "$bin/kube-controller-manager" \
    --kubeconfig "$DIR/controller-manager.kubeconfig" \
    --authentication-kubeconfig "$DIR/controller-manager.kubeconfig" \
    --authorization-kubeconfig "$DIR/controller-manager.kubeconfig" \
    --bind-address 127.0.0.1 --port 0 --secure-port "$KCM_PORT" \
    --cert-dir "$DIR/controller-manager-certs" \
    --leader-elect=false \
    --use-service-account-credentials=true \
    --service-account-private-key-file "$PKI/sa.key" --root-ca-file "$PKI/ca.crt" \
    --cluster-signing-cert-file "$PKI/ca.crt" --cluster-signing-key-file "$PKI/ca.key" \
    --controllers '*,-nodeipam,-nodelifecycle,-cloud-node-lifecycle,-service,-route,-attachdetach,-persistentvolume-binder,-persistentvolume-expander,-ttl,-bootstrapsigner,-tokencleaner' \
    --v 1
}

curl_api() {  # path
  curl -sS --max-time 5 --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key" \
    "https://127.0.0.1:$APISERVER_PORT$1"
}

wait_ready() {
  local deadline=$((SECONDS + READY_TIMEOUT)) out=""
  while ((SECONDS < deadline)); do
    out="$(curl_api /readyz 2>&1)" && [ "$out" = "ok" ] && return 0
    running apiserver || break
    sleep 0.5
  done
  log "kube-apiserver not ready after ${READY_TIMEOUT}s (last answer: ${out:0:200})"
  log "tail of $LOGS/apiserver.log:"
  tail -n 30 "$LOGS/apiserver.log" >&2 || true
  log "tail of $LOGS/etcd.log:"
  tail -n 10 "$LOGS/etcd.log" >&2 || true
  return 1
}

stop_all() {
  stop_proc controller-manager
  stop_proc apiserver
  stop_proc etcd
  if load_ports; then
    local p
    for p in "$APISERVER_PORT" "$ETCD_PORT" "$ETCD_PEER_PORT" "$KCM_PORT"; do
      wait_port_free "$p" || log "warning: port $p still in use after stop"
    done
  fi
}

# ---------------------------------------------------------------- commands

cmd_up() {
  local start=$SECONDS
  mkdir -p "$DIR" "$RUN" "$LOGS"
  if running etcd && running apiserver && running controller-manager && load_ports &&
     [ "$(curl_api /readyz 2>/dev/null)" = "ok" ]; then
    log "already up: https://127.0.0.1:$APISERVER_PORT"
    return 0
  fi
  bin_dir >/dev/null
  # Anything half-running from an earlier failure goes first, so ports are consistent.
  stop_all
  gen_pki
  ETCD_PORT="$(free_port)"
  ETCD_PEER_PORT="$(free_port)"
  while [ "$ETCD_PEER_PORT" = "$ETCD_PORT" ]; do ETCD_PEER_PORT="$(free_port)"; done
  APISERVER_PORT="$(free_port)"
  KCM_PORT="$(free_port)"
  printf 'ETCD_PORT=%s\nETCD_PEER_PORT=%s\nAPISERVER_PORT=%s\nKCM_PORT=%s\n' \
    "$ETCD_PORT" "$ETCD_PEER_PORT" "$APISERVER_PORT" "$KCM_PORT" >"$RUN/ports.env"
  write_kubeconfig "$DIR/admin.kubeconfig" modelgate-admin "$PKI/admin.crt" "$PKI/admin.key" "$APISERVER_PORT"
  write_kubeconfig "$DIR/controller-manager.kubeconfig" system:kube-controller-manager \
    "$PKI/controller-manager.crt" "$PKI/controller-manager.key" "$APISERVER_PORT"
  : >"$LOGS/etcd.log"
  : >"$LOGS/apiserver.log"
  : >"$LOGS/controller-manager.log"
  start_etcd
  start_apiserver
  wait_ready || { stop_all; exit 1; }
  start_controller_manager
  log "up in $((SECONDS - start))s: https://127.0.0.1:$APISERVER_PORT (KUBECONFIG=$DIR/admin.kubeconfig)"
}

cmd_down() {
  stop_all
  log "down"
}

cmd_status() {
  local ok=0 c
  for c in etcd apiserver controller-manager; do
    if running "$c"; then echo "$c: running (pid $(pid_of "$c"))"; else echo "$c: stopped"; ok=1; fi
  done
  if load_ports; then
    echo "apiserver: https://127.0.0.1:$APISERVER_PORT  etcd: http://127.0.0.1:$ETCD_PORT"
    if [ "$(curl_api /readyz 2>/dev/null)" = "ok" ]; then echo "readyz: ok"; else echo "readyz: not ready"; ok=1; fi
  fi
  echo "KUBECONFIG=$DIR/admin.kubeconfig"
  return $ok
}

cmd_start_apiserver() {
  load_ports || die "cluster is not up"
  running etcd || die "etcd is not running; use up"
  start_apiserver
  wait_ready || exit 1
}

mkdir -p "$(dirname "$DIR")"
case "${1:-}" in
  install) k8s_install >/dev/null && log "binaries in $(k8s_find_cached_bin_dir)" ;;
  up) exec 9>"${DIR%/}.lock"; flock 9; cmd_up ;;
  down) exec 9>"${DIR%/}.lock"; flock 9; cmd_down ;;
  status) cmd_status ;;
  env) echo "export KUBECONFIG=$DIR/admin.kubeconfig" ;;
  stop-apiserver) load_ports || die "cluster is not up"; stop_proc apiserver; wait_port_free "$APISERVER_PORT" ;;
  start-apiserver) cmd_start_apiserver ;;
  restart-apiserver)
    load_ports || die "cluster is not up"
    stop_proc apiserver
    wait_port_free "$APISERVER_PORT" || die "port $APISERVER_PORT still busy"
    cmd_start_apiserver ;;
  compact)
    load_ports || die "cluster is not up"
    rev="$(ETCDCTL_API=3 etcdctl --endpoints "http://127.0.0.1:$ETCD_PORT" endpoint status -w json |
      python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["Status"]["header"]["revision"])')"
    ETCDCTL_API=3 etcdctl --endpoints "http://127.0.0.1:$ETCD_PORT" compact "$rev" >&2
    echo "$rev" ;;
  clean) mkdir -p "$DIR"; exec 9>"${DIR%/}.lock"; flock 9; stop_all; rm -rf "$DIR"; log "removed $DIR" ;;
  *) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
