// DNS benchmark: dnsperf against our server and against NSD (Debian's authoritative server) loaded
// with the same records, in one run: 10,000 ClusterIP Services and a 1,000-pod headless Service.
// Our DNS runs in its own process reading a real API server over HTTP; NSD serves a zone file
// generated from the same objects. Everything is on 127.0.0.1; children are stopped by PID and
// the temp dir removed even on failure.
//
//   bash bench/dns/run.sh        (installs dnsperf and nsd if missing, then runs this)
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, release, tmpdir, totalmem, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { createApiServer } from '../../src/apiserver/index.js';
import { DEFAULT_REGISTRY_CONFIG } from '../../src/registry/types.js';
import { createMemoryStore } from '../../src/store/memory/memory-store.js';
import { silentLogger } from '../../src/util/log.js';
import { loadRecords, podIP } from './load-records.js';

const run = promisify(execFile);
const { values } = parseArgs({ options: { services: { type: 'string', default: '10000' }, pods: { type: 'string', default: '1000' }, seconds: { type: 'string', default: '15' }, 'memory-only': { type: 'boolean', default: false } } });
const SERVICES = Number(values.services);
const PODS = Number(values.pods);
const SECONDS = Number(values.seconds);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const Z = 'cluster.local';
// A small young generation: the server's garbage is short-lived, and the default 16 MiB semi-spaces
// are most of an idle Node process's memory.
const NODE_FLAGS = (process.env.DNS_NODE_FLAGS ?? '--max-semi-space-size=2 --expose-gc').split(' ').filter(Boolean);


async function freePort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

function waitLine(child: ChildProcess, prefix: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const line = buf.split('\n').find((l) => l.startsWith(prefix));
      if (line) resolve(line);
    });
    child.once('exit', (code) => reject(new Error(`child exited ${code} before "${prefix}"`)));
  });
}

async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

interface Perf {
  qps: number;
  avgMs: number;
  sdMs: number;
  lost: number;
  completed: number;
  rcodes: string;
}

async function dnsperf(port: number, queries: string): Promise<Perf> {
  const { stdout } = await run('dnsperf', ['-s', '127.0.0.1', '-p', String(port), '-d', queries, '-l', String(SECONDS), '-c', '8', '-q', '200', '-t', '2'], {
    timeout: (SECONDS + 30) * 1000,
    maxBuffer: 1 << 24,
  });
  const num = (re: RegExp) => Number(re.exec(stdout)?.[1] ?? NaN);
  return {
    qps: num(/Queries per second:\s+([\d.]+)/),
    avgMs: num(/Average Latency \(s\):\s+([\d.]+)/) * 1000,
    sdMs: num(/Latency StdDev \(s\):\s+([\d.]+)/) * 1000,
    completed: num(/Queries completed:\s+(\d+)/),
    lost: num(/Queries lost:\s+(\d+)/),
    rcodes: (/Response codes:\s+(.*)/.exec(stdout)?.[1] ?? '').trim(),
  };
}

async function main(): Promise<void> {
  const tmp = await mkdtemp(join(tmpdir(), 'kubesvc-dnsbench-'));
  const children: ChildProcess[] = [];
  const store = createMemoryStore();
  const api = createApiServer({ store, logger: silentLogger, registryConfig: DEFAULT_REGISTRY_CONFIG, skipBootstrap: true });
  const stop = async () => {
    // Wait for each child to exit before removing the dir it writes into.
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((res) => {
            if (!c.pid || c.exitCode !== null || c.signalCode !== null) return res();
            c.once('exit', () => res());
            process.kill(c.pid, 'SIGTERM');
          }),
      ),
    );
    await api.close().catch(() => {});
    await store.close().catch(() => {});
    await rm(tmp, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void stop().then(() => process.exit(130)));
  try {
    await api.ready;
    await api.listen('127.0.0.1', 0);
    const r = api.registry;
    for (const name of ['default', 'kube-system', 'bench']) await r.create('/namespaces', undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });

    // Load: 10,000 ClusterIP Services (one named port each) and a headless Service over 1,000 pods.
    const t0 = Date.now();
    const ips = await loadRecords(r, SERVICES, PODS);
    const loadMs = Date.now() - t0;

    // The same records as a zone file for NSD.
    const zone: string[] = [
      `$ORIGIN ${Z}.`,
      '$TTL 5',
      `@ IN SOA ns.dns.${Z}. hostmaster.${Z}. 1 7200 1800 86400 5`,
      `@ IN NS ns.dns.${Z}.`,
      `ns.dns IN A 10.96.0.10`,
      `dns-version IN TXT "1.1.0"`,
    ];
    for (let i = 0; i < SERVICES; i++) zone.push(`svc-${i}.bench.svc IN A ${ips[i]}`, `_http._tcp.svc-${i}.bench.svc IN SRV 0 100 80 svc-${i}.bench.svc.${Z}.`);
    for (let i = 0; i < PODS; i++) zone.push(`big.bench.svc IN A ${podIP(i)}`, `big-${i}.big.bench.svc IN A ${podIP(i)}`, `_http._tcp.big.bench.svc IN SRV 0 0 80 big-${i}.big.bench.svc.${Z}.`);
    await writeFile(join(tmp, 'cluster.zone'), zone.join('\n') + '\n');

    // The query mix: Service A (70%), SRV (10%), StatefulSet-style pod names (10%), NXDOMAIN (10%).
    const q: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const k = i % 10;
      const n = (i * 7919) % SERVICES;
      if (k < 7) q.push(`svc-${n}.bench.svc.${Z} A`);
      else if (k === 7) q.push(`_http._tcp.svc-${n}.bench.svc.${Z} SRV`);
      else if (k === 8) q.push(`big-${n % PODS}.big.bench.svc.${Z} A`);
      else q.push(`nope-${n}.bench.svc.${Z} A`);
    }
    const queries = join(tmp, 'queries.txt');
    await writeFile(queries, q.join('\n') + '\n');

    const ourPort = await freePort();
    // Bundled to plain JS (esbuild comes with tsx) so the measured memory is the server's, not the
    // TypeScript loader's (tsx alone adds ~38 MiB of RSS).
    // Packages stay external (loaded from node_modules), so the bundle lives under node_modules/.cache.
    const bundle = join(ROOT, 'node_modules/.cache/kubesvc-dns-bench/dns-child.mjs');
    // BUNDLE_PACKAGES=0 keeps node_modules packages external (loaded by Node's module loader, as the first runs did).
    const external = process.env.BUNDLE_PACKAGES === '0' ? ['--packages=external'] : ['--banner:js=import { createRequire } from "node:module"; const require = createRequire(import.meta.url);'];
    await run(join(ROOT, 'node_modules/.bin/esbuild'), [join(ROOT, 'bench/dns/dns-child.ts'), '--bundle', ...external, '--platform=node', '--format=esm', `--outfile=${bundle}`, '--log-level=warning'], {
      cwd: ROOT,
    });
    const child = spawn(process.execPath, [...NODE_FLAGS, bundle, '--api', `http://127.0.0.1:${api.port()}`, '--port', String(ourPort)], {
      stdio: ['ignore', 'pipe', 'inherit'],
      cwd: ROOT,
    });
    children.push(child);
    const syncStart = Date.now();
    const readyLine = await waitLine(child, 'ready');
    const syncMs = Date.now() - syncStart;
    await new Promise((res) => setTimeout(res, 1000));
    const rssLoaded = await rssMiB(child.pid!);
    const gcLine = waitLine(child, 'memory');
    process.kill(child.pid!, 'SIGUSR2');
    const afterGc = await gcLine;
    if (values['memory-only']) {
      console.log(`loaded ${SERVICES} Services + headless Service over ${PODS} pods in ${loadMs} ms; our DNS synced in ${syncMs} ms (${readyLine})`);
      console.log(`memory: kubesvc dns RSS ${rssLoaded.toFixed(1)} MiB loaded (1 s after ready); after a full GC: ${afterGc}; node flags ${NODE_FLAGS.join(' ')}`);
      return;
    }

    const nsdPort = await freePort();
    await writeFile(
      join(tmp, 'nsd.conf'),
      [
        'server:',
        `  ip-address: 127.0.0.1@${nsdPort}`,
        '  server-count: 1',
        '  username: ""',
        `  zonesdir: "${tmp}"`,
        `  pidfile: "${join(tmp, 'nsd.pid')}"`,
        `  database: ""`,
        `  xfrdfile: "${join(tmp, 'xfrd.state')}"`,
        `  zonelistfile: "${join(tmp, 'zone.list')}"`,
        '  hide-version: yes',
        // NSD rate-limits responses per source by default (RRL); dnsperf is one source.
        '  rrl-ratelimit: 0',
        '  rrl-whitelist-ratelimit: 0',
        'remote-control:',
        '  control-enable: no',
        'zone:',
        `  name: ${Z}`,
        `  zonefile: cluster.zone`,
        '',
      ].join('\n'),
    );
    const nsd = spawn('nsd', ['-d', '-c', join(tmp, 'nsd.conf')], { stdio: ['ignore', 'ignore', 'inherit'] });
    children.push(nsd);
    await new Promise((res) => setTimeout(res, 1500));
    const nsdRss = await rssMiB(nsd.pid!);

    const ours = await dnsperf(ourPort, queries);
    const rssAfter = await rssMiB(child.pid!);
    const peer = await dnsperf(nsdPort, queries);

    const formula = (PODS + SERVICES + 1) * 0.000858 + 49;
    const fmt = (p: Perf) => `${Math.round(p.qps).toLocaleString('en')} | ${p.avgMs.toFixed(2)} ms (sd ${p.sdMs.toFixed(2)}) | ${p.completed.toLocaleString('en')} / ${p.lost} | ${p.rcodes}`;
    console.log(`date ${new Date().toISOString()}; ${cpus().length} × ${cpus()[0]?.model}; ${(totalmem() / 2 ** 30).toFixed(0)} GiB; Linux ${release()}; Node ${process.version}; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
    console.log(`loaded ${SERVICES} Services + headless Service over ${PODS} pods in ${loadMs} ms; our DNS synced in ${syncMs} ms (${readyLine})`);
    console.log('');
    console.log('| server | QPS | avg latency | completed / lost | rcodes |');
    console.log('|---|---|---|---|---|');
    console.log(`| kubesvc dns (1 Node process, ${NODE_FLAGS.join(' ') || 'default flags'}) | ${fmt(ours)} |`);
    console.log(`| NSD 4.6 (server-count 1) | ${fmt(peer)} |`);
    console.log('');
    console.log(`ratio kubesvc/NSD: ${(ours.qps / peer.qps).toFixed(2)}`);
    console.log(`after a full GC: ${afterGc}`);
    console.log(`memory: kubesvc dns RSS ${rssLoaded.toFixed(0)} MiB loaded, ${rssAfter.toFixed(0)} MiB after the run; NSD ${nsdRss.toFixed(0)} MiB; CoreDNS formula (pods + services) × 0.000858 MB + 49 MB = ${formula.toFixed(1)} MB`);
  } finally {
    await stop();
  }
}

await main();
process.exit(0);
