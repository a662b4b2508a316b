// bench/node: time from `kubectl apply` of an N-replica nginx Deployment to all pods Ready, per-pod
// startup latency (pod first seen by a watch, i.e. created → Ready seen by the watch) p50/p99, and
// memory per pod (RSS and PSS of the pods' processes). Runs the API server (memory store, on
// loopback HTTP for kubectl), the controllers and the node agent in one process, inside a network
// namespace of its own (re-executes itself under `unshare --net`).
// Usage (root):
//   node dist/bench/node/pod-startup.js [replicas] [--builtin busybox|node] [--client]
//   node dist/bench/node/pod-startup.js [replicas] --compare ROUNDS
//     (alternates "before" = --builtin node --no-fork-server --workers 8 and "after" = the defaults)
//   --workers N: the agent's pod workers; --verbose: the agent's warnings on stderr;
//   --profile FILE: CPU profile of the cluster process during the burst.
// --client creates the Deployment with the in-process client instead of kubectl.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
  runtime: string;
}

if (compare !== undefined) {
  // Driver: alternate the two modes in child runs so both see the same machine load.
  const results: Result[] = [];
  // "before": every built-in container a Node process, every host command a fork of this process.
  const modes: [string, string[]][] = [
    ['before', ['--builtin', 'node', '--no-fork-server', '--workers', '8']],
    ['after', ['--builtin', 'busybox']],
  ];
  for (let round = 0; round < Number(compare); round++) {
    for (const [label, args] of modes) {
      const r = spawnSync(process.execPath, [...process.execArgv, process.argv[1], String(replicas), ...args, ...(viaClient ? ['--client'] : [])], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
      const line = r.stdout.trim().split('\n').pop() ?? '';
      results.push({ ...(JSON.parse(line) as Result), builtin: label });
      process.stderr.write(`round ${round + 1} ${label}: ${line}\n`);
    }
  }
  console.log('| mode | replicas | all Ready | p50 | p90 | p99 | RSS/pod | PSS/pod | cluster RSS | cluster CPU |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of results) {
    const p = r.podStartupMs;
    console.log(`| ${r.builtin} | ${r.ready}/${r.replicas} | ${r.allReadyMs} ms | ${p.p50} ms | ${p.p90} ms | ${p.p99} ms | ${r.memoryPerPodMiB.rss} MiB | ${r.memoryPerPodMiB.pss} MiB | ${r.agentRssMiB} MiB | ${r.clusterCpuMs} ms |`);
  }
  process.exit(0);
}

if (process.env.KUBESVC_BENCH_NETNS !== '1') {
  const r = spawnSync('unshare', ['--net', '--', process.execPath, ...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env: { ...process.env, KUBESVC_BENCH_NETNS: '1' } });
  process.exit(r.status ?? 1);
}

execFileSync('ip', ['link', 'set', 'lo', 'up']);
const store = createMemoryStore();
const api = createApiServer({ store, logger: silentLogger, registryConfig: DEFAULT_REGISTRY_CONFIG });
await api.ready;
await api.listen('127.0.0.1', 0);
const client = createClient(inProcessTransport(api.registry));
const controllers = startControllers({ client, logger: silentLogger, controllers: ['*'], bindPod: registryBinder(api.registry) });
await controllers.ready;
const dataDir = mkdtempSync(join(tmpdir(), 'ksvc-bench-node-'));
const agentLogger = argv.includes('--verbose') ? createLogger({ level: 'warn', sink: (l) => process.stderr.write(`${l}\n`) }) : silentLogger;
const agent = createNodeAgent({ client, logger: agentLogger, nodeName: 'bench-node', internalIP: '127.0.0.1', dataDir, netnsPrefix: `ksvc-b${process.pid}-`, kubeletPort: 0, maxPods: 1000, builtinServers: builtin, forkServer: !argv.includes('--no-fork-server'), workers: opt('--workers') ? Number(opt('--workers')) : undefined });
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
    if (!created.has(name)) created.set(name, performance.now());
    if (isReady(p) && !readyAt.has(name)) {
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
  runtime: import.meta.url.endsWith('.ts') ? 'tsx (Node built-ins loaded through tsx)' : 'compiled',
};
console.log(JSON.stringify(result));

w.stop();
await agent.stop();
await agent.stopPods();
await controllers.stop();
client.close();
await api.close();
await store.close();
rmSync(dataDir, { recursive: true, force: true });
rmSync(cacheDir, { recursive: true, force: true });
process.exit(0);
