// Every record type and negative answer of the Kubernetes DNS specification, asked with the real
// `dig` (UDP and TCP) and Node's resolver against the DNS component serving a real API server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Resolver } from 'node:dns/promises';
import { execFile } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createClient, httpTransport } from '../../src/client/index.js';
import { createDns } from '../../src/dns/index.js';
import { createRunningPod, createService, createSlice, slice, startDnsCluster, type DnsCluster } from './cluster.js';
import { dig, rdata } from './dig.js';

let c: DnsCluster;
let webIP = '';
let apiIP = '';
const Z = 'cluster.local';

before(async () => {
  c = await startDnsCluster({
    podMode: 'verified',
    namespaces: ['backend'],
    upstreamRecords: {
      'www.example.org A': [{ type: 'A', name: 'www.example.org', ttl: 300, data: '192.0.2.10' }],
      'example.net A': [{ type: 'A', name: 'example.net', ttl: 300, data: '198.51.100.7' }],
    },
  });
  const { client } = c;
  const web = await createService(client, 'default', { metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80 }] } });
  webIP = web.spec!.clusterIP!;
  const api = await createService(client, 'backend', { metadata: { name: 'api-service' }, spec: { ports: [{ name: 'https', port: 443 }] } });
  apiIP = api.spec!.clusterIP!;
  await createService(client, 'default', { metadata: { name: 'web-headless' }, spec: { clusterIP: 'None', selector: { app: 'web' }, ports: [{ name: 'http', port: 8080 }] } });
  await createSlice(
    client,
    slice('default', 'web-headless', 'web-headless-1', [{ ip: '10.244.0.11' }, { ip: '10.244.0.12' }, { ip: '10.244.0.13' }, { ip: '10.244.0.14', ready: false }], [{ name: 'http', port: 8080 }]),
  );
  await createService(client, 'default', { metadata: { name: 'mysql' }, spec: { clusterIP: 'None', selector: { app: 'mysql' }, ports: [{ name: 'mysql', port: 3306 }] } });
  await createSlice(client, slice('default', 'mysql', 'mysql-1', [{ ip: '10.244.1.10', hostname: 'mysql-0' }, { ip: '10.244.1.11', hostname: 'mysql-1' }], [{ name: 'mysql', port: 3306 }]));
  await createService(client, 'default', { metadata: { name: 'ext' }, spec: { type: 'ExternalName', externalName: 'www.example.org' } });
  await createService(client, 'default', {
    metadata: { name: 'pnr' },
    spec: { clusterIP: 'None', publishNotReadyAddresses: true, selector: { app: 'pnr' }, ports: [{ name: 'p', port: 1 }] },
  });
  await createSlice(client, slice('default', 'pnr', 'pnr-1', [{ ip: '10.244.3.1', ready: false }], [{ name: 'p', port: 1 }]));
  await createService(client, 'default', { metadata: { name: 'empty' }, spec: { clusterIP: 'None', selector: { app: 'none' }, ports: [{ port: 1 }] } });
  const many = Array.from({ length: 100 }, (_, i) => ({ ip: `10.244.4.${i + 1}` }));
  await createService(client, 'default', { metadata: { name: 'big' }, spec: { clusterIP: 'None', selector: { app: 'big' }, ports: [{ name: 'p', port: 1 }] } });
  await createSlice(client, slice('default', 'big', 'big-1', many, [{ name: 'p', port: 1 }]));
  await createRunningPod(client, 'default', 'pod-a', '10.244.2.5');
  // Informers deliver asynchronously: wait until the last write is answerable.
  for (let i = 0; i < 200 && !c.dns.index.podExists('default', '10.244.2.5'); i++) await new Promise((r) => setTimeout(r, 10));
});

after(async () => {
  await c?.close();
});

test('ClusterIP Service: A with the ClusterIP, authoritative, TTL 5, over UDP and TCP', async () => {
  for (const extra of [[], ['+tcp']]) {
    const r = await dig(c.port, `web.default.svc.${Z}`, 'A', extra);
    assert.equal(r.status, 'NOERROR');
    assert.ok(r.flags.includes('aa'), r.raw);
    assert.deepEqual(rdata(r, 'A'), [webIP]);
    assert.equal(r.answer[0]![1], '5');
  }
});

test('names match case-insensitively and the answer keeps the case asked', async () => {
  const r = await dig(c.port, `WEB.Default.SVC.Cluster.Local`, 'A');
  assert.equal(r.status, 'NOERROR');
  assert.deepEqual(rdata(r, 'A'), [webIP]);
  assert.equal(r.answer[0]![0], 'WEB.Default.SVC.Cluster.Local.');
});

test('NODATA (NOERROR, no answer, SOA) for a type the name lacks; NXDOMAIN with SOA for a missing name', async () => {
  const nodata = await dig(c.port, `web.default.svc.${Z}`, 'AAAA');
  assert.equal(nodata.status, 'NOERROR');
  assert.equal(nodata.answer.length, 0);
  assert.equal(nodata.authority[0]?.[3], 'SOA');
  assert.equal(nodata.authority[0]?.[4], `ns.dns.${Z}.`);
  assert.equal(nodata.authority[0]?.[5], `hostmaster.${Z}.`);
  const nx = await dig(c.port, `nope.default.svc.${Z}`, 'A');
  assert.equal(nx.status, 'NXDOMAIN');
  assert.equal(nx.authority[0]?.[3], 'SOA');
  // Empty non-terminals that exist: the namespace and svc levels, and the apex.
  assert.equal((await dig(c.port, `default.svc.${Z}`, 'A')).status, 'NOERROR');
  assert.equal((await dig(c.port, `svc.${Z}`, 'A')).status, 'NOERROR');
  assert.equal((await dig(c.port, `no-such-ns.svc.${Z}`, 'A')).status, 'NXDOMAIN');
  assert.equal((await dig(c.port, `web.no-such-ns.svc.${Z}`, 'A')).status, 'NXDOMAIN');
  assert.equal((await dig(c.port, `foo.${Z}`, 'A')).status, 'NXDOMAIN');
  assert.equal((await dig(c.port, `a.b.c.web.default.svc.${Z}`, 'A')).status, 'NXDOMAIN');
});

test('headless Service: one A per ready endpoint (3 ready, 1 not ready), UDP and TCP', async () => {
  for (const extra of [[], ['+tcp']]) {
    const r = await dig(c.port, `web-headless.default.svc.${Z}`, 'A', extra);
    assert.equal(r.status, 'NOERROR');
    assert.deepEqual(rdata(r, 'A').sort(), ['10.244.0.11', '10.244.0.12', '10.244.0.13']);
  }
  const pnr = await dig(c.port, `pnr.default.svc.${Z}`, 'A');
  assert.deepEqual(rdata(pnr, 'A'), ['10.244.3.1'], 'publishNotReadyAddresses publishes the unready endpoint');
  assert.equal((await dig(c.port, `empty.default.svc.${Z}`, 'A')).status, 'NXDOMAIN', 'headless without endpoints (CoreDNS)');
});

test("StatefulSet pods: <hostname>.<svc> names, and the IP-named endpoints of a headless Service", async () => {
  const r = await dig(c.port, `mysql-0.mysql.default.svc.${Z}`, 'A');
  assert.deepEqual(rdata(r, 'A'), ['10.244.1.10']);
  assert.deepEqual(rdata(await dig(c.port, `mysql-1.mysql.default.svc.${Z}`, 'A', ['+tcp']), 'A'), ['10.244.1.11']);
  assert.equal((await dig(c.port, `mysql-2.mysql.default.svc.${Z}`, 'A')).status, 'NXDOMAIN');
  assert.deepEqual(rdata(await dig(c.port, `10-244-0-12.web-headless.default.svc.${Z}`, 'A'), 'A'), ['10.244.0.12']);
});

test('SRV for named ports: ClusterIP form and headless form with A records in the additional section', async () => {
  const cip = await dig(c.port, `_http._tcp.web.default.svc.${Z}`, 'SRV');
  assert.deepEqual(rdata(cip, 'SRV'), [`0 100 80 web.default.svc.${Z}.`]);
  assert.deepEqual(cip.additional.filter((f) => f[3] === 'A').map((f) => f[4]), [webIP]);
  const hl = await dig(c.port, `_mysql._tcp.mysql.default.svc.${Z}`, 'SRV');
  assert.deepEqual(rdata(hl, 'SRV').sort(), [`0 50 3306 mysql-0.mysql.default.svc.${Z}.`, `0 50 3306 mysql-1.mysql.default.svc.${Z}.`]);
  assert.deepEqual(hl.additional.filter((f) => f[3] === 'A').map((f) => `${f[0]} ${f[4]}`).sort(), [
    `mysql-0.mysql.default.svc.${Z}. 10.244.1.10`,
    `mysql-1.mysql.default.svc.${Z}. 10.244.1.11`,
  ]);
  assert.equal((await dig(c.port, `_nope._tcp.web.default.svc.${Z}`, 'SRV')).status, 'NXDOMAIN');
  assert.equal((await dig(c.port, `_http._udp.web.default.svc.${Z}`, 'SRV')).status, 'NXDOMAIN');
});

test('PTR for ClusterIPs and headless endpoints', async () => {
  assert.deepEqual(rdata(await dig(c.port, '', 'PTR', ['-x', webIP]), 'PTR'), [`web.default.svc.${Z}.`]);
  assert.deepEqual(rdata(await dig(c.port, '', 'PTR', ['-x', '10.244.1.10']), 'PTR'), [`mysql-0.mysql.default.svc.${Z}.`]);
  assert.deepEqual(rdata(await dig(c.port, '', 'PTR', ['-x', '10.244.0.11', '+tcp']), 'PTR'), [`10-244-0-11.web-headless.default.svc.${Z}.`]);
});

test('ExternalName: CNAME, with the target resolved (upstream) when asked for A', async () => {
  const r = await dig(c.port, `ext.default.svc.${Z}`, 'A');
  assert.equal(r.status, 'NOERROR');
  assert.deepEqual(rdata(r, 'CNAME'), ['www.example.org.']);
  assert.deepEqual(rdata(r, 'A'), ['192.0.2.10']);
  const cn = await dig(c.port, `ext.default.svc.${Z}`, 'CNAME');
  assert.deepEqual(rdata(cn, 'CNAME'), ['www.example.org.']);
});

test('a Service in another namespace by svc.ns.svc.zone', async () => {
  assert.deepEqual(rdata(await dig(c.port, `api-service.backend.svc.${Z}`, 'A'), 'A'), [apiIP]);
});

test('dns-version TXT, SOA and NS at the apex', async () => {
  assert.deepEqual(rdata(await dig(c.port, `dns-version.${Z}`, 'TXT'), 'TXT'), ['"1.1.0"']);
  const soa = await dig(c.port, Z, 'SOA');
  assert.equal(rdata(soa, 'SOA')[0]?.split(' ').slice(0, 2).join(' '), `ns.dns.${Z}. hostmaster.${Z}.`);
  const ns = await dig(c.port, Z, 'NS');
  assert.deepEqual(rdata(ns, 'NS'), [`ns.dns.${Z}.`]);
});

test('pod records in verified mode: only a pod with that IP in that namespace', async () => {
  assert.deepEqual(rdata(await dig(c.port, `10-244-2-5.default.pod.${Z}`, 'A'), 'A'), ['10.244.2.5']);
  assert.equal((await dig(c.port, `10-244-2-6.default.pod.${Z}`, 'A')).status, 'NXDOMAIN');
  assert.equal((await dig(c.port, `10-244-2-5.backend.pod.${Z}`, 'A')).status, 'NXDOMAIN');
});

test('forwarding: names outside the zone go upstream, cached within their TTL', async () => {
  const before = c.upstream.seen.filter((s) => s === 'example.net A').length;
  const r1 = await dig(c.port, 'example.net', 'A');
  assert.equal(r1.status, 'NOERROR');
  assert.ok(!r1.flags.includes('aa'), 'forwarded answers are not authoritative');
  assert.deepEqual(rdata(r1, 'A'), ['198.51.100.7']);
  const r2 = await dig(c.port, 'EXAMPLE.net', 'A', ['+tcp']);
  assert.deepEqual(rdata(r2, 'A'), ['198.51.100.7']);
  assert.ok(Number(r2.answer[0]![1]) <= 300, 'cached TTL counts down');
  assert.equal(c.upstream.seen.filter((s) => s === 'example.net A').length - before, 1, 'second query answered from the cache');
  assert.equal((await dig(c.port, 'nosuch.example.net', 'A')).status, 'NXDOMAIN');
  const metrics = await c.dns.metrics.registry.metrics();
  assert.match(metrics, /kubesvc_dns_cache_hits_total [1-9]/);
});

test('EDNS0 advertised; truncation over UDP (TC) and the complete answer over TCP', async () => {
  const edns = await dig(c.port, `big.default.svc.${Z}`, 'A', ['+bufsize=4096', '+ignore']);
  assert.match(edns.raw, /EDNS: version: 0, flags:; udp: 1232/);
  assert.ok(edns.flags.includes('tc'), '100 A records do not fit in 1232 bytes');
  const plain = await dig(c.port, `big.default.svc.${Z}`, 'A', ['+noedns', '+ignore']);
  assert.ok(plain.flags.includes('tc'), 'TC past 512 bytes without EDNS');
  // Names are compressed (16 bytes per A record) and the records that fit are kept, as CoreDNS:
  // (512 - 12 - 35) / 16 = 29 without EDNS, (1232 - 12 - 35 - 11) / 16 = 73 with it.
  assert.equal(rdata(plain, 'A').length, 29);
  assert.equal(rdata(edns, 'A').length, 73);
  const tcp = await dig(c.port, `big.default.svc.${Z}`, 'A', ['+tcp']);
  assert.equal(rdata(tcp, 'A').length, 100);
  assert.ok(!tcp.flags.includes('tc'), 'complete over TCP');
  assert.match(tcp.raw, /MSG SIZE {2}rcvd: 1658\b/, 'header 12 + question 35 + 100 × 16 + OPT 11 bytes');
  // dig retries a truncated answer over TCP by itself.
  assert.equal(rdata(await dig(c.port, `big.default.svc.${Z}`, 'A'), 'A').length, 100);
  const any = await dig(c.port, `web.default.svc.${Z}`, 'ANY', ['+notcp', '+ignore']);
  assert.deepEqual(rdata(await dig(c.port, `web.default.svc.${Z}`, 'ANY', ['+tcp']), 'A'), [webIP]);
  assert.ok(any.flags.includes('tc'), any.raw);
});

test("Node's resolver: A, SRV, PTR, TXT, CNAME, and ENOTFOUND vs ENODATA", async () => {
  const r = new Resolver({ timeout: 2000, tries: 1 });
  r.setServers([`127.0.0.1:${c.port}`]);
  assert.deepEqual(await r.resolve4(`web.default.svc.${Z}`), [webIP]);
  assert.deepEqual((await r.resolve4(`web-headless.default.svc.${Z}`)).sort(), ['10.244.0.11', '10.244.0.12', '10.244.0.13']);
  assert.deepEqual(await r.resolveSrv(`_http._tcp.web.default.svc.${Z}`), [{ name: `web.default.svc.${Z}`, port: 80, priority: 0, weight: 100 }]);
  assert.deepEqual(await r.reverse(webIP), [`web.default.svc.${Z}`]);
  assert.deepEqual(await r.resolveTxt(`dns-version.${Z}`), [['1.1.0']]);
  assert.deepEqual(await r.resolveCname(`ext.default.svc.${Z}`), ['www.example.org']);
  await assert.rejects(r.resolve4(`nope.default.svc.${Z}`), { code: 'ENOTFOUND' });
  await assert.rejects(r.resolve6(`web.default.svc.${Z}`), { code: 'ENODATA' });
});

test('a pod resolves short names through its search path (resolv.conf as the node agent writes it)', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'kubesvc-dns-'));
  try {
    const conf = join(dir, 'resolv.conf');
    await writeFile(conf, `nameserver 127.0.0.1\nsearch default.svc.${Z} svc.${Z} ${Z}\noptions ndots:5\n`);
    const run = promisify(execFile);
    const probe = await run('unshare', ['-m', 'true']).then(
      () => true,
      () => false,
    );
    if (!probe) {
      t.skip('needs unshare -m (root) to give dig a pod-like resolv.conf');
      return;
    }
    const ask = async (name: string) => {
      const { stdout } = await run('unshare', ['-m', 'sh', '-c', `mount --bind "$0" /etc/resolv.conf && dig -p ${c.port} @127.0.0.1 +search +short "$1" A`, conf, name]);
      return stdout.trim().split('\n').filter(Boolean);
    };
    assert.deepEqual(await ask('web'), [webIP]);
    assert.deepEqual(await ask('api-service.backend'), [apiIP]);
    assert.deepEqual(await ask('mysql-0.mysql'), ['10.244.1.10']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('SERVFAIL, never NXDOMAIN, for names in the zone before the caches have synced', async () => {
  // An API server that is not there: the informers keep retrying and never sync.
  const client = createClient(httpTransport({ server: `http://127.0.0.1:${await closedPort()}` }));
  const dns = createDns({ client, listen: [{ host: '127.0.0.1', port: 0 }] });
  const started = dns.start().catch(() => {});
  try {
    for (let i = 0; i < 100 && !dns.addresses().length; i++) await new Promise((r) => setTimeout(r, 10));
    const port = dns.addresses()[0]!.port;
    assert.equal((await dig(port, `web.default.svc.${Z}`, 'A')).status, 'SERVFAIL');
    assert.equal((await dig(port, `nope.default.svc.${Z}`, 'A', ['+tcp'])).status, 'SERVFAIL');
  } finally {
    await dns.stop();
    client.close();
    await started;
  }
});

test('stop() while start() is still binding: start rejects and no socket is left open', async () => {
  const client = createClient(httpTransport({ server: `http://127.0.0.1:${await closedPort()}` }));
  const dns = createDns({ client, listen: [{ host: '127.0.0.1', port: 0 }] });
  const started = dns.start();
  await dns.stop();
  await assert.rejects(started, /stopped/);
  assert.deepEqual(dns.addresses(), []);
  client.close();
});

/** A loopback TCP port nothing listens on (bound, then released), so connections are refused. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}
