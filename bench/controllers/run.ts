// Controllers at scale: N Services with P pods each, created through the API (in-process client on
// a real API server; pods made Ready through the status subresource, no processes), then:
//   1. convergence: the controller manager starts on the full cluster (a restart of
//      kube-controller-manager on a big cluster) — time until every Service's slices list its P
//      ready endpoints, and its Endpoints too;
//   2. latency: one pod at a time flips Ready → not Ready; time until a watch sees the EndpointSlice
//      with that endpoint not ready (p50/p99), measured from the pod's own watch event (the status write committed);
//   3. RSS of the process (API server + store + controllers + this driver's counters).
// Prints a Markdown table. Usage:
//   node --import tsx bench/controllers/run.ts [--services 10000] [--pods-per-service 10] [--samples 300] [--store memory|embedded]
//     [--controllers-transport in-process|http] [--burst 500 --bursts 5] [--workers 5]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { createApiServer } from '../../src/apiserver/index.js';
import { createClient, httpTransport, inProcessTransport, ENDPOINTS, ENDPOINTSLICES, NAMESPACES, NODES, PODS, SERVICES, type Client } from '../../src/client/index.js';
import { startControllers } from '../../src/controllers/index.js';
import { DEFAULT_REGISTRY_CONFIG } from '../../src/registry/types.js';
import { openStore } from '../../src/store/index.js';
import { createLogger } from '../../src/util/log.js';
import { fmt, nowMs, summary } from '../apiserver/stats.js';

const { values } = parseArgs({
  options: {
    services: { type: 'string', default: '10000' },
    'pods-per-service': { type: 'string', default: '10' },
    samples: { type: 'string', default: '300' },
    store: { type: 'string', default: 'memory' },
    concurrency: { type: 'string', default: '64' },
    /** How the controllers reach the API: in-process (as in `kubesvc up`) or HTTP on loopback. */
    'controllers-transport': { type: 'string', default: 'in-process' },
    /** Then this many pods (random, distinct) flip at once, `--bursts` times. 0: skip. */
    burst: { type: 'string', default: '0' },
    /** Concurrent reconciles per controller (ControllersConfig.workers). */
    workers: { type: 'string', default: '5' },
    bursts: { type: 'string', default: '5' },
  },
});
const SERVICES_N = Number(values.services);
const PODS_PER = Number(values['pods-per-service']);
const SAMPLES = Number(values.samples);
const CONCURRENCY = Number(values.concurrency);
const NS = 'bench';
const NODE = 'bench-node';

let peakRss = 0;
const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 200);
const mib = (b: number) => `${Math.round(b / 1048576)} MiB`;
const log = (msg: string) => process.stderr.write(`[${new Date().toISOString()}] ${msg}\n`);

async function pool<T>(items: T[], n: number, fn: (t: T) => Promise<void>): Promise<void> {
  let i = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (i < items.length) await fn(items[i++] as T);
    }),
  );
}

function podIP(i: number): string {
  return `10.${64 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
}

async function setReady(client: Client, pod: Pod, ready: boolean): Promise<Pod> {
  const ts = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  return client.resource(PODS).updateStatus(NS, {
    ...pod,
    status: {
      phase: 'Running',
      podIP: pod.status?.podIP,
      podIPs: pod.status?.podIPs,
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: ts }],
    },
  });
}

async function main(): Promise<void> {
  const dir = values.store === 'embedded' ? await mkdtemp(join(tmpdir(), 'kubesvc-bench-ctrl-')) : undefined;
  const store = await openStore(values.store === 'embedded' ? { backend: 'embedded', dir: dir as string } : { backend: 'memory' });
  const logger = createLogger({ level: 'error' });
  const api = createApiServer({ store, logger, registryConfig: DEFAULT_REGISTRY_CONFIG });
  await api.ready;
  const client = createClient(inProcessTransport(api.registry));
  const rows: [string, string][] = [];
  try {
    await client.resource(NAMESPACES).create(undefined, { metadata: { name: NS } });
    await client.resource(NODES).create(undefined, { metadata: { name: NODE, labels: { 'topology.kubernetes.io/zone': 'bench-a' } } });

    // Create everything.
    let t = nowMs();
    const svcIdx = Array.from({ length: SERVICES_N }, (_, i) => i);
    await pool(svcIdx, CONCURRENCY, async (i) => {
      await client.resource(SERVICES).create(NS, { metadata: { name: `svc-${i}` }, spec: { selector: { app: `app-${i}` }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] } });
    });
    const svcSecs = (nowMs() - t) / 1000;
    log(`created ${SERVICES_N} Services in ${svcSecs.toFixed(1)} s`);
    rows.push(['create Services', `${SERVICES_N} in ${svcSecs.toFixed(1)} s (${Math.round(SERVICES_N / svcSecs)}/s, ${CONCURRENCY} in flight)`]);
    t = nowMs();
    const podIdx = Array.from({ length: SERVICES_N * PODS_PER }, (_, i) => i);
    const pods: Pod[] = new Array(podIdx.length);
    await pool(podIdx, CONCURRENCY, async (i) => {
      const svc = Math.floor(i / PODS_PER);
      const created = await client.resource(PODS).create(NS, {
        metadata: { name: `pod-${i}`, labels: { app: `app-${svc}` } },
        spec: { nodeName: NODE, containers: [{ name: 'app', image: 'nginx', ports: [{ containerPort: 8080 }] }] },
      });
      const ip = podIP(i);
      pods[i] = await setReady(client, { ...created, status: { podIP: ip, podIPs: [{ ip }] } }, true);
      if (i % 20000 === 0) log(`pods: ${i}`);
    });
    const podSecs = (nowMs() - t) / 1000;
    log(`created ${pods.length} pods in ${podSecs.toFixed(1)} s`);
    rows.push(['create pods + mark Ready (2 writes each)', `${pods.length} in ${podSecs.toFixed(1)} s (${Math.round(pods.length / podSecs)} pods/s)`]);
    rows.push(['RSS before controllers', mib(process.memoryUsage().rss)]);

    // Follow slices with a watch: ready endpoints per Service, and waiters for latency samples.
    const readyBySlice = new Map<string, { svc: string; ready: number }>();
    const readyBySvc = new Map<string, number>();
    let convergedSvcs = 0;
    const waiters = new Map<string, (at: number) => void>();
    const onSlice = (type: string, s: EndpointSlice) => {
      const at = nowMs();
      const name = s.metadata?.name ?? '';
      const svc = s.metadata?.labels?.['kubernetes.io/service-name'] ?? '';
      const ready = type === 'DELETED' ? 0 : (s.endpoints ?? []).filter((e) => e.conditions?.ready).length;
      const before = readyBySlice.get(name)?.ready ?? 0;
      readyBySlice.set(name, { svc, ready });
      const was = readyBySvc.get(svc) ?? 0;
      const now = was - before + ready;
      readyBySvc.set(svc, now);
      if (was !== PODS_PER && now === PODS_PER) convergedSvcs++;
      if (was === PODS_PER && now !== PODS_PER) convergedSvcs--;
      if (waiters.size) {
        for (const e of s.endpoints ?? []) {
          const pod = e.targetRef?.name ?? '';
          const w = waiters.get(pod);
          if (w && e.conditions?.ready === false) {
            waiters.delete(pod);
            w(at);
          }
        }
      }
    };
    const list = await client.resource(ENDPOINTSLICES).list({ namespace: NS });
    for (const s of list.items) onSlice('ADDED', s);
    const watch = await client.resource(ENDPOINTSLICES).watch(
      { namespace: NS, resourceVersion: list.resourceVersion },
      { onEvent: (ev) => onSlice(ev.type, ev.object as EndpointSlice), onEnd: () => {} },
    );

    // The moment each sampled pod's status change is committed: the pod watch event.
    const committed = new Map<string, (at: number) => void>();
    const podWatch = await client.resource(PODS).watch(
      { namespace: NS, resourceVersion: list.resourceVersion },
      {
        onEvent: (ev) => {
          const p = ev.object as Pod;
          const w = committed.get(p.metadata?.name ?? '');
          if (w && p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'False')) {
            committed.delete(p.metadata?.name ?? '');
            w(nowMs());
          }
        },
        onEnd: () => {},
      },
    );

    // 1. Convergence from a cold start of the controller manager.
    t = nowMs();
    let ctrlClient = client;
    if (values['controllers-transport'] === 'http') {
      await api.listen('127.0.0.1', 0);
      ctrlClient = createClient(httpTransport({ server: `http://127.0.0.1:${api.port()}` }));
    }
    const ctrl = startControllers({ client: ctrlClient, logger, workers: Number(values.workers) });
    await ctrl.ready;
    const syncSecs = (nowMs() - t) / 1000;
    while (convergedSvcs < SERVICES_N) {
      await new Promise((r) => setTimeout(r, 50));
      if (nowMs() - t > 30 * 60_000) throw new Error(`not converged after 30 min: ${convergedSvcs}/${SERVICES_N}`);
    }
    const slicesSecs = (nowMs() - t) / 1000;
    log(`slices converged in ${slicesSecs.toFixed(1)} s`);
    // Endpoints: every Service's Endpoints lists P addresses.
    let epSecs = NaN;
    for (;;) {
      const eps = await client.resource(ENDPOINTS).list({ namespace: NS });
      const full = eps.items.filter((e) => (e.subsets?.[0]?.addresses?.length ?? 0) === PODS_PER).length;
      if (full >= SERVICES_N) {
        epSecs = (nowMs() - t) / 1000;
        break;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    log(`endpoints converged in ${epSecs.toFixed(1)} s`);
    rows.push(['controller start: informers synced', `${syncSecs.toFixed(1)} s`]);
    rows.push(['converge: every Service has its slices with all pods ready', `${slicesSecs.toFixed(1)} s (${readyBySlice.size} slices)`]);
    rows.push(['converge: every Service has its Endpoints (checked every 0.5 s)', `≤ ${epSecs.toFixed(1)} s`]);
    rows.push(['RSS after convergence', mib(process.memoryUsage().rss)]);

    // 2. Readiness change → slice updated, one at a time.
    const fromCommit: number[] = [];
    const fromSend: number[] = [];
    for (let k = 0; k < SAMPLES; k++) {
      const i = Math.floor(Math.random() * pods.length);
      const pod = pods[i] as Pod;
      const name = pod.metadata?.name ?? '';
      const seen = new Promise<number>((resolve) => waiters.set(name, resolve));
      const commit = new Promise<number>((resolve) => committed.set(name, resolve));
      const current = await client.resource(PODS).get(NS, name);
      const sent = nowMs();
      const updated = await setReady(client, current, false);
      const at = await Promise.race([seen, new Promise<number>((_, rej) => setTimeout(() => rej(new Error(`no slice update for ${name} in 10 s`)), 10_000))]);
      fromCommit.push(at - (await commit));
      fromSend.push(at - sent);
      pods[i] = await setReady(client, updated, true);
      await new Promise((r) => setTimeout(r, 5));
    }
    const a = summary(fromCommit);
    const s = summary(fromSend);
    rows.push([`readiness change → EndpointSlice watch event, from the pod's watch event (the committed write; ${a.n} samples)`, `p50 ${fmt(a.p50)} ms, p99 ${fmt(a.p99)} ms, max ${fmt(a.max)} ms`]);
    rows.push(['same, from sending the status write', `p50 ${fmt(s.p50)} ms, p99 ${fmt(s.p99)} ms, max ${fmt(s.max)} ms`]);
    // 3. Bursts: many pods change at once (a node going unready, a rollout).
    const BURST = Number(values.burst);
    if (BURST > 0) {
      const lat: number[] = [];
      const whole: number[] = [];
      for (let b = 0; b < Number(values.bursts); b++) {
        const chosen = new Set<number>();
        while (chosen.size < Math.min(BURST, pods.length)) chosen.add(Math.floor(Math.random() * pods.length));
        const start = nowMs();
        const done = await Promise.all(
          [...chosen].map(async (i) => {
            const name = pods[i]?.metadata?.name ?? '';
            const seen = new Promise<number>((resolve) => waiters.set(name, resolve));
            const commit = new Promise<number>((resolve) => committed.set(name, resolve));
            pods[i] = await setReady(client, await client.resource(PODS).get(NS, name), false);
            const at = await Promise.race([seen, new Promise<number>((_, rej) => setTimeout(() => rej(new Error(`no slice update for ${name} in 30 s`)), 30_000))]);
            lat.push(at - (await commit));
            return at;
          }),
        );
        whole.push(Math.max(...done) - start);
        await pool([...chosen], 16, async (i) => {
          pods[i] = await setReady(client, await client.resource(PODS).get(NS, pods[i]?.metadata?.name ?? ''), true);
        });
        while (convergedSvcs < SERVICES_N) await new Promise((r) => setTimeout(r, 20));
      }
      const l = summary(lat);
      const w = summary(whole);
      rows.push([`burst: ${BURST} pods set not Ready at once, ${values.bursts} times — per pod, pod watch event → slice watch event`, `p50 ${fmt(l.p50)} ms, p99 ${fmt(l.p99)} ms, max ${fmt(l.max)} ms`]);
      rows.push([`burst: from the first write sent to the last slice event`, `p50 ${fmt(w.p50)} ms, max ${fmt(w.max)} ms`]);
    }
    rows.push(['RSS at the end / peak', `${mib(process.memoryUsage().rss)} / ${mib(Math.max(peakRss, process.memoryUsage().rss))}`]);
    watch.stop();
    podWatch.stop();
    await ctrl.stop();
    if (ctrlClient !== client) ctrlClient.close();
  } finally {
    clearInterval(rssTimer);
    client.close();
    await api.close();
    await store.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  }
  console.log(`\n${SERVICES_N} Services × ${PODS_PER} pods (${SERVICES_N * PODS_PER} pods), store ${values.store}, controllers over ${values['controllers-transport']} with ${values.workers} workers each, Node ${process.version}\n`);
  console.log('| measurement | result |\n|---|---|');
  for (const [k, v] of rows) console.log(`| ${k} | ${v} |`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
