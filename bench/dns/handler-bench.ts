// Micro-benchmark of the message handler alone (no sockets): queries per second of one core on
// an index with 10,000 Services, to tell codec/answer cost apart from socket cost.
//   node --import tsx bench/dns/handler-bench.ts
import * as packet from 'dns-packet';
import { AnswerCache } from '../../src/dns/answer-cache.js';
import { handleMessage, type HandlerDeps } from '../../src/dns/handler.js';
import { createDnsMetrics } from '../../src/dns/metrics.js';
import { ZoneIndex } from '../../src/dns/zone-index.js';

const index = new ZoneIndex('cluster.local');
index.setNamespace('bench', true);
for (let i = 0; i < 10_000; i++) {
  const ip = `10.96.${Math.floor(i / 250)}.${(i % 250) + 1}`;
  index.setService({ metadata: { namespace: 'bench', name: `svc-${i}` }, spec: { clusterIP: ip, clusterIPs: [ip], ports: [{ name: 'http', port: 80 }] } }, true);
}
const deps: HandlerDeps = {
  ctx: { zone: 'cluster.local', ttl: 5, podMode: 'insecure', index, nsAddresses: () => [] },
  forwarder: undefined,
  metrics: createDnsMetrics(),
  maxUdpPayload: 1232,
  synced: () => true,
  answerCache: process.argv.includes('--no-cache') ? undefined : new AnswerCache(),
};
const queries = Array.from({ length: 1000 }, (_, i) =>
  packet.encode({ type: 'query', id: i, flags: packet.RECURSION_DESIRED, questions: [{ name: `svc-${(i * 7919) % 10_000}.bench.svc.cluster.local`, type: 'A' }] }),
);
for (let round = 0; round < 3; round++) {
  const n = 100_000;
  const t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await handleMessage(deps, queries[i % queries.length]!, 'udp');
  const s = Number(process.hrtime.bigint() - t) / 1e9;
  console.log(`round ${round}: ${Math.round(n / s).toLocaleString('en')} queries/s (handler only, one core)`);
}
