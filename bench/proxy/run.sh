#!/usr/bin/env bash
# bench/proxy in one command: installs the Debian tools it needs if missing (wrk, haproxy, a C
# compiler for the connect-latency probe, nftables, conntrack, iproute2 with nstat), then runs
# bench/proxy/run.ts as root. Everything happens in throwaway network namespaces named
# ksvc-pb-<hex>-*, deleted at the end (also on failure or Ctrl-C).
# Usage: bash bench/proxy/run.sh [--sizes 1000,5000,10000] [--connects 2000] [--seconds 4] [--only ...]
set -euo pipefail
cd "$(dirname "$0")/../.."
[ "$(id -u)" = 0 ] || { echo "bench/proxy needs root (network namespaces, nft, conntrack)" >&2; exit 1; }
need=()
for p in wrk haproxy gcc nftables conntrack iproute2; do dpkg -s "$p" >/dev/null 2>&1 || need+=("$p"); done
if [ "${#need[@]}" -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
exec npx tsx bench/proxy/run.ts "$@"
