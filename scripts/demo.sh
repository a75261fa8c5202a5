#!/usr/bin/env bash
# The README's main command. Installs what is needed, builds modelgate, writes
# sample models (a clean SafeTensors model, a pickle with a payload, a torch ZIP
# checkpoint with a payload, a GGUF with a hostile chat template, a truncated
# file) and shows what `modelgate scan` says about each, with its exit code.
# Leaves nothing running; the samples go to a temporary folder that is removed.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
bash scripts/install-deps.sh >/dev/null
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"${JOBS:-2}" --target modelgate >/dev/null
mg="$(pwd)/$build/cli/modelgate"

samples=$(mktemp -d)
trap 'rm -rf "$samples"' EXIT
python3 demo/make-samples.py "$samples"

for model in clean-safetensors pickle-payload zip-checkpoint gguf-hostile-template truncated-safetensors; do
  echo
  echo "### modelgate scan $model/"
  set +e
  (cd "$samples" && "$mg" scan --no-progress "$model")
  rc=$?
  set -e
  case $rc in
    0) echo "=> exit 0: clean, would be admitted" ;;
    1) echo "=> exit 1: unsafe findings, would be rejected (MG003)" ;;
    2) echo "=> exit 2: could not decide, would be rejected (never treated as clean)" ;;
  esac
done
