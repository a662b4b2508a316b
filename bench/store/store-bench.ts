// Store benchmark: durable txn/s with 1 and 16 concurrent writers, LIST-sized ranges, recovery time
// and memory. Run: node --import tsx bench/store/store-bench.ts [--backend embedded|memory] [--keys N]
// Results are recorded in bench/README.md, section "store".
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createEmbeddedStore } from '../../src/store/embedded/embedded-store.js';
import { createMemoryStore } from '../../src/store/memory/memory-store.js';
import type { Store } from '../../src/store/types.js';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'embedded' },
    keys: { type: 'string', default: '10000' },
    durability: { type: 'string', default: 'full' },
  },
});
const backend = values.backend as string;
const totalKeys = Number(values.keys);
const durability = values.durability === 'normal' ? 'normal' : 'full';
const dir = mkdtempSync(join(tmpdir(), 'kubesvc-store-bench-'));

// A Service-sized JSON value, like what the apiserver stores.
const value = (i: number) =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: `svc-${i}`, namespace: 'bench', uid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, labels: { app: `a${i % 100}` } },
    spec: { type: 'ClusterIP', clusterIP: `10.96.${(i >> 8) & 255}.${i & 255}`, ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }] },
  });

const open = (): Promise<Store> =>
  backend === 'memory' ? Promise.resolve(createMemoryStore()) : createEmbeddedStore({ dir, durability });

async function creates(s: Store, writers: number, count: number, prefix: string): Promise<number> {
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: writers }, async () => {
      for (let i = next++; i < count; i = next++) {
        const key = `${prefix}${String(i).padStart(6, '0')}`;
        const r = await s.txn([{ key, modRevision: 0 }], [{ type: 'put', key, value: value(i) }]);
        if (!r.succeeded) throw new Error(`create ${key} failed`);
      }
    }),
  );
  return count / (Number(process.hrtime.bigint() - started) / 1e9);
}

async function timeMs(fn: () => Promise<unknown>, runs = 5): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    await fn();
    samples.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)] as number;
}

/** Pages through the bench keys at one revision, like kubectl's chunked LIST (continue tokens). */
async function pagedList(s: Store, revision: number): Promise<number> {
  let n = 0;
  let startAfter: string | undefined;
  for (;;) {
    const page = await s.range('/registry/services/specs/bench/', { limit: 500, startAfter, revision });
    n += page.items.length;
    if (!page.more) return n;
    startAfter = page.items[page.items.length - 1]?.key;
  }
}

const report: Record<string, string | number> = { backend, durability, node: process.version };
try {
  let s = await open();
  report['creates/s, 1 writer'] = Math.round(await creates(s, 1, 500, '/registry/services/specs/one/'));
  report['creates/s, 16 writers'] = Math.round(await creates(s, 16, 4000, '/registry/services/specs/sixteen/'));
  const bulk = Math.round(await creates(s, 64, totalKeys, '/registry/services/specs/bench/'));
  report[`creates/s, 64 writers (${totalKeys} keys)`] = bulk;
  const midRevision = (await s.currentRevision()) - 1;
  for (let i = 0; i < 100; i++) await s.txn([], [{ type: 'put', key: `/registry/services/specs/bench/${String(i).padStart(6, '0')}`, value: value(i) }]);
  const list = await s.range('/registry/services/specs/bench/');
  if (list.items.length !== totalKeys) throw new Error(`range returned ${list.items.length} keys`);
  report[`range ${totalKeys} keys, latest (ms, median of 5)`] = +(await timeMs(() => s.range('/registry/services/specs/bench/'))).toFixed(1);
  report[`range limit 500 + remaining (ms)`] = +(await timeMs(() => s.range('/registry/services/specs/bench/', { limit: 500 }))).toFixed(2);
  report[`range ${totalKeys} keys at a recent older revision (ms)`] = +(await timeMs(() => s.range('/registry/services/specs/bench/', { revision: midRevision }))).toFixed(1);
  report[`paged LIST (limit 500) of ${totalKeys} keys at a recent older revision (ms)`] = +(await timeMs(() => pagedList(s, midRevision))).toFixed(1);
  report['count (ms)'] = +(await timeMs(() => s.count('/registry/services/specs/'))).toFixed(2);
  report['RSS after load (MiB)'] = Math.round(process.memoryUsage().rss / 2 ** 20);
  if (backend === 'embedded') {
    await s.close();
    const t = process.hrtime.bigint();
    s = await open();
    report['reopen + index rebuild (ms)'] = Math.round(Number(process.hrtime.bigint() - t) / 1e6);
    // After a reopen the recent-event window is empty, so these read the log on disk.
    report[`range ${totalKeys} keys at an older revision, from disk (ms)`] = +(await timeMs(() => s.range('/registry/services/specs/bench/', { revision: midRevision }))).toFixed(1);
    report[`paged LIST (limit 500) of ${totalKeys} keys at an older revision, from disk (ms)`] = +(await timeMs(() => pagedList(s, midRevision), 1)).toFixed(1);
    const c = await s.currentRevision();
    const t2 = process.hrtime.bigint();
    await s.compact(c);
    report['compact all history (ms)'] = Math.round(Number(process.hrtime.bigint() - t2) / 1e6);
  }
  await s.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
for (const [k, v] of Object.entries(report)) console.log(`${k}: ${v}`);
