import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as packet from 'dns-packet';
import type { Answer } from 'dns-packet';
import { compressMessage } from './compress.js';

const ZONE = 'cluster.local';
const soa: Answer = {
  type: 'SOA',
  name: ZONE,
  ttl: 5,
  class: 'IN',
  data: { mname: `ns.dns.${ZONE}`, rname: `hostmaster.${ZONE}`, serial: 1700000000, refresh: 7200, retry: 1800, expire: 86400, minimum: 5 },
};

function roundTrip(p: packet.Packet): { plain: Buffer; small: Buffer } {
  const plain = packet.encode(p);
  const small = compressMessage(plain);
  // Everything dns-packet reads back from the compressed form is what it wrote.
  assert.deepEqual(packet.decode(small), packet.decode(plain));
  return { plain, small };
}

test('headless A answers: every owner name is a pointer to the question', () => {
  const name = 'web-headless.default.svc.cluster.local';
  const answers: Answer[] = Array.from({ length: 20 }, (_, i) => ({ type: 'A', name, ttl: 5, class: 'IN', data: `10.244.0.${i + 2}` }));
  const { plain, small } = roundTrip({ type: 'response', id: 7, flags: 0x8400, questions: [{ type: 'A', name }], answers });
  // Header 12 + question (40 + 4) + 20 × (pointer 2 + 10 + 4).
  assert.equal(small.length, 12 + 44 + 20 * 16);
  assert.ok(plain.length > small.length * 2);
  assert.equal(small.readUInt16BE(12 + 44), 0xc000 | 12);
});

test('SRV: targets written in full (RFC 2782), the additional A records point at them; SOA names compressed', () => {
  const q = '_http._tcp.web.default.svc.cluster.local';
  const targets = ['web-0.web.default.svc.cluster.local', 'web-1.web.default.svc.cluster.local'];
  const answers: Answer[] = targets.map((t) => ({ type: 'SRV', name: q, ttl: 5, class: 'IN', data: { priority: 0, weight: 50, port: 80, target: t } }));
  const additionals: Answer[] = targets.map((t, i) => ({ type: 'A', name: t, ttl: 5, class: 'IN', data: `10.244.0.${i + 2}` }));
  const { small } = roundTrip({ type: 'response', id: 1, flags: 0x8400, questions: [{ type: 'SRV', name: q }], answers, authorities: [soa], additionals });
  // The first target is there in full (no pointer inside SRV data), once.
  const at = small.indexOf(Buffer.from('\x05web-0\x03web\x07default\x03svc\x07cluster\x05local\x00', 'latin1'));
  assert.ok(at > 0);
  assert.equal(small.indexOf(Buffer.from('\x05web-0', 'latin1'), at + 1), -1, 'the A record for web-0 points at the SRV target');
});

test('SRV target names are never pointers themselves', () => {
  const q = 'x.default.svc.cluster.local';
  const t = 'x.default.svc.cluster.local';
  const { small } = roundTrip({ type: 'response', id: 1, flags: 0x8400, questions: [{ type: 'SRV', name: q }], answers: [{ type: 'SRV', name: q, ttl: 5, class: 'IN', data: { priority: 0, weight: 100, port: 80, target: t } }] });
  // question 12..(12+29+4); answer: pointer(2) type class ttl rdlength(10) then priority weight port (6) then the target.
  const target = 12 + 29 + 4 + 2 + 10 + 6;
  assert.equal(small.toString('latin1', target, target + 2), '\x01x');
});

test('case is kept: a name differing only in case is written again, not pointed at', () => {
  const { small } = roundTrip({
    type: 'response',
    id: 1,
    flags: 0x8400,
    questions: [{ type: 'PTR', name: '10.0.96.10.in-addr.arpa' }],
    answers: [{ type: 'PTR', name: '10.0.96.10.in-addr.arpa', ttl: 5, class: 'IN', data: 'KUBE-DNS.kube-system.svc.cluster.local' }],
  });
  assert.ok(small.includes(Buffer.from('\x08KUBE-DNS', 'latin1')));
  const d = packet.decode(small);
  assert.equal((d.answers?.[0] as { data?: unknown } | undefined)?.data, 'KUBE-DNS.kube-system.svc.cluster.local');
});

test('OPT, TXT, AAAA and NXDOMAIN with SOA survive; unknown or compressed input is returned as is', () => {
  roundTrip({
    type: 'response',
    id: 1,
    flags: 0x8403,
    questions: [{ type: 'AAAA', name: 'nope.default.svc.cluster.local' }],
    authorities: [soa],
    additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }],
  });
  roundTrip({
    type: 'response',
    id: 2,
    flags: 0x8400,
    questions: [{ type: 'TXT', name: 'dns-version.cluster.local' }],
    answers: [
      { type: 'TXT', name: 'dns-version.cluster.local', ttl: 5, class: 'IN', data: ['1.1.0'] },
      { type: 'AAAA', name: 'dns-version.cluster.local', ttl: 5, class: 'IN', data: 'fd00::1' },
      { type: 'CNAME', name: 'dns-version.cluster.local', ttl: 5, class: 'IN', data: 'cluster.local' },
    ],
  });
  const already = compressMessage(packet.encode({ type: 'response', id: 3, questions: [{ type: 'A', name: 'a.cluster.local' }], answers: [{ type: 'A', name: 'a.cluster.local', ttl: 5, class: 'IN', data: '10.0.0.1' }] }));
  assert.equal(compressMessage(already), already);
  const short = Buffer.from([0, 1, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0, 3, 0x61]);
  assert.equal(compressMessage(short), short);
});

test('fuzz: random and truncated messages never throw', () => {
  let seed = 42;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
  const base = packet.encode({ type: 'response', id: 1, flags: 0x8400, questions: [{ type: 'A', name: 'web.default.svc.cluster.local' }], answers: [{ type: 'A', name: 'web.default.svc.cluster.local', ttl: 5, class: 'IN', data: '10.96.0.20' }], authorities: [soa] });
  for (let i = 0; i < 5000; i++) {
    const m = Buffer.from(base.subarray(0, rnd() % (base.length + 1)));
    for (let k = rnd() % 4; k > 0; k--) if (m.length) m[rnd() % m.length] = rnd();
    const out = compressMessage(m);
    assert.ok(out.length <= m.length);
    const rand = Buffer.from(Array.from({ length: rnd() % 80 }, rnd));
    compressMessage(rand);
  }
});
