#!/usr/bin/env bash
# Offline checks of the Helm chart charts/modelgate (CI runs this; so does the `chart`
# test suite). No cluster needed.
#
#   1. CRD copies: charts/modelgate/crds/ must equal crds/*.yaml (one source of truth;
#      --write copies them over instead of failing).
#   2. helm lint --strict with the default, cert-manager and local-mode values.
#   3. helm template for each (and for Kubernetes 1.20), then scripts/chart-manifests.py
#      parses every document and checks the chart's promises (webhook settings, TLS chain,
#      security contexts, RBAC, NetworkPolicies, the default policy against its CRD).
#   4. templates/validate.yaml and values.schema.json refuse impossible values.
#   5. The values table in charts/modelgate/README.md matches values.yaml
#      (--write regenerates it).
#   6. modelgate's own Deployments pass modelgate's own rules (`modelgate check`), when a
#      built modelgate binary is found; otherwise this one check is SKIPPED (not passed).
#   7. The Dockerfile installs install-deps.sh's library packages (build stage) and the
#      packages of every library the built binary links (runtime stage).
#
# Usage: scripts/chart-check.sh [--write] [BUILD_DIR]
#   BUILD_DIR (default: build) is where cli/modelgate is looked for.
# Ends with "chart-check: N passed, N failed, N skipped"; exits 1 when any check failed.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
chart=charts/modelgate
write=0
build=""
for a in "$@"; do
  case "$a" in
    --write) write=1 ;;
    -h | --help) sed -n '2,20p' "$0"; exit 0 ;;
    *) build=$a ;;
  esac
done
build=${build:-$root/build}

passed=0
failed=0
skipped=0
ok() { passed=$((passed + 1)); echo "PASS  $*"; }
bad() { failed=$((failed + 1)); echo "FAIL  $*"; }
skip() { skipped=$((skipped + 1)); echo "SKIP  $*"; }

tools="${MODELGATE_CACHE:-$HOME/.cache/modelgate}/tools/bin"
helm=$(command -v helm || true)
if [ -z "$helm" ] || ! "$helm" version --short 2>/dev/null | grep -q '^v[34]'; then
  [ -x "$tools/helm" ] || bash e2e/install-tools.sh >&2 || true
  helm="$tools/helm"
fi
if [ ! -x "$helm" ]; then
  bad "helm not found (e2e/install-tools.sh failed); nothing else can run"
  echo "chart-check: $passed passed, $failed failed, $skipped skipped"
  exit 1
fi
echo "chart-check: using $("$helm" version --short) ($helm)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ns=modelgate-system

# ---------------------------------------------------------------- 1. CRD copies
crd_drift=0
for src in crds/*.yaml; do
  dst="$chart/crds/$(basename "$src")"
  if ! cmp -s "$src" "$dst"; then
    if ((write)); then
      cp "$src" "$dst"
      echo "      wrote $dst"
    else
      diff -u "$dst" "$src" | head -20
      crd_drift=1
    fi
  fi
done
for dst in "$chart"/crds/*.yaml; do
  [ -e "crds/$(basename "$dst")" ] && continue
  if ((write)); then rm -f "$dst"; echo "      removed $dst"; else echo "      $dst has no source in crds/"; crd_drift=1; fi
done
if ((crd_drift)); then
  bad "chart CRDs differ from crds/ (run scripts/chart-check.sh --write)"
else
  ok "chart CRDs are exact copies of crds/*.yaml"
fi

# ---------------------------------------------------------------- 2 + 3. lint, template, manifests
render() {  # name, then helm template args
  local name=$1
  shift
  "$helm" template modelgate "$chart" -n "$ns" "$@" >"$work/$name.yaml" 2>"$work/$name.err"
}
for variant in default:: kube120::--kube-version=1.20.2 certmanager:$chart/ci/certmanager-values.yaml: \
  local:$chart/ci/local-values.yaml: signing:$chart/ci/signing-values.yaml: \
  signing-configmap:$chart/ci/signing-configmap-values.yaml:; do
  IFS=: read -r name values extra <<<"$variant"
  args=()
  [ -n "$values" ] && args+=(-f "$values")
  [ -n "$extra" ] && args+=("$extra")
  if [ "$name" != kube120 ]; then
    if "$helm" lint --strict "$chart" -n "$ns" "${args[@]}" >"$work/lint-$name.out" 2>&1; then
      ok "helm lint --strict ($name values)"
    else
      bad "helm lint --strict ($name values)"
      sed 's/^/      | /' "$work/lint-$name.out"
    fi
  fi
  if render "$name" "${args[@]}"; then
    ok "helm template ($name)"
  else
    bad "helm template ($name)"
    sed 's/^/      | /' "$work/$name.err"
    continue
  fi
  if python3 scripts/chart-manifests.py "$name" "$work/$name.yaml" "$ns" crds >"$work/manifests-$name.out" 2>&1; then
    ok "rendered manifests ($name): $(tail -1 "$work/manifests-$name.out" | sed 's/^ *[a-z0-9]*: //')"
  else
    bad "rendered manifests ($name)"
    grep -v '^  ok' "$work/manifests-$name.out" | sed 's/^/      | /'
  fi
done

# TLS material survives in a re-render only through lookup (a cluster); without one every
# render must make fresh keys, which shows the generation path runs at all.
if render again && [ "$(grep -c 'tls.key' "$work/again.yaml")" -ge 2 ] &&
  ! cmp -s <(grep 'tls.key' "$work/default.yaml") <(grep 'tls.key' "$work/again.yaml"); then
  ok "without a cluster each render generates a new CA and certificate (upgrade reuse is tested by scripts/suites/chart.sh)"
else
  bad "helm template did not generate TLS material"
fi

# ---------------------------------------------------------------- 4. impossible values
refuse() {  # what-the-error-must-say, then --set arguments
  local want=$1
  shift
  if "$helm" template modelgate "$chart" -n "$ns" "$@" >/dev/null 2>"$work/refuse.err"; then
    bad "accepted $* (should fail: $want)"
  elif grep -q -- "$want" "$work/refuse.err"; then
    ok "refuses $* ($want)"
  else
    bad "refused $* but without '$want':"
    sed 's/^/      | /' "$work/refuse.err"
  fi
}
refuse "webhook.replicas must be at least 1" --set webhook.replicas=0
refuse "use at most 5 seconds" --set webhook.timeoutSeconds=10
refuse "accepts 1 to 30 seconds" --set webhook.timeoutSeconds=31
refuse "must be below webhook.timeoutSeconds" --set webhook.deadlineMs=6000
refuse "ioThreads" --set webhook.ioThreads=1
refuse "must be below webhook.replicas" --set webhook.replicas=1
refuse "certManager.enabled cannot be combined" -f "$chart/ci/local-values.yaml" --set certManager.enabled=true
refuse "set webhook.enabled=false" --set webhook.external.url=https://127.0.0.1:1/validate --set webhook.external.caBundle=eA==
refuse "must start with https://" -f "$chart/ci/local-values.yaml" --set webhook.external.url=http://127.0.0.1:1/validate
refuse "no admission control at all" --set webhook.enabled=false
refuse "scanMode=inline" --set controller.scanMode=inline
refuse "additional properties 'replicaz' not allowed" --set webhook.replicaz=3
refuse "additional properties 'nmae' not allowed" --set defaultPolicy.rules.trustedSigners[0].nmae=x
refuse "value must be one of" --set defaultPolicy.enforcement=enforce
refuse "own namespace" --namespace kube-system
refuse "set only one" -f "$chart/ci/signing-values.yaml" --set controller.sigstore.trustedRootConfigMap.name=x
refuse "must be the text of a Sigstore trusted_root.json" --set controller.sigstore.trustedRoot=not-json
refuse "additional properties 'readSecrets' not allowed" --set controller.rbac.readSecrets=true

# ---------------------------------------------------------------- 5. values table
if ((write)); then
  python3 scripts/chart-readme.py "$chart" >/dev/null && ok "values table regenerated"
elif python3 scripts/chart-readme.py --check "$chart" >"$work/readme.out" 2>&1; then
  ok "README values table matches values.yaml (every value has a full-sentence comment)"
else
  bad "README values table"
  sed 's/^/      | /' "$work/readme.out" | head -40
fi

# ---------------------------------------------------------------- 6. modelgate's own rules
mg="$build/cli/modelgate"
if [ -x "$mg" ] && "$mg" check --help >/dev/null 2>&1; then
  # Judge every workload (not only model workloads) as an ordinary namespace would be
  # judged: --own-namespace names another namespace so the chart's is not exempt. The
  # API server's address is given, as a cluster install finds it (see networkpolicy.yaml).
  cat >"$work/all-workloads.yaml" <<'EOF'
apiVersion: modelgate.io/v1alpha1
kind: ModelAdmissionPolicy
metadata: {name: chart-check}
spec: {enforcement: Enforce, appliesTo: AllWorkloads}
EOF
  render owncheck --set 'networkPolicy.apiServer.cidrs={10.96.0.1/32}'
  if "$mg" check -f "$work/owncheck.yaml" --admissions "$work/owncheck.yaml" --policy "$work/all-workloads.yaml" \
    --namespace "$ns" --own-namespace not-"$ns" >"$work/check.out" 2>&1; then
    ok "modelgate check admits the chart's own workloads: $(tail -1 "$work/check.out")"
  else
    bad "modelgate check denies the chart's own workloads"
    sed 's/^/      | /' "$work/check.out"
  fi
  # Control: the same render without its NetworkPolicies must be denied (MG012), or the
  # check above proved nothing.
  python3 -c '
import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d and d["kind"] != "NetworkPolicy"]
yaml.safe_dump_all(docs, open(sys.argv[2], "w"))' "$work/owncheck.yaml" "$work/nonetpol.yaml"
  if ! "$mg" check -f "$work/nonetpol.yaml" --policy "$work/all-workloads.yaml" --namespace "$ns" \
    --own-namespace not-"$ns" >"$work/check2.out" 2>&1 && grep -q MG012 "$work/check2.out"; then
    ok "control: without its NetworkPolicies the same render is denied with MG012"
  else
    bad "control: modelgate check did not deny the render without NetworkPolicies"
    sed 's/^/      | /' "$work/check2.out"
  fi
else
  skip "modelgate's own rules over the chart: no $mg with the 'check' subcommand (build it: cmake --build $build --target modelgate)"
fi

# ---------------------------------------------------------------- 7. Dockerfile packages
# Build stage: every library -dev package of scripts/install-deps.sh (its "# libraries"
# block) is installed. Runtime stage: every shared library the local build links comes
# from a package the runtime stage installs (the build and runtime Debian releases match).
stage_packages() {  # stage index (0 build, 1 runtime): the package names apt installs
  python3 - "$1" <<'PY'
import re, sys
text = open("Dockerfile").read().replace("\\\n", " ")
stages = re.split(r"^FROM ", text, flags=re.M)[1:]
pkgs = []
for line in stages[int(sys.argv[1])].splitlines():
    if "apt-get install" in line:
        pkgs += [w for w in line.split("apt-get install", 1)[1].split() if re.match(r"^[a-z0-9][a-z0-9.+-]+$", w)]
print("\n".join(pkgs))
PY
}
wanted_dev=$(sed -n '/^ *# libraries/,/^ *# [a-z]/p' scripts/install-deps.sh | grep -v '^ *#' | tr ' ' '\n' | grep -v '^$' | sort -u)
missing_dev=$(comm -23 <(echo "$wanted_dev") <(stage_packages 0 | sort -u))
if [ -n "$wanted_dev" ] && [ -z "$missing_dev" ]; then
  ok "Dockerfile build stage installs the $(echo "$wanted_dev" | wc -l) library packages of scripts/install-deps.sh"
else
  bad "Dockerfile build stage lacks: ${missing_dev:-<could not read install-deps.sh>}"
fi
if [ -x "$mg" ]; then
  needed=$(ldd "$mg" | awk '$3 ~ /^\// {print $3}' | while read -r lib; do
    dpkg -S "$lib" 2>/dev/null || dpkg -S "$(readlink -f "$lib")" 2>/dev/null || dpkg -S "/usr$lib" 2>/dev/null
  done | cut -d: -f1 | sort -u)
  # Packages the runtime image has anyway or pulls in as dependencies of listed ones.
  runtime=$( (stage_packages 1; echo libc6 libgcc-s1) | tr ' ' '\n' | sort -u)
  direct=$(readelf -d "$mg" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | while read -r so; do
    dpkg -S "*/$so" 2>/dev/null | head -1
  done | cut -d: -f1 | sort -u)
  missing_rt=$(comm -23 <(echo "$direct") <(echo "$runtime"))
  if [ -n "$direct" ] && [ -z "$missing_rt" ]; then
    ok "Dockerfile runtime stage installs the packages of all $(echo "$direct" | wc -l) libraries $mg links directly ($(echo "$needed" | wc -l) packages in total with their dependencies)"
  else
    bad "Dockerfile runtime stage lacks packages of linked libraries: ${missing_rt:-<readelf/dpkg gave nothing>}"
  fi
else
  skip "Dockerfile runtime libraries: no $mg to compare with"
fi

echo "chart-check: $passed passed, $failed failed, $skipped skipped"
((failed == 0))
