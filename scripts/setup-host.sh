#!/usr/bin/env bash
# The host set-up step behind the README's two commands: makes sure the tools kubesvc shells out to
# are installed. As root on Debian or Ubuntu it installs what is missing with apt-get; otherwise it
# names the exact packages and carries on (the API, controllers and DNS work without them; the
# node then reports NotReady saying why).
# Usage: scripts/setup-host.sh start|test
set -euo pipefail
what="${1:-start}"

# tool:package pairs. `start` is what pods and the proxy need; `test` adds the clients the tests drive.
need=(ip:iproute2 nft:nftables unshare:util-linux nsenter:util-linux script:util-linux busybox:busybox conntrack:conntrack iptables:iptables)
# A C compiler and libc headers build the container-entry helper (src/node/enter); without them
# containers start through the slower exec chain.
need+=(cc:gcc)
if [ "$what" = test ]; then
  need+=(dig:dnsutils curl:curl pgrep:procps openssl:openssl)
fi

missing=()
for pair in "${need[@]}"; do
  tool="${pair%%:*}" pkg="${pair#*:}"
  if ! command -v "$tool" >/dev/null 2>&1 && [[ " ${missing[*]-} " != *" $pkg "* ]]; then missing+=("$pkg"); fi
done
[ -e /usr/include/stdio.h ] || missing+=(libc6-dev)

if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(uname -s)" = Linux ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "kubesvc setup: installing ${missing[*]} with apt-get" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "kubesvc setup: pods need these packages, not installed here: ${missing[*]}" >&2
    echo "  on Debian or Ubuntu, as root: apt-get install ${missing[*]}" >&2
  fi
fi

if [ "$what" = test ] && ! command -v kubectl >/dev/null 2>&1; then
  echo "kubesvc setup: the end-to-end tests drive the real kubectl, which is not on PATH" >&2
  echo "  install it as https://kubernetes.io/docs/tasks/tools/ says (Debian has no package for it)" >&2
  exit 1
fi
exit 0
