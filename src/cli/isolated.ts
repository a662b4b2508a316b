// `kubesvc up --isolated`: the whole cluster (API server, node agent, pods, DNS, proxy) runs in a
// network namespace of its own with only loopback and the pod bridge: no route out, nothing on the
// host's interfaces. The parent re-runs kubesvc under `unshare --net` and relays signals; the child
// brings loopback up and records its pid so `kubesvc exec` can join the namespace.
import { spawn } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { listenTcpToUnix, type Relay } from './host-relay.js';

const CHILD_MARK = 'KUBESVC_ISOLATED_CHILD';
/** The host port the parent's relay took, so the API inside listens on the same one (the kubeconfig works in both). */
const PORT_MARK = 'KUBESVC_ISOLATED_API_PORT';

/** Where the API server inside the namespace is reachable from the host's side: a socket in the data dir. */
export function isolatedApiSocket(dataDir: string): string {
  return join(dataDir, 'api.sock');
}

/** Child side: the API port to use when --listen asked for any free port (0). */
export function isolatedApiPort(listenPort: number): number {
  const fromParent = Number(process.env[PORT_MARK]);
  return listenPort === 0 && Number.isInteger(fromParent) && fromParent > 0 ? fromParent : listenPort;
}

/** Child side: whether the parent relays the host's --listen address to us. */
export function hostRelayActive(): boolean {
  return insideIsolatedNetns() && Number(process.env[PORT_MARK]) > 0;
}

export interface HostRelayOptions {
  listen: { host: string; port: number };
  socket: string;
  warn(message: string): void;
}

export function insideIsolatedNetns(): boolean {
  return process.env[CHILD_MARK] === '1';
}

export function isolatedPidFile(dataDir: string): string {
  return join(dataDir, 'isolated.pid');
}

/**
 * Parent side: run this same command line in a new network namespace; resolves with its exit code.
 * With `relay`, the host's --listen address leads to the API server inside (through a socket in the
 * data dir), so the host's kubectl works with the kubeconfig as it is; a taken port only costs that.
 */
export async function runIsolated(argv: readonly string[] = process.argv, relay?: HostRelayOptions): Promise<number> {
  let hostRelay: Relay | undefined;
  if (relay) {
    try {
      hostRelay = await listenTcpToUnix(relay.listen, relay.socket);
    } catch (e) {
      relay.warn(`the API server is not reachable from this host at ${relay.listen.host}:${relay.listen.port} (${(e as NodeJS.ErrnoException).code ?? String(e)}); use kubesvc exec -- kubectl ...`);
    }
  }
  const env: NodeJS.ProcessEnv = { ...process.env, [CHILD_MARK]: '1' };
  if (hostRelay) env[PORT_MARK] = String(hostRelay.port());
  const child = spawn('unshare', ['--net', '--', process.execPath, ...process.execArgv, ...argv.slice(1)], { stdio: 'inherit', env });
  const relaySignal = (sig: NodeJS.Signals) => child.kill(sig);
  process.on('SIGINT', relaySignal);
  process.on('SIGTERM', relaySignal);
  return new Promise((resolve) => {
    child.on('error', (e) => {
      void hostRelay?.close();
      process.stderr.write(`kubesvc: cannot create the isolated network namespace (needs root and unshare from util-linux): ${e.message}\n`);
      resolve(1);
    });
    child.on('exit', (code, signal) => {
      process.off('SIGINT', relaySignal);
      process.off('SIGTERM', relaySignal);
      void (hostRelay?.close() ?? Promise.resolve()).finally(() => resolve(code ?? (signal ? 1 : 0)));
    });
  });
}

/** Child side: loopback up, pid recorded; returns the clean-up to run at shutdown. */
export async function prepareIsolatedNetns(dataDir: string, run: (cmd: string, args: string[]) => Promise<unknown>): Promise<() => Promise<void>> {
  await run('ip', ['link', 'set', 'lo', 'up']);
  const pidFile = isolatedPidFile(dataDir);
  await writeFile(pidFile, `${process.pid}\n`);
  return () => rm(pidFile, { force: true });
}
