// End-to-end harness: runs the compiled `bin/kubesvc up` as a child process on loopback with a
// temp data dir, and the real kubectl against it. Every child is tracked by PID and stopped, and
// every temp dir removed, by cleanup() (call it from an `after` hook) — and, as a last resort, when
// the test process exits.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const KUBESVC_BIN = join(ROOT, 'bin', 'kubesvc');
const COMPILED_MAIN = join(ROOT, 'dist', 'src', 'cli', 'main.js');
export const KUBECTL = '/usr/bin/kubectl';

const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 20_000;
const KUBECTL_TIMEOUT_MS = 30_000;
/** Keep only the tail of a child's output (for failure messages). */
const LOG_LIMIT = 64 * 1024;

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface KubectlOptions {
  stdin?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
}

/** A long-running kubectl (e.g. `get -w`): read its output as it comes, then stop it. */
export interface KubectlStream {
  stdout(): string;
  stderr(): string;
  /** Resolves with all stdout so far once `re` matches it; rejects after the timeout. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<string>;
  /** SIGTERM (by PID) and wait for the exit. */
  stop(): Promise<RunResult>;
}

export interface ClusterOptions {
  /** Extra flags for `kubesvc up` (e.g. ['--store', 'memory']). */
  args?: string[];
}

export interface Cluster {
  readonly dataDir: string;
  readonly kubeconfig: string;
  /** The loopback port, fixed after the first start so restarts keep the same URL. */
  readonly port: number;
  readonly url: string;
  /** PID of the running kubesvc (undefined when stopped). */
  pid(): number | undefined;
  kubectl(args: string[], opts?: KubectlOptions): Promise<RunResult>;
  kubectlStream(args: string[], opts?: KubectlOptions): KubectlStream;
  /** Environment for another process that should talk to this cluster (KUBECONFIG, cache dirs). */
  env(): Record<string, string>;
  /** SIGTERM then start again on the same data dir and port. */
  restart(): Promise<void>;
  /** SIGTERM; resolves with how the process ended. */
  stop(): Promise<RunResult>;
  /** SIGKILL (no chance to flush anything); resolves once the process is gone. */
  kill9(): Promise<void>;
  /** Start again after stop()/kill9(). */
  start(): Promise<void>;
  /** kubesvc's stdout+stderr since it was last started (the tail). */
  logs(): string;
  /** Stop every process this cluster started and remove its temp dirs. Idempotent. */
  cleanup(): Promise<void>;
}

// Last resort if a test process dies without running its after hooks (a crash, or the test
// runner cancelling the file with a signal): kill what we started, then let the signal do its work.
const liveChildren = new Set<ChildProcess>();
const liveTmpDirs = new Set<string>();
const lastResort = () => {
  for (const c of liveChildren) if (c.pid !== undefined && c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const d of liveTmpDirs) rmSync(d, { recursive: true, force: true });
};
process.on('exit', lastResort);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(sig, () => {
    lastResort();
    process.kill(process.pid, sig);
  });
}

function track(child: ChildProcess): Promise<RunResult> & { out: () => string; err: () => string } {
  liveChildren.add(child);
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (err += d));
  const done = new Promise<RunResult>((resolve) => {
    child.on('error', (e) => {
      err += `\n[spawn error: ${e.message}]`;
    });
    child.on('close', (code, signal) => {
      liveChildren.delete(child);
      resolve({ code, signal, stdout: out, stderr: err });
    });
  });
  return Object.assign(done, { out: () => out, err: () => err });
}

/** Run a command to completion (killed by PID after the timeout). */
export async function run(cmd: string, args: string[], opts: { env: Record<string, string>; stdin?: string; timeoutMs?: number }): Promise<RunResult> {
  const child = spawn(cmd, args, { env: opts.env, stdio: ['pipe', 'pipe', 'pipe'] });
  const done = track(child);
  child.stdin?.on('error', () => {}); // the command may exit before reading stdin
  child.stdin?.end(opts.stdin ?? '');
  const timeoutMs = opts.timeoutMs ?? KUBECTL_TIMEOUT_MS;
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const r = await done;
  clearTimeout(timer);
  if (r.signal === 'SIGKILL') r.stderr += `\n[killed after ${timeoutMs} ms]`;
  return r;
}

export async function startCluster(opts: ClusterOptions = {}): Promise<Cluster> {
  if (!existsSync(COMPILED_MAIN)) throw new Error(`${COMPILED_MAIN} is missing: run \`npx tsc -p .\` (npm test does) before the e2e tests`);
  const tmp = await mkdtemp(join(tmpdir(), 'kubesvc-e2e-'));
  liveTmpDirs.add(tmp);
  const dataDir = join(tmp, 'data');
  const home = join(tmp, 'home'); // kubectl's HOME and discovery cache: fresh per cluster
  const kubeconfig = join(dataDir, 'kubeconfig');
  // A fixed port from the start (not --listen :0), so the `kubernetes` Endpoints advertise the
  // real port and restarts keep the URL.
  let port = await freePort();
  let child: ChildProcess | undefined;
  let exited: (Promise<RunResult> & { out: () => string; err: () => string }) | undefined;
  const streams = new Set<KubectlStream>();
  let cleaned = false;

  const baseEnv = (): Record<string, string> => ({
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    KUBECONFIG: kubeconfig,
    KUBECACHEDIR: join(home, 'cache'),
  });

  async function start(): Promise<void> {
    if (child) throw new Error('kubesvc is already running');
    // The kubeconfig appearing is the readiness signal: remove the one from a previous run.
    await rm(kubeconfig, { force: true });
    // Tests never forward DNS to the machine's resolver: unless a test brings its own fake upstream,
    // point the cluster DNS at a loopback port where nothing answers.
    const extra = opts.args ?? [];
    const upstream = extra.includes('--dns-upstream') ? [] : ['--dns-upstream', '127.0.0.1:9'];
    const args = [KUBESVC_BIN, 'up', '--data-dir', dataDir, '--listen', `127.0.0.1:${port}`, ...upstream, ...extra];
    const c = spawn(process.execPath, args, { env: { PATH: baseEnv().PATH, HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
    child = c;
    exited = track(c);
    const myExit = exited;
    void myExit.then(() => {
      if (child === c) child = undefined;
    });
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      if (child !== c) {
        const r = await myExit;
        throw new Error(`kubesvc up exited before it was ready (code ${r.code}, signal ${r.signal}):\n${r.stdout}${r.stderr}`);
      }
      if (existsSync(kubeconfig)) break;
      if (Date.now() > deadline) {
        throw new Error(`kubesvc up did not write ${kubeconfig} within ${START_TIMEOUT_MS} ms:\n${logs()}`);
      }
      await sleep(50);
    }
    const cfg = parse(await readFile(kubeconfig, 'utf8')) as { clusters?: { cluster?: { server?: string } }[] };
    const server = cfg.clusters?.[0]?.cluster?.server ?? '';
    const m = /^http:\/\/127\.0\.0\.1:(\d+)$/.exec(server);
    if (!m) throw new Error(`unexpected server in kubeconfig: ${server}`);
    port = Number(m[1]);
  }

  async function stopWith(signal: NodeJS.Signals): Promise<RunResult> {
    const c = child;
    const done = exited;
    if (!c || !done) throw new Error('kubesvc is not running');
    c.kill(signal);
    const timer = setTimeout(() => c.kill('SIGKILL'), STOP_TIMEOUT_MS);
    const r = await done;
    clearTimeout(timer);
    child = undefined;
    return r;
  }

  function logs(): string {
    const s = exited ? exited.out() + exited.err() : '';
    return s.length > LOG_LIMIT ? s.slice(-LOG_LIMIT) : s;
  }

  const cluster: Cluster = {
    dataDir,
    kubeconfig,
    get port() {
      return port;
    },
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    pid: () => child?.pid,
    env: baseEnv,
    kubectl: (args, o = {}) => run(KUBECTL, args, { env: { ...baseEnv(), ...o.env }, stdin: o.stdin, timeoutMs: o.timeoutMs }),
    kubectlStream(args, o = {}) {
      const c = spawn(KUBECTL, args, { env: { ...baseEnv(), ...o.env }, stdio: ['ignore', 'pipe', 'pipe'] });
      const done = track(c);
      const stream: KubectlStream = {
        stdout: done.out,
        stderr: done.err,
        async waitFor(re, timeoutMs = 15_000) {
          const deadline = Date.now() + timeoutMs;
          while (!re.test(done.out())) {
            if (c.exitCode !== null || c.signalCode !== null) {
              // 'exit' can come before the last stdout chunk is read: wait for 'close', look again.
              await done;
              if (re.test(done.out())) break;
              throw new Error(`kubectl ${args.join(' ')} exited before printing ${re}:\n${done.out()}${done.err()}`);
            }
            if (Date.now() > deadline) throw new Error(`kubectl ${args.join(' ')} did not print ${re} within ${timeoutMs} ms:\n${done.out()}${done.err()}`);
            await sleep(25);
          }
          return done.out();
        },
        async stop() {
          if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
          const timer = setTimeout(() => c.kill('SIGKILL'), 5000);
          const r = await done;
          clearTimeout(timer);
          streams.delete(stream);
          return r;
        },
      };
      streams.add(stream);
      return stream;
    },
    start,
    async restart() {
      const r = await stopWith('SIGTERM');
      if (r.code !== 0) throw new Error(`kubesvc did not stop cleanly on SIGTERM (code ${r.code}, signal ${r.signal}):\n${r.stdout}${r.stderr}`);
      await start();
    },
    stop: () => stopWith('SIGTERM'),
    async kill9() {
      await stopWith('SIGKILL');
    },
    logs,
    async cleanup() {
      if (cleaned) return;
      cleaned = true;
      for (const s of [...streams]) await s.stop();
      if (child) await stopWith('SIGTERM').catch(() => undefined);
      await rm(tmp, { recursive: true, force: true });
      liveTmpDirs.delete(tmp);
    },
  };

  try {
    await start();
  } catch (e) {
    await cluster.cleanup();
    throw e;
  }
  return cluster;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      const p = typeof a === 'object' && a ? a.port : 0;
      srv.close(() => resolve(p));
    });
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Retry `fn` until it returns a truthy value or the timeout passes; returns the last value. */
export async function eventually<T>(fn: () => Promise<T>, timeoutMs = 10_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v || Date.now() > deadline) return v;
    await sleep(intervalMs);
  }
}
