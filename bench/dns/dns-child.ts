// The DNS component alone in its own process (so its memory can be measured), reading the API over
// HTTP like a separate component would. Prints "ready <port>" once synced; exits on SIGTERM.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { getHeapSpaceStatistics } from 'node:v8';
import { createClient, httpTransport } from '../../src/client/index.js';
import { createDns } from '../../src/dns/index.js';

const { values } = parseArgs({ options: { api: { type: 'string' }, port: { type: 'string', default: '0' }, 'pod-mode': { type: 'string', default: 'verified' } } });
const client = createClient(httpTransport({ server: String(values.api) }));
const dns = createDns({
  client,
  listen: [{ host: '127.0.0.1', port: Number(values.port) }],
  podMode: values['pod-mode'] as 'verified',
});
await dns.start();
const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)}MiB`;
const m = process.memoryUsage();
process.stdout.write(`ready ${dns.addresses()[0]!.port} services=${dns.index.serviceCount} heapUsed=${mib(m.heapUsed)} heapTotal=${mib(m.heapTotal)} external=${mib(m.external)} rss=${mib(m.rss)}\n`);
// On request (the bench asks after its settle time): the same after a full GC, so the retained
// heap can be told from garbage not yet collected.
process.on('SIGUSR2', () => {
  (globalThis as { gc?: () => void }).gc?.();
  const g = process.memoryUsage();
  process.stdout.write(`memory heapUsed=${mib(g.heapUsed)} heapTotal=${mib(g.heapTotal)} external=${mib(g.external)} arrayBuffers=${mib(g.arrayBuffers)} rss=${mib(g.rss)} ${rssByMapping()} spaces(size/used): ${getHeapSpaceStatistics()
      .filter((sp) => sp.space_size > 0)
      .map((sp) => `${sp.space_name.replace('_space', '')}=${mib(sp.space_size)}/${mib(sp.space_used_size)}`)
      .join(' ')}\n`);
});
process.on('SIGTERM', () => {
  void dns.stop().then(() => {
    client.close();
    process.exit(0);
  });
});

/** Resident memory by kind of mapping (/proc/self/smaps): the node binary, shared libraries, anonymous (V8 heap, malloc). */
function rssByMapping(): string {
  const sums = new Map<string, number>();
  let kind = 'anon';
  for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) {
      const path = head[1] ?? '';
      kind = path === '' ? 'anon' : path.startsWith('[') ? path : path.endsWith('/node') || path.includes('/bin/node') ? 'node-binary' : path.includes('.so') ? 'libs' : 'other-files';
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) sums.set(kind, (sums.get(kind) ?? 0) + Number(rss[1]));
  }
  const top = [...sums].sort((a, b) => b[1] - a[1]).filter(([, v]) => v >= 512);
  // Pss shares each page among the processes mapping it (the node binary's text is shared by every
  // Node process); Private is what this process alone holds.
  const rollup = readFileSync('/proc/self/smaps_rollup', 'utf8');
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(rollup)?.[1] ?? 0);
  const priv = kb('Private_Clean') + kb('Private_Dirty');
  return `${top.map(([k, v]) => `${k}=${(v / 1024).toFixed(1)}MiB`).join(' ')} pss=${(kb('Pss') / 1024).toFixed(1)}MiB private=${(priv / 1024).toFixed(1)}MiB`;
}
