// bench/node: time from creating a 100-replica nginx Deployment to all pods Ready, per-pod startup
// latency (pod created → Ready seen by a watch) p50/p99, and memory per pod (RSS of the pods'
// processes). Runs the API server (memory store), the controllers and the node agent in one
// process, inside a network namespace of its own (re-executes itself under `unshare --net`).
// Usage (root): node --import tsx bench/node/pod-startup.ts [replicas]
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { createApiServer } from '../../src/apiserver/index.js';
import { createClient, DEPLOYMENTS, inProcessTransport, PODS } from '../../src/client/index.js';
import { startControllers } from '../../src/controllers/index.js';
import { registryBinder } from '../../src/controllers/scheduler-binding.js';
import { createNodeAgent } from '../../src/node/agent.js';
import { DEFAULT_REGISTRY_CONFIG } from '../../src/registry/types.js';
import { createMemoryStore } from '../../src/store/memory/memory-store.js';
import { silentLogger } from '../../src/util/log.js';

const replicas = Number(process.argv[2] ?? 100);

if (process.env.KUBESVC_BENCH_NETNS !== '1') {
  const r = spawnSync('unshare', ['--net', '--', process.execPath, ...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env: { ...process.env, KUBESVC_BENCH_NETNS: '1' } });
  process.exit(r.status ?? 1);
}

execFileSync('ip', ['link', 'set', 'lo', 'up']);
const store = createMemoryStore();
const api = createApiServer({ store, logger: silentLogger, registryConfig: DEFAULT_REGISTRY_CONFIG });
await api.ready;
const client = createClient(inProcessTransport(api.registry));
const controllers = startControllers({ client, logger: silentLogger, controllers: ['*'], bindPod: registryBinder(api.registry) });
await controllers.ready;
const dataDir = mkdtempSync(join(tmpdir(), 'ksvc-bench-node-'));
const agent = createNodeAgent({ client, logger: silentLogger, nodeName: 'bench-node', internalIP: '127.0.0.1', dataDir, netnsPrefix: `ksvc-b${process.pid}-`, kubeletPort: 0, maxPods: 1000 });
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

const t0 = performance.now();
await client.resource(DEPLOYMENTS).create('default', {
  metadata: { name: 'web' },
  spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx' }] } } },
});
const timeout = setTimeout(() => allReady(), 300_000);
await done;
clearTimeout(timeout);
const total = performance.now() - t0;
const lat = [...readyAt].map(([n, t]) => t - (created.get(n) ?? t0)).sort((a, b) => a - b);
const pct = (q: number) => lat[Math.min(lat.length - 1, Math.floor(q * lat.length))] ?? NaN;

// Memory: RSS of every process whose command line runs the built-in nginx.
let rssKiB = 0;
let procs = 0;
for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (!/images\/builtin\.(js|ts)\0nginx/.test(cmd)) continue;
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    if (m) {
      rssKiB += Number(m[1]);
      procs++;
    }
  } catch {
    // gone
  }
}

console.log(
  JSON.stringify(
    {
      replicas,
      ready: readyAt.size,
      allReadyMs: Math.round(total),
      podStartupMs: { p50: Math.round(pct(0.5)), p90: Math.round(pct(0.9)), p99: Math.round(pct(0.99)), max: Math.round(lat[lat.length - 1] ?? NaN) },
      memoryPerPodMiB: procs ? Math.round((rssKiB / procs / 1024) * 10) / 10 : null,
      agentRssMiB: Math.round(process.memoryUsage().rss / 1024 / 1024),
      runtime: import.meta.url.endsWith('.ts') ? 'tsx (built-in servers loaded through tsx)' : 'compiled',
    },
    null,
    2,
  ),
);

w.stop();
await agent.stop();
await agent.stopPods();
await controllers.stop();
client.close();
await api.close();
await store.close();
rmSync(dataDir, { recursive: true, force: true });
process.exit(0);
