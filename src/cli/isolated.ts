// `kubesvc up --isolated`: the whole cluster (API server, node agent, pods, DNS, proxy) runs in a
// network namespace of its own with only loopback and the pod bridge: no route out, nothing on the
// host's interfaces. The parent re-runs kubesvc under `unshare --net` and relays signals; the child
// brings loopback up and records its pid so `kubesvc exec` can join the namespace.
import { spawn } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const CHILD_MARK = 'KUBESVC_ISOLATED_CHILD';

export function insideIsolatedNetns(): boolean {
  return process.env[CHILD_MARK] === '1';
}

export function isolatedPidFile(dataDir: string): string {
  return join(dataDir, 'isolated.pid');
}

/** Parent side: run this same command line in a new network namespace; resolves with its exit code. */
export function runIsolated(argv: readonly string[] = process.argv): Promise<number> {
  const child = spawn('unshare', ['--net', '--', process.execPath, ...process.execArgv, ...argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, [CHILD_MARK]: '1' },
  });
  const relay = (sig: NodeJS.Signals) => child.kill(sig);
  process.on('SIGINT', relay);
  process.on('SIGTERM', relay);
  return new Promise((resolve) => {
    child.on('error', (e) => {
      process.stderr.write(`kubesvc: cannot create the isolated network namespace (needs root and unshare from util-linux): ${e.message}\n`);
      resolve(1);
    });
    child.on('exit', (code, signal) => {
      process.off('SIGINT', relay);
      process.off('SIGTERM', relay);
      resolve(code ?? (signal ? 1 : 0));
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
