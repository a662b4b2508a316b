// Measuring tools the proxy benchmark runs inside its namespaces: the connect-latency probe
// (connlat.c, built by run.sh), wrk, nstat counters (per namespace: nstat keeps its history in a
// file, so each namespace gets its own), conntrack statistics, and haproxy configurations.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchNode } from './netns.js';

export interface Latency {
  n: number;
  ok: number;
  refused: number;
  other: number;
  p50: number;
  p90: number;
  p99: number;
  mean: number;
  min: number;
}

/** N timed blocking connects to each target (interleaved), from namespace ns (microseconds). */
export function connectLatency(node: BenchNode, connlat: string, ns: string, targets: string[], n: number, warmup = 50): Latency[] {
  const out = node.exec(ns, [connlat, String(n), String(warmup), ...targets]);
  return out
    .trim()
    .split('\n')
    .map((line) => {
      const num = (k: string) => Number(new RegExp(`\\b${k}=([\\d.]+)`).exec(line)?.[1] ?? NaN);
      return {
        n: num('n'),
        ok: num('ok'),
        refused: num('refused'),
        other: num('other'),
        p50: num('p50_us'),
        p90: num('p90_us'),
        p99: num('p99_us'),
        mean: num('mean_us'),
        min: num('min_us'),
      };
    });
}

/** The TCP counters that tell the `Connection: close` story (deltas over one measurement). */
export const CLIENT_COUNTERS = ['TcpActiveOpens', 'TcpExtTCPSynRetrans', 'TcpRetransSegs', 'TcpOutRsts', 'TcpExtTW'] as const;
export const SERVER_COUNTERS = ['TcpPassiveOpens', 'TcpExtPAWSTimewait', 'TcpExtTW', 'TcpExtTCPACKSkippedTimeWait'] as const;

export class Nstat {
  constructor(
    private readonly node: BenchNode,
    private readonly ns: string,
    private readonly dir: string,
  ) {}
  private argv(args: string[]): string[] {
    return ['env', `NSTAT_HISTORY=${join(this.dir, `nstat-${this.ns}`)}`, 'nstat', ...args];
  }
  /** Starts a measurement: the next read() reports changes since now. */
  reset(): void {
    this.node.exec(this.ns, this.argv(['-n']));
  }
  read(names: readonly string[]): Record<string, number> {
    const out = this.node.exec(this.ns, this.argv(['-z', ...names]));
    const r: Record<string, number> = {};
    for (const name of names) r[name] = Number(new RegExp(`^${name}\\s+(\\d+)`, 'm').exec(out)?.[1] ?? 0);
    return r;
  }
}

export interface WrkResult {
  rps: number;
  requests: number;
  /** "Socket errors: connect 0, read 0, write 0, timeout 0" or "". */
  socketErrors: string;
  non2xx: number;
  p99ms: number;
}

type WrkOptions = { close: boolean; seconds: number; connections: number };

function wrkArgv(ns: string, url: string, opts: WrkOptions): string[] {
  return [
    'ip',
    'netns',
    'exec',
    ns,
    'wrk',
    '-t1',
    `-c${opts.connections}`,
    `-d${opts.seconds}s`,
    '--latency',
    '--timeout',
    '5s',
    ...(opts.close ? ['-H', 'Connection: close'] : []),
    url,
  ];
}

function parseWrk(out: string): WrkResult {
  const p99 = /^\s+99%\s+([\d.]+)(us|ms|s)/m.exec(out);
  const scale = p99 ? { us: 0.001, ms: 1, s: 1000 }[p99[2] as 'us' | 'ms' | 's'] : NaN;
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN),
    requests: Number(/(\d+) requests in/.exec(out)?.[1] ?? NaN),
    socketErrors: /Socket errors:.*/.exec(out)?.[0] ?? '',
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0),
    p99ms: p99 ? Number(p99[1]) * scale : NaN,
  };
}

/** wrk -t1 -c<c> -d<s>s --latency [-H 'Connection: close'] url, from namespace ns. */
export function wrk(node: BenchNode, ns: string, url: string, opts: WrkOptions): WrkResult {
  const argv = wrkArgv(ns, url, opts);
  const r = node.tryExec(ns, argv.slice(4));
  if (r.code !== 0) throw new Error(`wrk ${url}: ${r.err}${r.out}`);
  return parseWrk(r.out);
}

/** Sums the per-CPU `conntrack -S` counters the issue names. */
export function conntrackStats(node: BenchNode): Record<'insert_failed' | 'drop' | 'clash_resolve' | 'early_drop' | 'invalid', number> {
  const out = node.tryExec(node.ns, ['conntrack', '-S']).out;
  const sum = (k: string) => [...out.matchAll(new RegExp(`\\b${k}=(\\d+)`, 'g'))].reduce((a, m) => a + Number(m[1]), 0);
  return { insert_failed: sum('insert_failed'), drop: sum('drop'), clash_resolve: sum('clash_resolve'), early_drop: sum('early_drop'), invalid: sum('invalid') };
}

/**
 * TCP conntrack entries by state, and how many of them NAT gave a different source port; only the
 * entries whose original source is `src` when given.
 */
export function conntrackTable(node: BenchNode, src?: string): { states: Record<string, number>; keptPort: number; remappedPort: number } {
  const out = node.tryExec(node.ns, ['conntrack', '-L', '-p', 'tcp', ...(src ? ['-s', src] : [])]).out;
  const states: Record<string, number> = {};
  let keptPort = 0;
  let remappedPort = 0;
  for (const line of out.split('\n')) {
    const m = /^tcp\s+\d+\s+\d+\s+(\S+)/.exec(line);
    if (!m) continue;
    states[m[1]] = (states[m[1]] ?? 0) + 1;
    const sports = [...line.matchAll(/sport=(\d+)/g)].map((x) => x[1]);
    const dports = [...line.matchAll(/dport=(\d+)/g)].map((x) => x[1]);
    if (sports.length === 2 && dports.length === 2) {
      // Original source port vs the reply's destination port: different = SNAT changed the port.
      if (sports[0] === dports[1]) keptPort++;
      else remappedPort++;
    }
  }
  return { states, keptPort, remappedPort };
}

/** haproxy as the pods' HTTP server: answers every request itself (event-driven, one thread). */
export function haproxyHttpServerConfig(dir: string, name: string, port: number): string {
  const file = join(dir, `${name}.cfg`);
  writeFileSync(
    file,
    [
      'global',
      '  nbthread 1',
      'defaults',
      '  mode http',
      '  timeout client 60s',
      '  timeout server 60s',
      '  timeout connect 5s',
      'frontend web',
      `  bind 0.0.0.0:${port}`,
      `  http-request return status 200 content-type text/plain string ${name}`,
      '',
    ].join('\n'),
  );
  return file;
}

/** haproxy as a TCP-mode proxy (the userspace proxy's peer): listen → one backend server. */
export function haproxyTcpProxyConfig(dir: string, listen: string, backend: string): string {
  const file = join(dir, 'tcp-proxy.cfg');
  writeFileSync(
    file,
    [
      'global',
      '  nbthread 1',
      'defaults',
      '  mode tcp',
      '  timeout client 60s',
      '  timeout server 60s',
      '  timeout connect 5s',
      'listen svc',
      `  bind ${listen}`,
      `  server ep ${backend}`,
      '',
    ].join('\n'),
  );
  return file;
}
