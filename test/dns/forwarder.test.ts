// Forwarding to upstream resolvers on loopback: the next upstream when one does not answer, TCP
// when the UDP answer was truncated, one exchange for concurrent identical questions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { ForwardCache } from '../../src/dns/forward-cache.js';
import { Forwarder } from '../../src/dns/forwarder.js';
import { startFakeUpstream } from './fake-upstream.js';

const RECORDS = { 'www.example.org A': [{ type: 'A' as const, name: 'www.example.org', ttl: 60, data: '192.0.2.10' }] };

function cache(): ForwardCache {
  return new ForwardCache({ maxEntries: 100, maxTtl: 3600, maxNegativeTtl: 1800, now: Date.now });
}

test('an upstream that does not answer is skipped for the next one', async () => {
  // A bound socket that never replies: the first upstream times out.
  const silent = dgram.createSocket('udp4');
  await new Promise<void>((r) => silent.bind(0, '127.0.0.1', () => r()));
  const good = await startFakeUpstream(RECORDS);
  try {
    const f = new Forwarder({ upstreams: [{ host: '127.0.0.1', port: silent.address().port }, { host: '127.0.0.1', port: good.port }], timeoutMs: 200, cache: cache() });
    const r = await f.resolve('www.example.org', 'A');
    assert.equal(r.rcode, 'NOERROR');
    assert.deepEqual(r.answers.map((a) => ('data' in a ? a.data : undefined)), ['192.0.2.10']);
  } finally {
    await good.close();
    await new Promise<void>((r) => silent.close(() => r()));
  }
});

test('an upstream that cannot be reached (port closed, broadcast refused) is skipped at once, not after the timeout', { timeout: 10_000 }, async () => {
  // A port nobody listens on answers with ICMP port-unreachable; the kernel refuses to send to the
  // broadcast address without SO_BROADCAST (nothing leaves the machine). Both must fail fast:
  // with a 60 s timeout per upstream, only fast failure gets to the good upstream in time.
  const closed = dgram.createSocket('udp4');
  await new Promise<void>((r) => closed.bind(0, '127.0.0.1', () => r()));
  const closedPort = closed.address().port;
  await new Promise<void>((r) => closed.close(() => r()));
  const good = await startFakeUpstream(RECORDS);
  try {
    const upstreams = [{ host: '127.0.0.1', port: closedPort }, { host: '255.255.255.255', port: 53 }, { host: '127.0.0.1', port: good.port }];
    const f = new Forwarder({ upstreams, timeoutMs: 60_000, cache: cache() });
    const r = await f.resolve('www.example.org', 'A');
    assert.equal(r.rcode, 'NOERROR');
    assert.deepEqual(good.seen, ['www.example.org A']);
  } finally {
    await good.close();
  }
});

test('a truncated UDP answer is fetched again over TCP; all upstreams failing is SERVFAIL, not cached', async () => {
  const trunc = await startFakeUpstream(RECORDS, 60, { truncateUdp: true });
  try {
    const f = new Forwarder({ upstreams: [{ host: '127.0.0.1', port: trunc.port }], timeoutMs: 1000, cache: cache() });
    const r = await f.resolve('www.example.org', 'A');
    assert.deepEqual(r.answers.map((a) => ('data' in a ? a.data : undefined)), ['192.0.2.10']);
    assert.deepEqual(trunc.seen, ['www.example.org A', 'www.example.org A'], 'once over UDP, once over TCP');
  } finally {
    await trunc.close();
  }
  const silent = dgram.createSocket('udp4');
  await new Promise<void>((r) => silent.bind(0, '127.0.0.1', () => r()));
  try {
    const c = cache();
    const f = new Forwarder({ upstreams: [{ host: '127.0.0.1', port: silent.address().port }], timeoutMs: 100, cache: c });
    assert.equal((await f.resolve('www.example.org', 'A')).rcode, 'SERVFAIL');
    assert.equal(c.size, 0);
  } finally {
    await new Promise<void>((r) => silent.close(() => r()));
  }
});

test('concurrent identical questions share one upstream exchange, then the cache answers', async () => {
  const up = await startFakeUpstream(RECORDS);
  try {
    let hits = 0;
    const f = new Forwarder({ upstreams: [{ host: '127.0.0.1', port: up.port }], timeoutMs: 1000, cache: cache(), onCache: (h) => (hits += h ? 1 : 0) });
    const all = await Promise.all(Array.from({ length: 20 }, () => f.resolve('WWW.example.org', 'A')));
    assert.ok(all.every((r) => r.rcode === 'NOERROR'), 'all answered');
    assert.equal(up.seen.length, 1);
    await f.resolve('www.example.org', 'A');
    assert.equal(up.seen.length, 1);
    assert.equal(hits, 1);
  } finally {
    await up.close();
  }
});
