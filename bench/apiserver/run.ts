// API server benchmark through HTTP on the embedded (durable) store. Starts the compiled
// `kubesvc up` on a temp data dir and a free loopback port, measures, prints a Markdown report,
// stops the server by PID and removes the temp dir.
//
//   npm run build && node --import tsx bench/apiserver/run.ts [--services 10000] [--watchers 100] [--controllers '*'|'']
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { freemem, tmpdir, totalmem, cpus, release } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { makeClient, openWatch } from './http.js';
import { fmt, nowMs, summary } from './stats.js';

const { values } = parseArgs({
  options: {
    services: { type: 'string', default: '10000' },
    watchers: { type: 'string', default: '100' },
    store: { type: 'string', default: 'embedded' },
    // Passed to `kubesvc up --controllers`: "" measures the API server alone (no informer caches).
    controllers: { type: 'string', default: '*' },
  },
});
const TOTAL = Number(values.services);
const WATCHERS = Number(values.watchers);
const NS = 'bench';
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const svc = (name: string) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, labels: { bench: 'yes' } },
  spec: { selector: { app: name }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
});

async function main() {
  const tmp = await mkdtemp(join(tmpdir(), 'kubesvc-bench-'));
  const dataDir = join(tmp, 'data');
  const child = spawn(process.execPath, [join(ROOT, 'bin/kubesvc'), 'up', '--data-dir', dataDir, '--listen', '127.0.0.1:0', '--store', String(values.store), '--controllers', String(values.controllers), '--dns-upstream', '', '--log-level', 'warn'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { PATH: process.env.PATH ?? '', HOME: tmp },
  });
  const stopChild = () => {
    if (child.exitCode === null) child.kill('SIGTERM');
  };
  process.on('exit', stopChild);
  try {
    const kubeconfig = join(dataDir, 'kubeconfig');
    for (let i = 0; i < 600 && !existsSync(kubeconfig); i++) await new Promise((r) => setTimeout(r, 50));
    const server = /server: (http:\/\/\S+)/.exec(await readFile(kubeconfig, 'utf8'))?.[1];
    if (!server) throw new Error('no server in kubeconfig');
    const report = await measure(server, child.pid ?? 0);
    console.log(report);
  } finally {
    stopChild();
    await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
    await rm(tmp, { recursive: true, force: true });
  }
}

async function measure(base: string, pid: number): Promise<string> {
  const c = makeClient(base, 32);
  const lines: string[] = [];
  const must = (status: number, want: number, what: string) => {
    if (status !== want) throw new Error(`${what}: HTTP ${status}`);
  };
  must((await c.call('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } })).status, 201, 'create namespace');
  const path = `/api/v1/namespaces/${NS}/services`;
  let made = 0;

  // 1 client: sequential creates (each acknowledged = durable).
  const one: number[] = [];
  const t0 = nowMs();
  for (let i = 0; i < 500; i++) {
    const s = nowMs();
    must((await c.call('POST', path, svc(`s${made++}`))).status, 201, 'create');
    one.push(nowMs() - s);
  }
  const oneRate = 500 / ((nowMs() - t0) / 1000);
  const oneS = summary(one);
  lines.push(`| create, 1 client | ${oneRate.toFixed(0)} creates/s | p50 ${fmt(oneS.p50)} ms, p99 ${fmt(oneS.p99)} ms |`);

  // 1 client: sequential updates (merge patch of a label).
  const upd: number[] = [];
  for (let i = 0; i < 500; i++) {
    const s = nowMs();
    const r = await c.call('PATCH', `${path}/s${i}`, { metadata: { labels: { round: String(i) } } }, 'application/merge-patch+json');
    must(r.status, 200, 'patch');
    upd.push(nowMs() - s);
  }
  const updS = summary(upd);
  lines.push(`| update (merge patch), 1 client | ${(500 / (upd.reduce((a, b) => a + b, 0) / 1000)).toFixed(0)} updates/s | p50 ${fmt(updS.p50)} ms, p99 ${fmt(updS.p99)} ms |`);

  // 1 client: single-object reads.
  const reads: number[] = [];
  for (let i = 0; i < 1000; i++) {
    const s = nowMs();
    must((await c.call('GET', `${path}/s${i % 500}`)).status, 200, 'get');
    reads.push(nowMs() - s);
  }
  const readS = summary(reads);
  lines.push(`| get one Service, 1 client | ${(1000 / (reads.reduce((a, b) => a + b, 0) / 1000)).toFixed(0)} gets/s | p50 ${fmt(readS.p50)} ms, p99 ${fmt(readS.p99)} ms |`);

  // 16 clients: concurrent creates, then fill up to TOTAL the same way.
  const createMany = async (count: number, workers: number) => {
    let next = 0;
    const lat: number[] = [];
    const start = nowMs();
    await Promise.all(
      Array.from({ length: workers }, async () => {
        while (next < count) {
          next++;
          const name = `s${made++}`;
          const s = nowMs();
          must((await c.call('POST', path, svc(name))).status, 201, 'create');
          lat.push(nowMs() - s);
        }
      }),
    );
    return { rate: count / ((nowMs() - start) / 1000), lat: summary(lat) };
  };
  const many = await createMany(Math.min(4000, TOTAL - made), 16);
  lines.push(`| create, 16 clients | ${many.rate.toFixed(0)} creates/s | p50 ${fmt(many.lat.p50)} ms, p99 ${fmt(many.lat.p99)} ms |`);
  if (TOTAL > made) await createMany(TOTAL - made, 16);

  // LIST of all Services in the namespace.
  const lists: number[] = [];
  let count = 0;
  for (let i = 0; i < 5; i++) {
    const s = nowMs();
    const r = await c.call('GET', path);
    lists.push(nowMs() - s);
    must(r.status, 200, 'list');
    count = (JSON.parse(r.body) as { items: unknown[] }).items.length;
  }
  const listS = summary(lists);
  lines.push(`| LIST ${count} Services (JSON) | 5 runs | p50 ${fmt(listS.p50)} ms, max ${fmt(listS.max)} ms |`);

  // The same LIST as `kubectl get svc` asks for it: a Table (kubectl pages by 500; this is one page of all).
  const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';
  const tables: number[] = [];
  let rowsSeen = 0;
  for (let i = 0; i < 5; i++) {
    const s = nowMs();
    const r = await c.call('GET', path, undefined, undefined, TABLE);
    tables.push(nowMs() - s);
    must(r.status, 200, 'list as table');
    rowsSeen = (JSON.parse(r.body) as { rows?: unknown[] }).rows?.length ?? 0;
  }
  const tableS = summary(tables);
  lines.push(`| LIST ${rowsSeen} Services as a Table | 5 runs | p50 ${fmt(tableS.p50)} ms, max ${fmt(tableS.max)} ms |`);

  const rss = /VmRSS:\s+(\d+) kB/.exec(await readFile(`/proc/${pid}/status`, 'utf8'))?.[1];
  lines.push(`| RSS with ${count} Services | ${rss ? (Number(rss) / 1024).toFixed(0) : '?'} MB | after the LISTs |`);

  // Watch fan-out: WATCHERS watchers from the current revision; time from write to each delivery.
  const head = JSON.parse((await c.call('GET', `${path}?limit=1`)).body) as { metadata: { resourceVersion: string } };
  const pending = new Map<string, { sent: number; got: number[] }>();
  const closers = await Promise.all(
    Array.from({ length: WATCHERS }, () =>
      openWatch(base, `${path}?watch=true&resourceVersion=${head.metadata.resourceVersion}`, (line) => {
        const name = (JSON.parse(line) as { object?: { metadata?: { name?: string } } }).object?.metadata?.name ?? '';
        pending.get(name)?.got.push(nowMs());
      }),
    ),
  );
  const fan: number[] = [];
  const allIn: number[] = [];
  for (let i = 0; i < 20; i++) {
    const name = `w${i}`;
    const entry = { sent: nowMs(), got: [] as number[] };
    pending.set(name, entry);
    must((await c.call('POST', path, svc(name))).status, 201, 'create');
    for (let k = 0; k < 400 && entry.got.length < WATCHERS; k++) await new Promise((r) => setTimeout(r, 5));
    for (const g of entry.got) fan.push(g - entry.sent);
    if (entry.got.length === WATCHERS) allIn.push(Math.max(...entry.got) - entry.sent);
  }
  for (const close of closers) close();
  const fanS = summary(fan);
  const allS = summary(allIn);
  lines.push(
    `| watch fan-out to ${WATCHERS} watchers | ${fan.length}/${20 * WATCHERS} deliveries | per delivery p50 ${fmt(fanS.p50)} ms, p99 ${fmt(fanS.p99)} ms; all ${WATCHERS} in: p50 ${fmt(allS.p50)} ms |`,
  );
  c.close();

  const cores = cpus();
  return [
    `## API server benchmark (${values.store} store, HTTP, ${new Date().toISOString()})`,
    '',
    `Machine: ${cores.length} × ${cores[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM (${(freemem() / 2 ** 30).toFixed(0)} free), Linux ${release()}, Node ${process.version}`,
    '',
    '| measurement | result | latency |',
    '|---|---|---|',
    ...lines,
  ].join('\n');
}

await main();
