// Entrypoints of the tool images people run to debug Services. They have no program of ours: the
// host's tools run inside the pod sandbox (busybox applets first on PATH when the agent has them),
// started through a few lines of sh that do what the image's entrypoint or default command does.

/**
 * curlimages/curl: ENTRYPOINT /entrypoint.sh with CMD curl. Like the image's script, the arguments
 * run as a command when their first word is one, and are curl's arguments otherwise (`-- -s
 * http://web` runs `curl -s http://web`; `-- sh` a shell). The image's `curl` is the host's.
 */
export const CURL_ENTRYPOINT = ['sh', '-c', 'case "$1" in -*) set -- curl "$@";; *) command -v "$1" >/dev/null 2>&1 || set -- curl "$@";; esac; exec "$@"', '/entrypoint.sh'];

/**
 * nicolaka/netshoot: CMD zsh. Hosts seldom have zsh, so the first of zsh, bash and sh that exists
 * runs instead (interactive with `kubectl run -it`, as the image's shell).
 */
export const NETSHOOT_SHELL = ['sh', '-c', 'for s in zsh bash; do command -v "$s" >/dev/null 2>&1 && exec "$s"; done; exec sh', 'zsh'];
