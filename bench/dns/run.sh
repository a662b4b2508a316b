#!/usr/bin/env bash
# Installs the bench-only tools (dnsperf, nsd; Debian packages) if missing, then runs the benchmark.
set -euo pipefail
cd "$(dirname "$0")/../.."
missing=()
for p in dnsperf nsd; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ "${#missing[@]}" -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
exec node --import tsx bench/dns/run.ts "$@"
