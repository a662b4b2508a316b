// The proxy benchmark (issue 7), in one run, inside throwaway network namespaces:
//  1. first-packet (TCP connect) latency with 1,000 / 5,000 / 10,000 Services: direct pod IP vs
//     the ClusterIP through OUR nftables ruleset vs a linear kube-proxy-iptables-shaped chain;
//  2. HTTP throughput (wrk) through the ClusterIP vs direct, keep-alive and `Connection: close`,
//     from a pod and from the node;
//  3. the `Connection: close` problem: the mechanism (reuse-probe.ts), reproduction with counters,
//     and the proposed ruleset change (TCP masquerade without `fully-random`) side by side with the
//     current one, emulated (3b) and exact (3c, masquerade-check.ts);
//  4. the userspace backend (when src/proxy has it) vs haproxy in TCP mode;
//  5. time until "connection refused" for a Service with 0 endpoints.
// Needs root, ip, nft, conntrack, nstat, wrk, haproxy, cc (bench/proxy/run.sh installs them).
// Usage: npx tsx bench/proxy/run.ts [--sizes 1000,5000,10000] [--connects 2000] [--seconds 2]
//        [--connections 10] [--rounds 7] [--only latency,http,close,userspace,refused]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BenchNode, GATEWAY, SERVICE_CIDR, type BenchPod } from './netns.js';
import { DELETE_LINEAR, DELETE_OURS, linearRuleset, ourRuleset, type Target } from './rulesets.js';
import {
  CLIENT_COUNTERS,
  connectLatency,
  conntrackStats,
  conntrackTable,
  haproxyHttpServerConfig,
  haproxyTcpProxyConfig,
  Nstat,
  SERVER_COUNTERS,
  wrk,
  type Latency,
} from './tools.js';
import { masqueradeRuns } from './masquerade-check.js';
import { startUserspaceProxy } from './userspace.js';

const { values: opt } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1000,5000,10000' },
    connects: { type: 'string', default: '2000' },
    seconds: { type: 'string', default: '2' },
    connections: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '7' },
    only: { type: 'string', default: 'latency,http,close,userspace,refused' },
    // stable: the node is one client with one address for every node run (what "from the node" is on
    // a real node); fresh: a new address per run, i.e. many off-node clients behind one SNAT address.
    'node-source': { type: 'string', default: 'stable' },
  },
});
const stableNodeSource = opt['node-source'] !== 'fresh';
const sizes = opt.sizes.split(',').map(Number);
const connects = Number(opt.connects);
const seconds = Number(opt.seconds);
const connections = Number(opt.connections);
const rounds = Number(opt.rounds);
const only = new Set(opt.only.split(','));

const SERVER_IP = '10.244.0.11';
const TARGET: Target = { name: 'web', clusterIP: '10.96.0.20', port: 80, targetPort: 8080, endpoints: [SERVER_IP] };
const EMPTY: Target = { name: 'empty', clusterIP: '10.96.0.30', port: 80, targetPort: 8080, endpoints: [] };

const dir = mkdtempSync(join(tmpdir(), 'ksvc-pb-'));
const node = new BenchNode();
const us = (x: number) => `${x.toFixed(0)} µs`;
const pct = (a: number, b: number) => `${((a / b) * 100).toFixed(0)} %`;
const fmt = (x: number) => x.toLocaleString('en-US', { maximumFractionDigits: 0 });
const log = (...a: unknown[]) => console.error(`[${new Date().toISOString().slice(11, 19)}]`, ...a);

function build(): string {
  const out = join(dir, 'connlat');
  execFileSync('cc', ['-O2', '-o', out, join(import.meta.dirname, 'connlat.c')]);
  return out;
}

/** Loads a script with nft -f and returns the seconds it took. */
function load(script: string): number {
  const t0 = performance.now();
  node.nft(script);
  return (performance.now() - t0) / 1000;
}

// Fresh clients: a server's TIME_WAIT sockets are keyed by the client's address and port, so a
// measurement that reuses the previous one's client address inherits its TIME_WAIT state (that is
// part of the `Connection: close` story, section 3). Every throughput measurement gets its own.
let clients = 0;
function freshPod(): BenchPod {
  clients++;
  return node.addPod(`c${clients}`, `10.244.${1 + (clients >> 8)}.${clients & 255}`);
}
/**
 * The node as a client with a fresh source address outside the pod CIDR (as a node's own address
 * is on a real cluster), used for its traffic to pods and ClusterIPs: ClusterIP traffic from it is
 * masqueraded, as kube-proxy and our ruleset do for non-pod sources.
 */
let nodeSource: string | undefined;
function freshNodeSource(stable = false): string {
  if (stable && nodeSource) return nodeSource;
  clients++;
  const src = `192.168.${60 + (clients >> 8)}.${clients & 255}`;
  node.exec(node.ns, ['ip', 'addr', 'add', `${src}/32`, 'dev', 'lo']);
  node.exec(node.ns, ['ip', 'route', 'replace', SERVICE_CIDR, 'dev', 'kb0', 'src', src]);
  node.exec(node.ns, ['ip', 'route', 'replace', '10.244.0.0/16', 'dev', 'kb0', 'proto', 'kernel', 'scope', 'link', 'src', src]);
  if (stable) nodeSource = src;
  return src;
}

interface HttpRun {
  label: string;
  rps: number;
  p99ms: number;
  synRetrans: number;
  pawsTimewait: number;
  serverTw: number;
  errors: string;
  insertFailed: number;
  drop: number;
  clashResolve: number;
  remapped?: number;
  kept?: number;
}

function measureHttp(label: string, from: 'pod' | 'node', url: string, close: boolean, opts: { pod?: BenchPod; conntrack?: boolean; flush?: boolean; stableNode?: boolean } = {}): HttpRun {
  let ns: string;
  let clientIp: string;
  if (from === 'pod') {
    const pod = opts.pod ?? freshPod();
    ns = pod.ns;
    clientIp = pod.ip;
  } else {
    clientIp = freshNodeSource(opts.stableNode === true);
    ns = node.ns;
  }
  const cn = new Nstat(node, ns, dir);
  const sn = new Nstat(node, `${node.prefix}-srv`, dir);
  if (opts.flush) node.exec(node.ns, ['conntrack', '-F']);
  const ct0 = conntrackStats(node);
  cn.reset();
  sn.reset();
  const r = wrk(node, ns, url, { close, seconds, connections });
  const c = cn.read(CLIENT_COUNTERS);
  const s = sn.read(SERVER_COUNTERS);
  const ct1 = conntrackStats(node);
  const run: HttpRun = {
    label,
    rps: r.rps,
    p99ms: r.p99ms,
    synRetrans: c.TcpExtTCPSynRetrans,
    pawsTimewait: s.TcpExtPAWSTimewait,
    serverTw: s.TcpExtTW,
    errors: r.socketErrors.replace('Socket errors: ', ''),
    insertFailed: ct1.insert_failed - ct0.insert_failed,
    drop: ct1.drop - ct0.drop,
    clashResolve: ct1.clash_resolve - ct0.clash_resolve,
  };
  if (opts.conntrack) {
    const t = conntrackTable(node, clientIp);
    run.remapped = t.remappedPort;
    run.kept = t.keptPort;
  }
  log(`${label}: ${fmt(run.rps)} req/s, SYN retrans ${run.synRetrans}, server PAWS-in-TIME_WAIT ${run.pawsTimewait} ${run.errors}`);
  return run;
}

const httpRow = (r: HttpRun, ratioTo?: HttpRun) =>
  `| ${r.label} | ${fmt(r.rps)} | ${ratioTo ? pct(r.rps, ratioTo.rps) : ''} | ${r.p99ms.toFixed(1)} | ${r.synRetrans} | ${r.pawsTimewait} | ${r.insertFailed}/${r.drop}/${r.clashResolve} |${r.remapped !== undefined ? ` ${r.kept}/${r.remapped} |` : ''}`;
const HTTP_HEAD = '| measurement | req/s | vs direct | p99 ms | client SYN retrans | server PAWS rejects in TIME_WAIT | conntrack insert_failed/drop/clash_resolve |';
const HTTP_SEP = '|---|---|---|---|---|---|---|';

/**
 * Our masquerading chain with its `masquerade fully-random` rules turned into SNAT to `to`, with
 * or without `fully-random`. Masquerade is SNAT to the outgoing interface's address with the same
 * port selection; a fresh address per measurement keeps each one clear of the server TIME_WAIT
 * sockets the previous one left (every masqueraded flow shares the one node address otherwise).
 */
function masqueradeChain(script: string, to?: { addr: string; proposed: boolean }): string {
  const rules = script.split('\n').filter((l) => l.startsWith('add rule ip kubesvc masquerading '));
  const body = to
    ? rules.flatMap((l) => {
        if (!l.includes(' masquerade fully-random')) return [l];
        const random = l.replace(' masquerade fully-random', ` snat to ${to.addr} fully-random`);
        // Proposed: TCP keeps the client's port when it is free; everything else stays fully-random.
        return to.proposed ? [l.replace(' masquerade fully-random', ` meta l4proto tcp snat to ${to.addr}`), random] : [random];
      })
    : rules;
  return ['flush chain ip kubesvc masquerading', ...body].join('\n') + '\n';
}

/** Back to the node's own routes (source 10.244.0.1) after measurements from other sources. */
function restoreNodeRoutes(): void {
  node.exec(node.ns, ['ip', 'route', 'replace', SERVICE_CIDR, 'dev', 'kb0']);
  node.exec(node.ns, ['ip', 'route', 'replace', '10.244.0.0/16', 'dev', 'kb0', 'proto', 'kernel', 'scope', 'link', 'src', GATEWAY]);
}

async function main(): Promise<void> {
  const connlat = build();
  node.create();
  const srv = node.addPod('srv', SERVER_IP);
  node.start(srv.ns, ['haproxy', '-db', '-f', haproxyHttpServerConfig(dir, 'srv', 8080)]);
  const lat = node.addPod('lat', '10.244.0.99');
  for (let i = 0; ; i++) {
    if (connectLatency(node, connlat, lat.ns, [`${SERVER_IP}:8080`], 1, 0)[0].ok === 1) break;
    if (i > 50) throw new Error('the server pod does not answer');
    await new Promise((r) => setTimeout(r, 100));
  }
  const machine = {
    nproc: execFileSync('nproc', { encoding: 'utf8' }).trim(),
    kernel: execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim(),
    nft: execFileSync('nft', ['--version'], { encoding: 'utf8' }).trim(),
    wrk: (node.tryExec(node.ns, ['wrk', '--version']).out.split('\n')[0] || '').trim(),
    date: new Date().toISOString(),
    load: execFileSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).trim(),
  };
  console.log(`# bench/proxy results\n\nMachine: nproc ${machine.nproc}, Linux ${machine.kernel}, ${machine.nft}, ${machine.wrk}; ${machine.date}; load ${machine.load}\n`);

  const direct = `${SERVER_IP}:8080`;
  const vip = `${TARGET.clusterIP}:${TARGET.port}`;
  let ours = '';
  const sizesLoaded: number[] = [];

  // 1 (and 5). Connect latency; the linear chain first, ours second, so ours at the largest size
  // stays loaded for the throughput sections.
  if (only.has('latency') || only.has('refused') || only.has('http') || only.has('close')) {
    const rows: string[] = [];
    const refusedRows: string[] = [];
    const list = only.has('latency') ? sizes : [sizes[sizes.length - 1]];
    const cell = (l: Latency) => `${us(l.p50)} / ${us(l.p99)}`;
    for (const n of list) {
      let linear: [Latency, Latency] | undefined;
      let floor: Latency | undefined;
      let linearLoad = 0;
      if (only.has('latency')) {
        // The floor: no rules at all (every new connection, to a pod or a Service, passes the nat hooks).
        load(DELETE_OURS);
        floor = connectLatency(node, connlat, lat.ns, [direct], connects)[0];
        linearLoad = load(linearRuleset(n, TARGET));
        const [d, v] = connectLatency(node, connlat, lat.ns, [direct, vip], connects);
        linear = [d, v];
        load(DELETE_LINEAR);
        log(`linear ${n}: direct p50 ${us(d.p50)}, ClusterIP p50 ${us(v.p50)} (${v.ok} ok); no rules: ${us(floor.p50)}`);
      }
      ours = ourRuleset(n, TARGET, [EMPTY]);
      const oursLoad = load(ours);
      sizesLoaded.push(n);
      const [d, v, e] = connectLatency(node, connlat, lat.ns, [direct, vip, `${EMPTY.clusterIP}:${EMPTY.port}`], connects);
      log(`ours ${n}: direct p50 ${us(d.p50)}, ClusterIP p50 ${us(v.p50)} (${v.ok} ok), empty refused ${e.refused}/${e.n} p99 ${us(e.p99)}`);
      if (linear && floor) {
        const [ld, lv] = linear;
        rows.push(
          `| ${fmt(n)} | ${cell(floor)} | ${cell(d)} | ${cell(v)} | **${pct(v.p50, d.p50)}** | ${cell(ld)} | ${cell(lv)} | ${pct(lv.p50, d.p50)} | ${v.ok + lv.ok}/${v.n + lv.n} | ${oursLoad.toFixed(1)} s / ${linearLoad.toFixed(1)} s |`,
        );
      }
      refusedRows.push(`| ${fmt(n)} | ${e.refused}/${e.n} | ${us(e.p50)} | ${us(e.p99)} | ${us(e.min)} | ${e.other} |`);
    }
    if (only.has('latency')) {
      console.log(`## 1. First-packet latency (TCP connect), ${connects} connects per target, interleaved, from a pod\n`);
      console.log('| Services | no rules: pod IP p50 / p99 | ours: pod IP | ours: ClusterIP | ours: ClusterIP p50 vs pod IP (same run) | linear chain: pod IP | linear chain: ClusterIP | linear ClusterIP p50 vs ours pod IP | connected | nft -f load ours / linear |');
      console.log('|---|---|---|---|---|---|---|---|---|---|');
      console.log(rows.join('\n') + '\n');
    }
    if (only.has('refused')) {
      console.log(`## 5. Service with 0 endpoints: time to "connection refused" (${connects} connects, our ruleset)\n`);
      console.log('| Services | refused | p50 | p99 | min | other errors |\n|---|---|---|---|---|---|');
      console.log(refusedRows.join('\n') + '\n');
    }
  }

  // 2. Throughput through the ClusterIP vs direct, from a pod and from the node, our ruleset as it is.
  if (only.has('http')) {
    const runs: string[] = [];
    const summary: string[] = [];
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    for (const from of ['pod', 'node'] as const) {
      for (const close of [false, true]) {
        const mode = close ? 'Connection: close' : 'keep-alive';
        const ratios: number[] = [];
        const ds: number[] = [];
        const vs: number[] = [];
        let retrans = 0;
        for (let round = 1; round <= rounds; round++) {
          const d = measureHttp(`from ${from}, ${mode}, direct, round ${round}`, from, `http://${direct}/`, close, { stableNode: stableNodeSource });
          const v = measureHttp(`from ${from}, ${mode}, ClusterIP, round ${round}`, from, `http://${vip}/`, close, { stableNode: stableNodeSource });
          runs.push(httpRow(d), httpRow(v, d));
          ratios.push(v.rps / d.rps);
          ds.push(d.rps);
          vs.push(v.rps);
          retrans += v.synRetrans;
        }
        summary.push(
          `| from ${from}, ${mode} | ${fmt(median(ds))} | ${fmt(median(vs))} | **${(median(ratios) * 100).toFixed(0)} %** | ${ratios.map((r) => `${(r * 100).toFixed(0)} %`).join(', ')} | ${retrans} |`,
        );
      }
    }
    restoreNodeRoutes();
    console.log(`## 2. HTTP throughput (wrk -t1 -c${connections} -d${seconds}s), our ruleset with ${fmt(sizesLoaded.at(-1) ?? 0)} Services, ${stableNodeSource ? 'a fresh pod per pod run, one stable node address for node runs' : 'a fresh client address per run'}, direct and ClusterIP alternating, ${rounds} rounds\n`);
    console.log('| client, mode | direct req/s (median) | ClusterIP req/s (median) | ClusterIP vs direct (median of rounds) | per round | ClusterIP SYN retrans (all rounds) |\n|---|---|---|---|---|---|');
    console.log(summary.join('\n') + '\n');
    console.log('<details><summary>every run</summary>\n\n' + HTTP_HEAD + '\n' + HTTP_SEP + '\n' + runs.join('\n') + '\n\n</details>\n');
  }

  // 3. The `Connection: close` problem.
  if (only.has('close')) {
    console.log(`## 3. The \`Connection: close\` problem (wrk -t1 -c${connections} -d${seconds}s, new connection per request)\n`);
    // (0) The mechanism, one connection pair per client port (see reuse-probe.ts).
    const probeRows: string[] = [];
    const variants: [string, string, string, boolean][] = [
      ['pod IP, then pod IP again', direct, direct, false],
      ['ClusterIP, then ClusterIP again', vip, vip, false],
      ['pod IP, then ClusterIP', direct, vip, false],
      ['ClusterIP, then pod IP', vip, direct, false],
      ['pod IP, then ClusterIP, conntrack flushed in between', direct, vip, true],
      ['ClusterIP, then pod IP, conntrack flushed in between', vip, direct, true],
      ['ClusterIP, then ClusterIP again, conntrack flushed in between', vip, vip, true],
    ];
    const probe = (ns: string, target: string) =>
      JSON.parse(node.exec(ns, [process.execPath, '--import', 'tsx', join(import.meta.dirname, 'reuse-probe.ts'), target, '40', '41000'])) as number[];
    for (const [label, first, second, flush] of variants) {
      const pod = freshPod();
      const cn = new Nstat(node, pod.ns, dir);
      const sn = new Nstat(node, srv.ns, dir);
      probe(pod.ns, first);
      if (flush) node.exec(node.ns, ['conntrack', '-F']);
      cn.reset();
      sn.reset();
      const ms = probe(pod.ns, second);
      const c = cn.read(CLIENT_COUNTERS);
      const sv = sn.read(SERVER_COUNTERS);
      const t = conntrackTable(node, pod.ip);
      log(`probe ${label}: ${c.TcpExtTCPSynRetrans} SYN retransmitted`);
      probeRows.push(`| ${label} | ${c.TcpExtTCPSynRetrans} | ${c.TcpOutRsts} | ${sv.TcpExtPAWSTimewait} | ${Math.max(...ms)} ms | ${t.keptPort}/${t.remappedPort} |`);
    }
    console.log('### The mechanism: 40 client ports, one request each to the first address, then one each to the second (server closes first)\n');
    console.log('| first, then second connection | client SYN retrans | client RSTs | server PAWS rejects in TIME_WAIT | slowest second connect | conntrack entries of this client: port kept/remapped |');
    console.log('|---|---|---|---|---|---|');
    console.log(probeRows.join('\n') + '\n');
    // (a) One client, direct and ClusterIP back to back, as a benchmark naturally runs them; then
    // the same with `conntrack -F` before each run (a common way to "start clean").
    for (const flush of [false, true]) {
      const pod = freshPod();
      const how = flush ? ', conntrack flushed before' : '';
      const seq = [
        measureHttp(`same pod client: 1st direct${how}`, 'pod', `http://${direct}/`, true, { pod, conntrack: true, flush }),
        measureHttp(`same pod client: 2nd ClusterIP${how}`, 'pod', `http://${vip}/`, true, { pod, conntrack: true, flush }),
        measureHttp(`same pod client: 3rd direct${how}`, 'pod', `http://${direct}/`, true, { pod, conntrack: true, flush }),
        measureHttp(`same pod client: 4th ClusterIP${how}`, 'pod', `http://${vip}/`, true, { pod, conntrack: true, flush }),
      ];
      console.log(`### (a${flush ? '2' : '1'}) Direct and ClusterIP in turn from the same client${flush ? ', conntrack flushed before each run' : ''}\n`);
      console.log(HTTP_HEAD.replace(' vs direct', ' vs 1st') + ' conntrack entries of this client: port kept/remapped |\n' + HTTP_SEP + '---|');
      console.log(seq.map((r) => httpRow(r, seq[0])).join('\n') + '\n');
    }
    // (b) Masqueraded traffic (from a node address outside the pod CIDR): the current
    // `fully-random` against the proposed plain masquerade, alternating, each measurement with a
    // fresh client address and a fresh SNAT address.
    const rows: HttpRun[] = [];
    let snat = 0;
    for (let round = 1; round <= Math.max(2, Math.ceil(rounds / 2)); round++) {
      for (const proposed of [false, true]) {
        const addr = `192.168.70.${++snat}`;
        node.exec(node.ns, ['ip', 'addr', 'add', `${addr}/32`, 'dev', 'lo']);
        load(masqueradeChain(ours, { addr, proposed }));
        const name = proposed ? 'SNAT keeping the TCP port (proposed)' : 'SNAT fully-random (as now)';
        rows.push(measureHttp(`from node, ClusterIP, ${name}, round ${round}`, 'node', `http://${vip}/`, true, { conntrack: true }));
      }
      rows.push(measureHttp(`from node, direct (no NAT), round ${round}`, 'node', `http://${direct}/`, true, { conntrack: true }));
    }
    load(masqueradeChain(ours));
    restoreNodeRoutes();
    const ref = (r: HttpRun) => rows.find((x) => x.label.includes('direct') && x.label.endsWith(r.label.slice(-7)));
    console.log('### (b) Masqueraded ClusterIP traffic: `fully-random` vs keeping the port, side by side\n');
    console.log(HTTP_HEAD + ' conntrack entries port kept/remapped |\n' + HTTP_SEP + '---|');
    console.log(rows.map((r) => httpRow(r, r.label.includes('direct') ? undefined : ref(r))).join('\n') + '\n');
  }

  // 3c. The exact proposed chain with the real masquerade statement, each variant on a node of its own.
  if (only.has('close')) {
    const runs = [...(await masqueradeRuns('current', dir, 3, 4, connections)), ...(await masqueradeRuns('proposed', dir, 3, 4, connections))];
    for (const r of runs) log(`3c ${r.variant} run ${r.run}: ${fmt(r.rps)} req/s, SYN retrans ${r.synRetrans}`);
    console.log('### (c) The exact proposed `masquerading` chain, real `masquerade`, 3 consecutive 4-s runs from one node address (each variant on a fresh node)\n');
    console.log('| variant | run | req/s | client SYN retrans | server PAWS rejects in TIME_WAIT |\n|---|---|---|---|---|');
    console.log(runs.map((r) => `| ${r.variant === 'current' ? '`masquerade fully-random` (as now)' : '`meta l4proto tcp masquerade` first (proposed)'} | ${r.run} | ${fmt(r.rps)} | ${r.synRetrans} | ${r.pawsTimewait} |`).join('\n') + '\n');
  }

  // 4. Userspace backend vs haproxy (TCP mode), both in the node namespace, from pods.
  if (only.has('userspace')) {
    console.log('## 4. Userspace proxy vs haproxy (TCP mode), from a pod\n');
    const rows: string[] = [];
    // The userspace proxy serves the ClusterIP itself: our nftables table would DNAT it first.
    load(DELETE_OURS);
    const hp = node.start(node.ns, ['haproxy', '-db', '-f', haproxyTcpProxyConfig(dir, `${GATEWAY}:18080`, direct)]);
    await new Promise((r) => setTimeout(r, 300));
    const userspace = await startUserspaceProxy(node, dir, TARGET);
    const summary: string[] = [];
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    for (const close of [false, true]) {
      const mode = close ? 'Connection: close' : 'keep-alive';
      const ratios = { haproxy: [] as number[], userspace: [] as number[] };
      for (let round = 1; round <= Math.max(2, Math.ceil(rounds / 2)); round++) {
        const d = measureHttp(`${mode}, direct, round ${round}`, 'pod', `http://${direct}/`, close);
        const h = measureHttp(`${mode}, haproxy tcp, round ${round}`, 'pod', `http://${GATEWAY}:18080/`, close);
        rows.push(httpRow(d), httpRow(h, d));
        ratios.haproxy.push(h.rps / d.rps);
        if (userspace) {
          const u = measureHttp(`${mode}, kubesvc userspace, round ${round}`, 'pod', `http://${userspace.address}/`, close);
          rows.push(httpRow(u, d));
          ratios.userspace.push(u.rps / d.rps);
        }
      }
      const m = (xs: number[]) => (xs.length ? `${(median(xs) * 100).toFixed(0)} %` : 'not run');
      summary.push(`| ${mode} | ${m(ratios.haproxy)} | ${m(ratios.userspace)} | ${ratios.userspace.length ? `${((median(ratios.userspace) / median(ratios.haproxy)) * 100).toFixed(0)} %` : ''} |`);
    }
    await node.stop(hp);
    if (userspace) await userspace.stop();
    else rows.push('| kubesvc userspace | not run: src/proxy has no userspace backend yet | | | | | |');
    console.log('| mode | haproxy (TCP mode) vs direct, median | kubesvc userspace vs direct, median | userspace vs haproxy |\n|---|---|---|---|');
    console.log(summary.join('\n') + '\n');
    console.log('<details><summary>every run</summary>\n\n' + HTTP_HEAD + '\n' + HTTP_SEP + '\n' + rows.join('\n') + '\n\n</details>\n');
  }
  console.log(`conntrack at the end: ${JSON.stringify(conntrackTable(node).states)}`);
}

try {
  await main();
} finally {
  node.destroy();
  if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
}
