#!/usr/bin/env bash
# The one test command (README, CI): typecheck + build, lint, unit tests, end-to-end tests.
# Usage: scripts/test.sh [all|unit|e2e]
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-all}"

echo "== host tools"
bash scripts/setup-host.sh test

echo "== typecheck and build"
npx tsc -p tsconfig.json
echo "== lint"
npx eslint .

run_tests() {
  local files
  mapfile -t files < <(find "$@" -name '*.test.ts' -not -path '*/node_modules/*' | sort)
  if [ "${#files[@]}" -eq 0 ]; then echo "no test files under $*"; return 0; fi
  node --import tsx --test --test-concurrency=1 --test-reporter=spec "${files[@]}"
}

case "$what" in
  unit) run_tests src ;;
  e2e) run_tests test ;;
  all) run_tests src test ;;
  *) echo "usage: $0 [all|unit|e2e]"; exit 2 ;;
esac
