// bench/node: time from `kubectl apply` of an N-replica nginx Deployment to all pods Ready, per-pod
// startup latency (pod first seen by a watch, i.e. created → Ready seen by the watch) p50/p99, and
// memory per pod (RSS and PSS of the pods' processes). Runs the API server (memory store, on
// loopback HTTP for kubectl), the controllers and the node agent in one process, inside a network
// namespace of its own (re-executes itself under `unshare --net`).
// Usage (root):
//   node dist/bench/node/pod-startup.js [replicas] [--builtin busybox|node] [--client]
//   node dist/bench/node/pod-startup.js [replicas] --compare ROUNDS
//     (alternates "before" = --builtin node --no-fork-server --workers 8 and "after" = the defaults)
//   --compare ROUNDS --before-build DIR: "before" = DIR's compiled bench (an older commit's checkout)
//   --workers N: the agent's pod workers; --verbose: the agent's warnings on stderr;
//   --profile FILE: CPU profile of the cluster process during the burst.
// --client creates the Deployment with the in-process client instead of kubectl.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Deployment } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { createApiServer } from '../../src/apiserver/index.js';
import { createClient, DEPLOYMENTS, inProcessTransport, PODS } from '../../src/client/index.js';
import { startControllers } from '../../src/controllers/index.js';
import { registryBinder } from '../../src/controllers/scheduler-binding.js';
import { createNodeAgent } from '../../src/node/agent.js';
import { DEFAULT_REGISTRY_CONFIG } from '../../src/registry/types.js';
import { createMemoryStore } from '../../src/store/memory/memory-store.js';
import { createLogger, silentLogger } from '../../src/util/log.js';

const argv = process.argv.slice(2);
const opt = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const replicas = Number(argv.find((a, i) => /^\d+$/.test(a) && !argv[i - 1]?.startsWith('--')) ?? 100);
const builtin = (opt('--builtin') ?? 'busybox') as 'busybox' | 'node';
const viaClient = argv.includes('--client');
const compare = opt('--compare');

interface Result {
  builtin: string;
  replicas: number;
  ready: number;
  allReadyMs: number;
  podStartupMs: { p50: number; p90: number; p99: number; max: number };
  podProcesses: number;
  memoryPerPodMiB: { rss: number; pss: number };
  agentRssMiB: number;
  /** CPU time of this process (API server, controllers, agent) from apply to all Ready. */
  clusterCpuMs: number;
  /** Busy CPU time of the whole machine over the same span (/proc/stat: every process, other users' too). */
  machineCpuMs?: number;
  /** CPU time of this run's own process tree over the same span (cpuacct cgroup): cluster, kubectl, host commands, pods. */
  treeCpuMs?: number;
  runtime: string;
  /**
   * Per-stage breakdown: for each stage, p50/p99 over the pods of (stage time − the pod's first
   * sight in the watch), and the same for the pod at the startup p99. `createdSinceApply`: when
   * the pods appeared, counted from the start of `kubectl apply` (first, p50, last).
   */
  stages?: { name: string; p50: number; p99: number; p99Pod: number | null }[];
  createdSinceApply?: { first: number; p50: number; last: number };
}

/** Stages in order: the watch's sight of the pod, its binding, the agent's stages (PodStage), Ready in the watch. */
const STAGES = ['created', 'scheduled', 'seen', 'sync', 'sandbox', 'started', 'status-sent', 'status-written', 'ready'] as const;

if (compare !== undefined) {
  // Driver: alternate the two modes in child runs so both see the same machine load.
  const results: Result[] = [];
  // "before": every built-in container a Node process, every host command a fork of this process.
  // --before-build DIR: "before" is another checkout's compiled bench (e.g. a `git worktree` of an
  // older commit, built with tsc), run with the defaults, instead of the slow modes of this build.
  const beforeBuild = opt('--before-build');
  const modes: [string, string[], string][] = [
    beforeBuild ? ['before', [], join(beforeBuild, 'dist/bench/node/pod-startup.js')] : ['before', ['--builtin', 'node', '--no-fork-server', '--workers', '8'], process.argv[1]],
    ['after', ['--builtin', 'busybox'], process.argv[1]],
  ];
  for (let round = 0; round < Number(compare); round++) {
    for (const [label, args, script] of modes) {
      const r = spawnSync(process.execPath, [...process.execArgv, script, String(replicas), ...args, ...(viaClient ? ['--client'] : [])], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, KUBESVC_BENCH_CHILD: '1' } });
      const line = r.stdout.trim().split('\n').pop() ?? '';
      results.push({ ...(JSON.parse(line) as Result), builtin: label });
      process.stderr.write(`round ${round + 1} ${label}: ${line}\n`);
      process.stderr.write(`  load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}\n`);
    }
  }
  console.log('| mode | replicas | all Ready | p50 | p90 | p99 | RSS/pod | PSS/pod | cluster RSS | cluster CPU | run tree CPU | machine CPU |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of results) {
    const p = r.podStartupMs;
    console.log(`| ${r.builtin} | ${r.ready}/${r.replicas} | ${r.allReadyMs} ms | ${p.p50} ms | ${p.p90} ms | ${p.p99} ms | ${r.memoryPerPodMiB.rss} MiB | ${r.memoryPerPodMiB.pss} MiB | ${r.agentRssMiB} MiB | ${r.clusterCpuMs} ms | ${r.treeCpuMs ?? '—'} ms | ${r.machineCpuMs ?? '—'} ms |`);
  }
  printStages(results);
  process.exit(0);
}

/** Per-stage table: ms since the pod was first seen, p50 / p99 over pods / the p99 pod, per run. */
function printStages(results: Result[], out: (line: string) => void = console.log): void {
  const runs = results.filter((r) => r.stages);
  if (!runs.length) return;
  out('');
  out(`| stage (ms after created) | ${runs.map((r) => `${r.builtin} p50 / p99 / p99 pod`).join(' | ')} |`);
  out(`| --- | ${runs.map(() => '---').join(' | ')} |`);
  for (const name of STAGES) {
    const cells = runs.map((r) => {
      const st = r.stages?.find((x) => x.name === name);
      return st ? [st.p50, st.p99, st.p99Pod].map((x) => (x === null || Number.isNaN(x) ? '—' : x)).join(' / ') : '—';
    });
    out(`| ${name} | ${cells.join(' | ')} |`);
  }
  out(`| created (ms after apply: first / p50 / last) | ${runs.map((r) => (r.createdSinceApply ? `${r.createdSinceApply.first} / ${r.createdSinceApply.p50} / ${r.createdSinceApply.last}` : '—')).join(' | ')} |`);
}

/**
 * CPU time of this run's whole process tree (cluster process, kubectl, host commands, pods): a
 * cpuacct cgroup of its own (cgroup v1) that every child inherits. On a shared machine this is the
 * figure that does not count other users' work. undefined when cpuacct cannot be used.
 */
function treeCpuAccounting(): { usageMs(): number; remove(): Promise<void> } | undefined {
  const root = '/sys/fs/cgroup/cpuacct';
  const dir = join(root, `ksvc-bench-node-${process.pid}`);
  try {
    mkdirSync(dir);
    writeFileSync(join(dir, 'cgroup.procs'), String(process.pid));
  } catch {
    try {
      rmdirSync(dir);
    } catch {
      // never made
    }
    return undefined;
  }
  return {
    usageMs: () => Number(readFileSync(join(dir, 'cpuacct.usage'), 'utf8')) / 1e6,
    async remove() {
      // Killed pods, host commands and the fork server may take a moment to leave (EBUSY until then).
      for (let i = 0; ; i++) {
        try {
          writeFileSync(join(root, 'cgroup.procs'), String(process.pid));
          rmdirSync(dir);
          return;
        } catch (e) {
          if (i === 50) return void process.stderr.write(`cannot remove the cgroup ${dir}: ${(e as Error).message}\n`);
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    },
  };
}

/** Busy CPU time of the machine so far (all cores; /proc/stat, USER_HZ = 100). */
function machineCpuMs(): number {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal: busy = all but idle and iowait.
  return (f[0] + f[1] + f[2] + f[5] + f[6] + f[7]) * 10;
}

if (process.env.KUBESVC_BENCH_NETNS !== '1') {
  const r = spawnSync('unshare', ['--net', '--', process.execPath, ...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env: { ...process.env, KUBESVC_BENCH_NETNS: '1' } });
  process.exit(r.status ?? 1);
}

// A reader that goes away (`| head -1`) must not kill the run before it has removed its pods:
// an EPIPE on a write is ignored, and the namespaces and processes are still cleaned up.
for (const s of [process.stdout, process.stderr]) s.on('error', () => {});
const acct = treeCpuAccounting();
execFileSync('ip', ['link', 'set', 'lo', 'up']);
const store = createMemoryStore();
const api = createApiServer({ store, logger: silentLogger, registryConfig: DEFAULT_REGISTRY_CONFIG });
await api.ready;
await api.listen('127.0.0.1', 0);
const client = createClient(inProcessTransport(api.registry));
const controllers = startControllers({ client, logger: silentLogger, controllers: ['*'], bindPod: registryBinder(api.registry) });
await controllers.ready;
// Stage times per pod UID (first time each stage is reached).
const stageAt = new Map<string, Map<string, number>>();
const mark = (uid: string, stage: string) => {
  let m = stageAt.get(uid);
  if (!m) stageAt.set(uid, (m = new Map()));
  if (!m.has(stage)) m.set(stage, performance.now());
};
const dataDir = mkdtempSync(join(tmpdir(), 'ksvc-bench-node-'));
const agentLogger = argv.includes('--verbose') ? createLogger({ level: 'warn', sink: (l) => process.stderr.write(`${l}\n`) }) : silentLogger;
const agent = createNodeAgent({ client, logger: agentLogger, nodeName: 'bench-node', internalIP: '127.0.0.1', dataDir, netnsPrefix: `ksvc-b${process.pid}-`, kubeletPort: 0, maxPods: 1000, builtinServers: builtin, forkServer: !argv.includes('--no-fork-server'), workers: opt('--workers') ? Number(opt('--workers')) : undefined, trace: mark });
await agent.start();
await agent.ready;

const created = new Map<string, number>();
const readyAt = new Map<string, number>();
let allReady!: () => void;
const done = new Promise<void>((r) => (allReady = r));
const isReady = (p: Pod) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
const w = await client.resource(PODS).watch({ namespace: 'default' }, {
  onEvent(ev) {
    const p = ev.object as Pod;
    const name = p.metadata?.name ?? '';
    const uid = p.metadata?.uid ?? '';
    if (!created.has(name)) created.set(name, performance.now());
    mark(uid, 'created');
    if (p.spec?.nodeName) mark(uid, 'scheduled');
    if (isReady(p) && !readyAt.has(name)) {
      mark(uid, 'ready');
      readyAt.set(name, performance.now());
      if (readyAt.size === replicas) allReady();
    }
  },
  onEnd() {},
});

const deployment: Deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default' },
  spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx' }] } } },
};
const cacheDir = mkdtempSync(join(tmpdir(), 'ksvc-bench-kubectl-'));
// --profile FILE: a CPU profile of this process from apply to all Ready (chrome devtools format).
const profileFile = opt('--profile');
const session = profileFile ? new Session() : undefined;
if (session) {
  session.connect();
  await new Promise<void>((r) => session.post('Profiler.enable', () => session.post('Profiler.start', () => r())));
}
const machine0 = machineCpuMs();
const tree0 = acct?.usageMs() ?? NaN;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
if (viaClient) {
  await client.resource(DEPLOYMENTS).create('default', deployment);
} else {
  const kubectl = spawn('kubectl', ['--server', `http://127.0.0.1:${api.port()}`, 'apply', '-f', '-'], { env: { ...process.env, KUBECONFIG: '/dev/null', KUBECACHEDIR: cacheDir }, stdio: ['pipe', 'ignore', 'inherit'] });
  kubectl.stdin.end(JSON.stringify(deployment));
  const code = await new Promise<number | null>((r) => kubectl.on('close', r));
  if (code !== 0) throw new Error(`kubectl apply failed (exit ${code})`);
}
const timeout = setTimeout(() => allReady(), 300_000);
await done;
clearTimeout(timeout);
const total = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
const machineCpu = machineCpuMs() - machine0;
const treeCpu = (acct?.usageMs() ?? NaN) - tree0;
if (session && profileFile) {
  const profile = await new Promise<unknown>((r) => session.post('Profiler.stop', (_e, res) => r(res.profile)));
  writeFileSync(profileFile, JSON.stringify(profile));
  session.disconnect();
}
const lat = [...readyAt].map(([n, t]) => t - (created.get(n) ?? t0)).sort((a, b) => a - b);
const pct = (q: number) => lat[Math.min(lat.length - 1, Math.floor(q * lat.length))] ?? NaN;

// Memory: every process descending from this one is a pod's (the agent's host commands have ended).
const parent = new Map<number, number>();
for (const d of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
  try {
    const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
    parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
  } catch {
    // gone
  }
}
const descends = (pid: number): boolean => {
  for (let p = parent.get(pid); p !== undefined && p > 1; p = parent.get(p)) if (p === process.pid) return true;
  return false;
};
let rssKiB = 0;
let pssKiB = 0;
let procs = 0;
for (const pid of parent.keys()) {
  if (!descends(pid)) continue;
  try {
    const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    rssKiB += Number(/^Rss:\s+(\d+) kB/m.exec(rollup)?.[1] ?? 0);
    pssKiB += Number(/^Pss:\s+(\d+) kB/m.exec(rollup)?.[1] ?? 0);
    procs++;
  } catch {
    // gone
  }
}
// Per-stage breakdown (pods that reached Ready).
const readyUids = [...stageAt].filter(([, m]) => m.has('ready') && m.has('created'));
const since = (m: Map<string, number>, stage: string) => (m.has(stage) ? m.get(stage)! - m.get('created')! : NaN);
readyUids.sort(([, a], [, b]) => since(a, 'ready') - since(b, 'ready'));
const p99Pod = readyUids[Math.min(readyUids.length - 1, Math.floor(0.99 * readyUids.length))]?.[1];
const q = (xs: number[], f: number) => xs[Math.min(xs.length - 1, Math.floor(f * xs.length))] ?? NaN;
const stages = STAGES.map((name) => {
  const xs = readyUids.map(([, m]) => since(m, name)).filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  return { name, p50: Math.round(q(xs, 0.5)), p99: Math.round(q(xs, 0.99)), p99Pod: p99Pod ? Math.round(since(p99Pod, name)) : NaN };
});
const createdTimes = readyUids.map(([, m]) => m.get('created')! - t0).sort((a, b) => a - b);
const createdSinceApply = { first: Math.round(createdTimes[0] ?? NaN), p50: Math.round(q(createdTimes, 0.5)), last: Math.round(createdTimes[createdTimes.length - 1] ?? NaN) };
const perPod = (kib: number) => Math.round((kib / readyAt.size / 1024) * 100) / 100;

const result: Result = {
  builtin,
  replicas,
  ready: readyAt.size,
  allReadyMs: Math.round(total),
  podStartupMs: { p50: Math.round(pct(0.5)), p90: Math.round(pct(0.9)), p99: Math.round(pct(0.99)), max: Math.round(lat[lat.length - 1] ?? NaN) },
  podProcesses: procs,
  memoryPerPodMiB: { rss: perPod(rssKiB), pss: perPod(pssKiB) },
  agentRssMiB: Math.round(process.memoryUsage().rss / 1024 / 1024),
  clusterCpuMs: Math.round((cpu.user + cpu.system) / 1000),
  machineCpuMs: Math.round(machineCpu),
  treeCpuMs: Number.isNaN(treeCpu) ? undefined : Math.round(treeCpu),
  runtime: import.meta.url.endsWith('.ts') ? 'tsx (Node built-ins loaded through tsx)' : 'compiled',
  stages,
  createdSinceApply,
};
console.log(JSON.stringify(result));
// A single run shows its breakdown on stderr (stdout's last line is the JSON the driver reads).
if (compare === undefined && !process.env.KUBESVC_BENCH_CHILD) printStages([result], (l) => process.stderr.write(`${l}\n`));

w.stop();
await agent.stop();
await agent.stopPods();
await controllers.stop();
client.close();
await api.close();
await store.close();
rmSync(dataDir, { recursive: true, force: true });
rmSync(cacheDir, { recursive: true, force: true });
await acct?.remove();
process.exit(0);
