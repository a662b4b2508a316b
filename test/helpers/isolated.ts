// `kubesvc up --isolated` for end-to-end tests: started from source in a temp data dir, its output
// kept for failure messages, commands run inside it through `kubesvc exec`, and everything removed
// after the test (the process by its PID, the pod namespaces named after the node, the data dir),
// also when the test fails halfway.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';

export const KUBESVC_MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

export interface Ran {
  code: number | null;
  out: string;
  err: string;
}

export interface IsolatedCluster {
  dir: string;
  node: string;
  /** Environment for commands run against it (a kubectl discovery cache of its own). */
  env: NodeJS.ProcessEnv;
  /** Everything kubesvc printed so far. */
  log(): string;
  /** A command inside the cluster's namespace (`kubesvc exec -- args`). */
  exec(...args: string[]): Promise<Ran>;
  /** Polls `f` every 500 ms until it returns something other than undefined. */
  until<T>(what: string, f: () => Promise<T | undefined>, ms?: number): Promise<T>;
  /** SIGINT, then the exit code. */
  stop(): Promise<number | null>;
}

/** Runs a command to its end; `input`, when given, is written to its stdin, which is then closed. */
export function runCommand(cmd: string, args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<Ran> {
  return new Promise((resolve) => {
    const c = spawn(cmd, args, { env, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    c.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    c.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    c.on('exit', (code) => resolve({ code, out, err }));
    if (input !== undefined) c.stdin?.end(input);
  });
}

/**
 * The host's kubectl against an isolated cluster (its kubeconfig, a discovery cache of its own):
 * `kubectl` returns what ran, `ok` asserts exit 0 and returns stdout.
 */
export function kubectlFor(c: { dir: string }): { env: NodeJS.ProcessEnv; kubectl: (...args: string[]) => Promise<Ran>; ok: (...args: string[]) => Promise<string> } {
  const env = { ...process.env, KUBECONFIG: join(c.dir, 'kubeconfig'), KUBECACHEDIR: join(c.dir, 'kcache') };
  const kubectl = (...args: string[]) => runCommand('kubectl', args, env);
  const ok = async (...args: string[]) => {
    const r = await kubectl(...args);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.err}`);
    return r.out;
  };
  return { env, kubectl, ok };
}

/** Starts the cluster and waits until it says it is running. `prefix` names the temp dir and the node. */
export async function startIsolatedCluster(t: TestContext, opts: { prefix: string; podCIDR: string; args?: string[] }): Promise<IsolatedCluster> {
  const dir = mkdtempSync(join(tmpdir(), `ksvc-${opts.prefix}-`));
  const node = `ksvc-${opts.prefix}-${randomBytes(3).toString('hex')}`;
  const up = spawn(process.execPath, ['--import', 'tsx', KUBESVC_MAIN, 'up', '--isolated', '--store', 'memory', '--data-dir', dir, '--node-name', node, '--pod-cidr', opts.podCIDR, ...(opts.args ?? [])], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  up.stdout.on('data', (d: Buffer) => (log += d.toString()));
  up.stderr.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<number | null>((r) => up.on('exit', (code) => r(code)));
  const stop = async () => {
    if (up.exitCode === null && up.signalCode === null) up.kill('SIGINT');
    return exited;
  };
  t.after(async () => {
    await stop();
    // Anything left (a failure halfway): remove it; tests that check a clean stop do so themselves.
    for (const line of execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n')) {
      const ns = line.split(' ')[0];
      if (ns.startsWith(`ksvc-${node}-`)) execFileSync('ip', ['netns', 'del', ns]);
    }
    rmSync(dir, { recursive: true, force: true });
  });
  const env = { ...process.env, KUBECACHEDIR: join(dir, 'kcache') };
  const until = async <T>(what: string, f: () => Promise<T | undefined>, ms = 60_000): Promise<T> => {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      const v = await f();
      if (v !== undefined) return v;
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error(`timed out waiting for ${what}; kubesvc output:\n${log.slice(-4000)}`);
  };
  const cluster: IsolatedCluster = {
    dir,
    node,
    env,
    log: () => log,
    exec: (...args) => runCommand(process.execPath, ['--import', 'tsx', KUBESVC_MAIN, 'exec', '--data-dir', dir, '--', ...args], env),
    until,
    stop,
  };
  await until('the cluster', async () => (/kubesvc is running/.test(log) ? true : undefined), 90_000);
  return cluster;
}
