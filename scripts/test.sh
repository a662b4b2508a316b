#!/usr/bin/env bash
# The one test command (README, CI): typecheck + build, lint, unit tests, end-to-end tests.
# Usage: scripts/test.sh [all|unit|e2e|PATH...]  (PATHs: test files or folders to run alone)
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-all}"

echo "== host tools"
bash scripts/setup-host.sh test

echo "== typecheck and build"
npx tsc -p tsconfig.json
echo "== lint"
npx eslint .

# Each file runs in its own test runner under hard time limits, so one hung file (a socket left
# open, a promise never settled) fails by name instead of stalling the whole run; the end of the
# output lists failures and the slowest files. Limits in seconds: TEST_TIMEOUT per test (and per
# file, as node applies it to both), FILE_TIMEOUT as the backstop that kills the file's whole
# process group.
TEST_TIMEOUT="${TEST_TIMEOUT:-600}"
FILE_TIMEOUT="${FILE_TIMEOUT:-900}"

netns_names() { ip netns list 2>/dev/null | awk '/^ksvc-/ { print $1 }' | sort; }

# After a file failed or was killed its own cleanup may not have run: remove the network
# namespaces it left (the tests name theirs ksvc-*; only those that appeared while it ran), ending the processes inside them.
sweep_netns_since() {
  local before="$1" ns pid
  for ns in $(comm -13 <(printf '%s\n' "$before") <(netns_names)); do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
    ip netns del "$ns" 2>/dev/null && echo "   removed network namespace $ns left by the failed file"
  done
}

run_tests() {
  local files f rc t0 t1 secs ns_before
  mapfile -t files < <(find "$@" -name '*.test.ts' -not -path '*/node_modules/*' | sort)
  if [ "${#files[@]}" -eq 0 ]; then echo "no test files under $*"; return 0; fi
  local failed=() timings=() tap
  tap=$(mktemp -d /tmp/kubesvc-test-out-XXXXXX)
  for f in "${files[@]}"; do
    t0=$(date +%s.%N)
    ns_before=$(netns_names)
    set +e
    timeout -k 30 "$FILE_TIMEOUT" node --import tsx --test --test-force-exit \
      --test-timeout="$((TEST_TIMEOUT * 1000))" --test-reporter=spec "$f" | tee "$tap/${#timings[@]}.out"
    rc=${PIPESTATUS[0]}
    set -e
    t1=$(date +%s.%N)
    secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
    timings+=("$secs $f")
    case "$rc" in
      0) echo "-- $f: ok in ${secs}s" ;;
      124 | 137) echo "-- $f: KILLED after ${secs}s (over FILE_TIMEOUT=${FILE_TIMEOUT}s)"; failed+=("$f (killed, ${secs}s)") ;;
      *) echo "-- $f: FAILED (exit $rc) in ${secs}s"; failed+=("$f (exit $rc)") ;;
    esac
    [ "$rc" -eq 0 ] || sweep_netns_since "$ns_before"
  done
  echo "== slowest test files"
  printf '%s\n' "${timings[@]}" | sort -rn | head -10 | sed 's/^/   /'
  local counts
  counts=$(cat "$tap"/*.out 2>/dev/null | awk '/^ℹ (tests|pass|fail|cancelled|skipped) [0-9]+$/ { n[$2] += $3 }
    END { printf "%d tests: %d pass, %d fail, %d cancelled, %d skipped", n["tests"], n["pass"], n["fail"], n["cancelled"], n["skipped"] }')
  rm -rf "$tap"
  echo "== ${#files[@]} test files, ${#failed[@]} failed; $counts"
  if [ "${#failed[@]}" -gt 0 ]; then
    printf '   %s\n' "${failed[@]}"
    return 1
  fi
}

case "$what" in
  unit) run_tests src ;;
  e2e) run_tests test ;;
  all) run_tests src test ;;
  *)
    for p in "$@"; do [ -e "$p" ] || { echo "usage: $0 [all|unit|e2e|PATH...]: no such path: $p"; exit 2; }; done
    run_tests "$@" ;;
esac
