// Cheap forms of the built-in images that need no Node process: a pod's nginx or httpd is busybox
// `httpd` (one per port) under a busybox `sh` that stands for the container, and pause is busybox
// `sleep`. A Node process costs ~40 ms of CPU and ~40 MiB per container, which made a burst of 100
// pods CPU-bound on a small node; these cost ~1 ms and ~1 MiB. The sh wrapper keeps the container
// contract of the Node built-ins: "<name> listening on :<port>" log lines, exit 0 on SIGTERM/SIGINT,
// exit 1 when a port cannot be bound. Each request is logged as busybox httpd -vv writes it
// ("<client>:<port>: url:/", then "response:200"), so `kubectl logs` shows which pod served whom,
// as nginx's access log does, in busybox's words rather than nginx's format. The servers listen on
// IPv4 (pods are single-stack), which keeps client addresses plain, and on the IPv6 loopback. Images without a cheap form
// (agnhost netexec, http-echo, whoami) return undefined and keep their Node program.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HTTPD_PAGE, NGINX_PAGE } from './pages.js';

export interface NativeRuntime {
  /** Path of the busybox binary. */
  busybox: string;
  /** Holds nginx/ and httpd/ document roots (ensureDocRoots). */
  docRoot: string;
}

const PAGES: Readonly<Record<string, string>> = { nginx: NGINX_PAGE, httpd: HTTPD_PAGE };

// $1 busybox, $2 name, $3 document root, $4 httpd config, then the ports. The trap is set before any server starts
// so that an early SIGTERM still ends in exit 0; `wait -n` returns when the first server dies.
const WEB_SCRIPT = [
  'bb=$1 name=$2 root=$3 conf=$4',
  'shift 4',
  'pids=',
  "trap 'kill $pids 2>/dev/null; exit 0' TERM INT QUIT",
  // busybox wget tries only the first address of localhost (::1, from the pod's /etc/hosts), so each
  // port gets a listener on the IPv6 loopback too, as nginx's [::]:80, on a socket of its own (IPv4
  // peers stay plain in the log). Detected with shell builtins only (no exec): a pod without IPv6
  // has no ::1 and goes without.
  'v6=; while read -r a _; do [ "$a" = 00000000000000000000000000000001 ] && v6=1; done 2>/dev/null < /proc/net/if_inet6',
  'for p; do',
  '  "$bb" httpd -f -vv -p "0.0.0.0:$p" -h "$root" -c "$conf" & pids="$pids $!"',
  '  if [ -n "$v6" ]; then "$bb" httpd -f -vv -p "[::1]:$p" -h "$root" -c "$conf" & pids="$pids $!"; fi',
  'done',
  'for p; do echo "$name listening on :$p"; done',
  'wait -n',
  'kill $pids 2>/dev/null',
  'exit 1',
].join('\n');

const PAUSE_SCRIPT = ["trap 'kill $! 2>/dev/null; exit 0' TERM INT", 'while :; do "$1" sleep 2147483647 & wait $!; done'].join('\n');

/** argv of the cheap form of a built-in program, or undefined when it has none. */
export function nativeArgv(builtin: string, args: readonly string[], declaredPorts: readonly number[], rt: NativeRuntime): string[] | undefined {
  const sh = (script: string, name: string, rest: readonly (string | number)[]) => [rt.busybox, 'sh', '-c', script, name, rt.busybox, ...rest.map(String)];
  switch (builtin) {
    case 'nginx':
    case 'httpd':
      return sh(WEB_SCRIPT, builtin, [builtin, join(rt.docRoot, builtin), join(rt.docRoot, 'httpd.conf'), ...new Set([80, ...declaredPorts])]);
    case 'pause':
      return sh(PAUSE_SCRIPT, 'pause', []);
    case 'agnhost':
      return args[0] === 'pause' && args.length === 1 ? sh(PAUSE_SCRIPT, 'pause', []) : undefined;
    default:
      return undefined;
  }
}

/** Writes the default pages, and an empty httpd config (outside them) so no /etc/httpd.conf of the host applies. */
export async function ensureDocRoots(docRoot: string): Promise<void> {
  for (const [name, page] of Object.entries(PAGES)) {
    const dir = join(docRoot, name);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'index.html'), page);
  }
  await writeFile(join(docRoot, 'httpd.conf'), '');
}
