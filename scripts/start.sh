#!/usr/bin/env bash
# `npm start`: a cluster whose pods run for real. As root on Linux that is `kubesvc up --isolated`
# (everything in a network namespace of its own; the host's kubectl still reaches the API server);
# elsewhere plain `kubesvc up` (API, controllers and DNS; pods stay Pending and the node says why).
# Flags given after `npm start --` are passed on; --node-agent or --isolated there choose for you.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=()
case " $* " in
  *" --node-agent "* | *" --isolated "*) ;;
  *)
    if [ "$(uname -s)" = Linux ] && [ "$(id -u)" = 0 ] && command -v unshare >/dev/null 2>&1; then
      mode=(--isolated)
    else
      echo "kubesvc: not root on Linux, so no pods: starting the API server, controllers and DNS only (see README)" >&2
    fi
    ;;
esac
exec node bin/kubesvc up "${mode[@]}" "$@"
