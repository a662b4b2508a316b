// What name compression costs per answer: dns-packet's encode alone against encode + our
// compression pass, side by side in one run, for a ClusterIP A answer and a 100-endpoint headless
// answer (the work an answer-cache miss does; cache hits copy stored bytes and do neither).
//
//   node --import tsx bench/dns/compress-bench.ts
import * as packet from 'dns-packet';
import type { Answer } from 'dns-packet';
import { compressMessage } from '../../src/dns/compress.js';

function msg(name: string, n: number): packet.Packet {
  const answers: Answer[] = Array.from({ length: n }, (_, i) => ({ type: 'A', name, ttl: 5, class: 'IN', data: `10.244.${i >> 8}.${i & 255}` }));
  return { type: 'response', id: 1, flags: 0x8580, questions: [{ type: 'A', name }], answers, additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }] };
}

function rate(f: () => unknown, ms = 1500): number {
  for (let i = 0; i < 2000; i++) f();
  let n = 0;
  const end = performance.now() + ms;
  while (performance.now() < end) {
    for (let i = 0; i < 200; i++) f();
    n += 200;
  }
  return (n / ms) * 1000;
}

for (const [label, m] of [
  ['ClusterIP A (1 record)', msg('svc-123.bench.svc.cluster.local', 1)],
  ['headless A (100 records)', msg('big.bench.svc.cluster.local', 100)],
] as const) {
  const plain = packet.encode(m).length;
  const small = compressMessage(packet.encode(m)).length;
  // Alternate the two a few times so drift in machine load hits both alike.
  const a: number[] = [];
  const b: number[] = [];
  for (let round = 0; round < 3; round++) {
    a.push(rate(() => packet.encode(m)));
    b.push(rate(() => compressMessage(packet.encode(m))));
  }
  const med = (x: number[]) => [...x].sort((p, q) => p - q)[1]!;
  console.log(`${label}: ${plain} → ${small} bytes; encode ${Math.round(med(a)).toLocaleString('en')}/s, encode+compress ${Math.round(med(b)).toLocaleString('en')}/s (ratio ${(med(b) / med(a)).toFixed(2)})`);
}
