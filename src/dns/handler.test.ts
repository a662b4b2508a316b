// The message handler on its own: hostile and malformed input (a seeded fuzz run), header rules,
// EDNS0 and truncation, and pod record modes — against a ZoneIndex filled by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as packet from 'dns-packet';
import type { PodMode } from './config.js';
import { AnswerCache } from './answer-cache.js';
import { handleMessage, type HandlerDeps } from './handler.js';
import { createDnsMetrics } from './metrics.js';
import { rcodeName } from './rcode.js';
import { ZoneIndex } from './zone-index.js';

function deps(podMode: PodMode = 'insecure', synced = true): HandlerDeps {
  const index = new ZoneIndex('cluster.local');
  index.setNamespace('default', true);
  index.setService({ metadata: { namespace: 'default', name: 'web' }, spec: { clusterIP: '10.96.0.20', clusterIPs: ['10.96.0.20'], ports: [{ name: 'http', port: 80 }] } }, true);
  index.setService({ metadata: { namespace: 'default', name: 'hl' }, spec: { clusterIP: 'None', ports: [{ name: 'p', port: 1 }] } }, true);
  index.setSlice(
    {
      metadata: { namespace: 'default', name: 'hl-1', labels: { 'kubernetes.io/service-name': 'hl' } },
      addressType: 'IPv4',
      endpoints: Array.from({ length: 40 }, (_, i) => ({ addresses: [`10.244.0.${i + 1}`] })),
      ports: [{ name: 'p', port: 1, protocol: 'TCP' }],
    },
    true,
  );
  // 18 endpoints: their SRV records fit 1,232 bytes, not with all their addresses as well.
  index.setService({ metadata: { namespace: 'default', name: 'mid' }, spec: { clusterIP: 'None', ports: [{ name: 'p', port: 1 }] } }, true);
  index.setSlice(
    {
      metadata: { namespace: 'default', name: 'mid-1', labels: { 'kubernetes.io/service-name': 'mid' } },
      addressType: 'IPv4',
      endpoints: Array.from({ length: 18 }, (_, i) => ({ addresses: [`10.244.1.${i + 1}`] })),
      ports: [{ name: 'p', port: 1, protocol: 'TCP' }],
    },
    true,
  );
  return {
    ctx: { zone: 'cluster.local', ttl: 5, podMode, index, nsAddresses: () => ['10.96.0.10'] },
    forwarder: undefined,
    metrics: createDnsMetrics(),
    maxUdpPayload: 1232,
    synced: () => synced,
    answerCache: new AnswerCache(),
  };
}

function query(name: string, type: packet.RecordType, edns?: number): Buffer {
  return packet.encode({
    type: 'query',
    id: 4242,
    flags: packet.RECURSION_DESIRED,
    questions: [{ name, type, class: 'IN' }],
    additionals: edns ? [{ type: 'OPT', name: '.', udpPayloadSize: edns, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }] : [],
  });
}

function dataOf(a: packet.Answer): unknown {
  return 'data' in a ? a.data : undefined;
}

async function ask(d: HandlerDeps, msg: Buffer, proto: 'udp' | 'tcp' = 'udp') {
  const out = await handleMessage(d, msg, proto);
  assert.ok(out, 'expected a reply');
  return { buf: out, p: packet.decode(out) };
}

// A small deterministic PRNG so a failing case can be replayed.
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

test('fuzz: 20,000 mutated, truncated and random packets never throw; every reply decodes and echoes the id', async () => {
  const d = deps();
  const seeds = [query('web.default.svc.cluster.local', 'A', 1232), query('_p._tcp.hl.default.svc.cluster.local', 'SRV'), query('example.com', 'AAAA')];
  const rand = rng(7);
  for (let i = 0; i < 20_000; i++) {
    let msg: Buffer;
    const mode = i % 4;
    const base = Buffer.from(seeds[i % seeds.length]!);
    if (mode === 0) {
      msg = base;
      for (let k = 0; k < 1 + Math.floor(rand() * 6); k++) msg[Math.floor(rand() * msg.length)] = Math.floor(rand() * 256);
    } else if (mode === 1) {
      msg = base.subarray(0, Math.floor(rand() * base.length));
    } else if (mode === 2) {
      msg = Buffer.from(Array.from({ length: Math.floor(rand() * 600) }, () => Math.floor(rand() * 256)));
    } else {
      // Compression pointer loops and absurd counts in an otherwise valid header.
      msg = Buffer.concat([base.subarray(0, 4), Buffer.from([0xff, 0xff, 0, 0, 0, 0, 0xff, 0xff, 0xc0, 0x0c, 0xc0, 0x0c])]);
    }
    if (msg.length >= 12 && !(msg.readUInt16BE(2) & 0x8000)) msg.writeUInt16BE(msg.readUInt16BE(2) & 0x7fff, 2);
    const out = await handleMessage(d, msg, i % 2 ? 'udp' : 'tcp');
    if (!out) continue;
    assert.ok(out.length >= 12, 'at least a header');
    assert.equal(out.readUInt16BE(0), msg.readUInt16BE(0), 'reply carries the request id');
    assert.ok(out.readUInt16BE(2) & 0x8000, 'reply has QR set');
    packet.decode(out);
    // Amplification bound: a garbage request earns at most a header plus its own question back.
    if (rcodeName(out.readUInt16BE(2)) === 'FORMERR') assert.ok(out.length <= Math.max(msg.length, 12) + 12, 'FORMERR no larger than the request');
  }
});

test('responses and short packets are dropped; undecodable queries get FORMERR; other opcodes NOTIMP', async () => {
  const d = deps();
  const resp = Buffer.from(query('web.default.svc.cluster.local', 'A'));
  resp.writeUInt16BE(resp.readUInt16BE(2) | 0x8000, 2);
  assert.equal(await handleMessage(d, resp, 'udp'), undefined);
  assert.equal(await handleMessage(d, Buffer.alloc(5), 'udp'), undefined);
  const bad = Buffer.concat([query('web.default.svc.cluster.local', 'A').subarray(0, 12), Buffer.from([0x3f, 1, 2])]);
  const fe = await handleMessage(d, bad, 'udp');
  assert.equal(rcodeName(fe!.readUInt16BE(2)), 'FORMERR');
  const notify = Buffer.from(query('cluster.local', 'SOA'));
  notify.writeUInt16BE((4 << 11) | notify.readUInt16BE(2), 2);
  assert.equal(rcodeName((await handleMessage(d, notify, 'udp'))!.readUInt16BE(2)), 'NOTIMP');
  const two = packet.encode({ type: 'query', id: 1, questions: [{ name: 'a.cluster.local', type: 'A' }, { name: 'b.cluster.local', type: 'A' }] });
  assert.equal(rcodeName((await handleMessage(d, two, 'udp'))!.readUInt16BE(2)), 'FORMERR');
});

test('EDNS0: version above 0 is BADVERS; the client size is honoured up to ours; TC without EDNS past 512 bytes', async () => {
  const d = deps();
  const v1 = packet.encode({
    type: 'query',
    id: 9,
    questions: [{ name: 'web.default.svc.cluster.local', type: 'A' }],
    additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 1, flags: 0, flag_do: false, options: [] }],
  });
  const { p } = await ask(d, v1);
  const opt = p.additionals?.find((a) => a.type === 'OPT');
  assert.ok(opt && opt.type === 'OPT' && opt.extendedRcode === 1, 'BADVERS (16) is extended rcode 1 with rcode 0');
  // 40 A records, names compressed: 12 + 34 (question) + 40 × 16 = 686 bytes: over 512, under 1232.
  const small = await ask(d, query('hl.default.svc.cluster.local', 'A'));
  assert.ok(small.p.flag_tc && small.buf.length <= 512, 'TC within 512 bytes without EDNS');
  // As CoreDNS (miekg/dns Truncate): the records that fit are kept, (512 - 12 - 34) / 16 = 29 of them.
  assert.equal(small.p.answers?.length, 29);
  assert.equal(small.buf.length, 12 + 34 + 29 * 16);
  const big = await ask(d, query('hl.default.svc.cluster.local', 'A', 4096));
  assert.ok(!big.p.flag_tc, 'fits the EDNS size');
  assert.equal(big.p.answers?.length, 40);
  assert.equal(big.buf.length, 686 + 11, 'every owner name is a 2-byte pointer; plus our OPT');
  const tcp = await ask(d, query('hl.default.svc.cluster.local', 'A'), 'tcp');
  assert.equal(tcp.p.answers?.length, 40);
});

test('pod records: insecure answers any address, disabled answers none, verified needs the pod', async () => {
  const name = '10-244-9-9.default.pod.cluster.local';
  const ins = await ask(deps('insecure'), query(name, 'A'));
  assert.deepEqual(ins.p.answers?.map(dataOf), ['10.244.9.9']);
  assert.equal(rcodeName((await ask(deps('insecure'), query('not-an-ip.default.pod.cluster.local', 'A'))).p.flags!), 'NXDOMAIN');
  assert.equal(rcodeName((await ask(deps('disabled'), query(name, 'A'))).p.flags!), 'NXDOMAIN');
  const v = deps('verified');
  assert.equal(rcodeName((await ask(v, query(name, 'A'))).p.flags!), 'NXDOMAIN');
  v.ctx.index.setPod({ metadata: { namespace: 'default', name: 'p' }, status: { podIP: '10.244.9.9' } }, true);
  assert.deepEqual((await ask(v, query(name, 'A'))).p.answers?.map(dataOf), ['10.244.9.9']);
  v.ctx.index.setPod({ metadata: { namespace: 'default', name: 'p' } }, false);
  assert.equal(rcodeName((await ask(v, query(name, 'A'))).p.flags!), 'NXDOMAIN');
  const v6 = await ask(deps('insecure'), query('fd00--1.default.pod.cluster.local', 'AAAA'));
  assert.deepEqual(v6.p.answers?.map(dataOf), ['fd00::1']);
});

test('before sync: in-zone SERVFAIL; outside the zone without upstreams SERVFAIL', async () => {
  const d = deps('insecure', false);
  assert.equal(rcodeName((await ask(d, query('web.default.svc.cluster.local', 'A'))).p.flags!), 'SERVFAIL');
  assert.equal(rcodeName((await ask(deps(), query('example.com', 'A'))).p.flags!), 'SERVFAIL');
});

test('non-IN classes and zone transfers are refused', async () => {
  const ch = packet.encode({ type: 'query', id: 3, questions: [{ name: 'version.bind', type: 'TXT', class: 'CH' }] });
  assert.equal(rcodeName((await ask(deps(), ch)).p.flags!), 'REFUSED');
  assert.equal(rcodeName((await ask(deps(), query('cluster.local', 'AXFR'), 'tcp')).p.flags!), 'REFUSED');
});

test('answer cache: an identical query gets the stored answer with its own id; any index change invalidates it', async () => {
  const d = deps();
  const q1 = query('web.default.svc.cluster.local', 'A');
  const first = await ask(d, q1);
  const q2 = Buffer.from(q1);
  q2.writeUInt16BE(777, 0);
  const second = await ask(d, q2);
  assert.equal(second.p.id, 777);
  assert.deepEqual(second.p.answers, first.p.answers);
  assert.equal(second.buf.subarray(2).compare(first.buf.subarray(2)), 0, 'same bytes past the id');
  d.ctx.index.setService({ metadata: { namespace: 'default', name: 'web' }, spec: { clusterIP: '10.96.0.21', clusterIPs: ['10.96.0.21'], ports: [{ port: 80 }] } }, true);
  assert.deepEqual((await ask(d, q2)).p.answers?.map(dataOf), ['10.96.0.21']);
  d.ctx.index.setService({ metadata: { namespace: 'default', name: 'web' } }, false);
  assert.equal(rcodeName((await ask(d, q2)).p.flags!), 'NXDOMAIN');
  const metrics = await d.metrics.registry.metrics();
  assert.match(metrics, /kubesvc_dns_requests_total\{proto="udp",type="A"\} 4/);
});

test('UDP truncation keeps what fits (answers, then additional addresses), TC set; TCP carries it all', async () => {
  const d = deps();
  const srvOf = (p: { answers?: unknown[]; additionals?: { type: string }[] }) => [p.answers?.length, (p.additionals ?? []).filter((a) => a.type === 'A').length];
  // 40 SRV records (targets are never compressed: 59 bytes each) do not all fit 1,232 bytes.
  const big = await ask(d, query('_p._tcp.hl.default.svc.cluster.local', 'SRV', 1232));
  assert.ok(big.p.flag_tc && big.buf.length <= 1232);
  const [bigAnswers, bigExtra] = srvOf(big.p);
  assert.ok(bigAnswers! > 0 && bigAnswers! < 40, `some SRV records fit: ${bigAnswers}`);
  assert.equal(bigExtra, 0, 'no room left for addresses');
  // 18 SRV records fit; their addresses (16 bytes each: owner names point into the SRV targets) only partly.
  const mid = await ask(d, query('_p._tcp.mid.default.svc.cluster.local', 'SRV', 1232));
  assert.ok(mid.p.flag_tc && mid.buf.length <= 1232);
  const [midAnswers, midExtra] = srvOf(mid.p);
  assert.equal(midAnswers, 18);
  assert.ok(midExtra! > 0 && midExtra! < 18, `some addresses fit: ${midExtra}`);
  for (const name of ['hl', 'mid']) {
    const n = name === 'hl' ? 40 : 18;
    const tcp = await ask(d, query(`_p._tcp.${name}.default.svc.cluster.local`, 'SRV', 1232), 'tcp');
    assert.deepEqual(srvOf(tcp.p), [n, n]);
    assert.ok(!tcp.p.flag_tc);
  }
});
