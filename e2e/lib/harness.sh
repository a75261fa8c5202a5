# Scenario harness for e2e/run-e2e.sh: sourced, not run.
# scenario NAME FUNCTION  runs one scenario in a subshell, prints its name and
# result, and tallies; summary prints "N passed, N failed".
# Assertions print what they expected and what they got, then return 1.

E2E_PASSED=0
E2E_FAILED=0
E2E_FAILED_NAMES=()

scenario() {
  local name=$1 fn=$2
  local log
  log=$(mktemp)
  local start=$SECONDS
  # Not inside `if`: bash ignores set -e in a condition, and every step must count.
  ( set -eo pipefail; "$fn" ) >"$log" 2>&1
  local rc=$?
  if [ "$rc" = 0 ]; then
    E2E_PASSED=$((E2E_PASSED + 1))
    printf 'PASS  %-70s %3ss\n' "$name" "$((SECONDS - start))"
  else
    E2E_FAILED=$((E2E_FAILED + 1))
    E2E_FAILED_NAMES+=("$name")
    printf 'FAIL  %-70s %3ss\n' "$name" "$((SECONDS - start))"
    sed 's/^/      | /' "$log" | tail -40
  fi
  rm -f "$log"
}

summary() {
  echo
  ((E2E_FAILED)) && printf 'failed: %s\n' "${E2E_FAILED_NAMES[@]}"
  echo "e2e: $E2E_PASSED passed, $E2E_FAILED failed"
  ((E2E_FAILED == 0))
}

# apply_expect_denied RULES... -- KUBECTL ARGS: kubectl must fail and its error
# must name every rule id given (and only then is the scenario happy).
apply_expect_denied() {
  local rules=()
  while [ "$1" != "--" ]; do rules+=("$1"); shift; done
  shift
  local out
  if out=$(kubectl "$@" 2>&1); then
    echo "expected a denial naming ${rules[*]}, but kubectl succeeded: $out"
    return 1
  fi
  if ! grep -q 'denied the request' <<<"$out"; then
    echo "expected an admission denial, got: $out"
    return 1
  fi
  local r
  for r in "${rules[@]}"; do
    if ! grep -q "$r" <<<"$out"; then
      echo "denial does not name $r: $out"
      return 1
    fi
  done
  echo "denied as expected: $out"
}

# apply_expect_allowed KUBECTL ARGS: kubectl must succeed; prints warnings.
apply_expect_allowed() {
  local out
  if ! out=$(kubectl "$@" 2>&1); then
    echo "expected admission, got: $out"
    return 1
  fi
  echo "$out"
}

# expect_no RULE TEXT: TEXT must not mention RULE.
expect_no() {
  if grep -q "$1" <<<"$2"; then
    echo "did not expect $1 in: $2"
    return 1
  fi
}

# wait_for SECONDS COMMAND...: retries COMMAND every 0.5 s until it succeeds.
wait_for() {
  local limit=$1
  shift
  local deadline=$((SECONDS + limit))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      echo "timed out after ${limit}s waiting for: $*"
      "$@" || true
      return 1
    fi
    sleep 0.5
  done
}
