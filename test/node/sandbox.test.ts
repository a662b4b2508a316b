// Real pod sandboxes inside a throwaway node namespace (root, Linux).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { SandboxManager } from '../../src/node/sandbox.js';
import { silentLogger } from '../../src/util/log.js';
import { canRunPods, createNodeNetns } from './node-netns.js';

const pod = (uid: string, name: string, extra: Partial<Pod['spec']> = {}): Pod => ({
  metadata: { name, namespace: 'team', uid },
  spec: { containers: [{ name: 'c' }], ...extra },
});

test('pod sandboxes: own namespace, IP, route via the bridge, hairpin, DNS files; teardown and restart cleanup', { skip: !canRunPods && 'needs root on Linux' }, async (t) => {
  const node = createNodeNetns();
  const dir = mkdtempSync(join(tmpdir(), 'ksvc-sb-'));
  t.after(() => {
    node.remove();
    rmSync(dir, { recursive: true, force: true });
  });
  const config = {
    run: node.run,
    logger: silentLogger,
    dataDir: dir,
    podCIDR: '10.244.7.0/24',
    netnsPrefix: node.prefix,
    clusterDNS: { nameservers: ['10.96.0.10'], clusterDomain: 'cluster.local' },
    hostResolvConf: 'nameserver 192.0.2.53\nsearch corp.example\n',
    nodeHostname: 'node-a',
    hostHostsFile: '127.0.0.1 localhost\n',
  };
  const m = await SandboxManager.create(config);
  const a = await m.setup(pod('uid-a', 'web-a'));
  const b = await m.setup(pod('uid-b', 'web-b', { hostname: 'h', subdomain: 'sub' }));
  assert.equal(a.ip, '10.244.7.2');
  assert.equal(b.ip, '10.244.7.3');
  // Same pod again: same sandbox, same address.
  assert.equal((await m.setup(pod('uid-a', 'web-a'))).ip, '10.244.7.2');

  const inPod = (ns: string, ...cmd: string[]) => execFileSync('nsenter', [`--net=/run/netns/${ns}`, '--', ...cmd], { encoding: 'utf8' });
  assert.match(inPod(a.netns!, 'ip', '-4', 'route'), /default via 10\.244\.7\.1 dev eth0/);
  // Pod to pod over the bridge, and pod to gateway.
  assert.match(inPod(a.netns!, 'ip', 'neigh', 'flush', 'all') + 'ok', /ok/);
  const probe = (ns: string, ip: string) =>
    execFileSync('nsenter', [`--net=/run/netns/${ns}`, '--', process.execPath, '-e', `require('net').connect(9,'${ip}').on('error',e=>{console.log(e.code);process.exit(0)}).on('connect',()=>{console.log('OPEN');process.exit(0)})`], { encoding: 'utf8' }).trim();
  // A closed port answers with a RST (ECONNREFUSED) only if the packet got there.
  assert.equal(probe(a.netns!, b.ip), 'ECONNREFUSED');
  assert.equal(probe(a.netns!, '10.244.7.1'), 'ECONNREFUSED');
  assert.match(execFileSync('nsenter', [`--net=${node.path}`, '--', 'ip', '-d', 'link', 'show', m.vethName('uid-a')], { encoding: 'utf8' }), /hairpin on/);

  assert.equal(readFileSync(a.resolvConf, 'utf8'), 'search team.svc.cluster.local svc.cluster.local cluster.local corp.example\nnameserver 10.96.0.10\noptions ndots:5\n');
  assert.match(readFileSync(b.hostsFile, 'utf8'), /10\.244\.7\.3\th\.sub\.team\.svc\.cluster\.local\th\n/);
  assert.equal(b.hostname, 'h');

  // A restarted agent finds both, keeps a and removes b as stale.
  const again = await SandboxManager.create(config);
  assert.deepEqual([...(await again.known())].sort(), ['uid-a', 'uid-b']);
  assert.deepEqual(await again.removeStale(new Set(['uid-a'])), ['uid-b']);
  const names = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  assert.ok(!names.includes(`${node.prefix}uid-b`));
  assert.ok(names.includes(`${node.prefix}uid-a`));
  assert.throws(() => execFileSync('nsenter', [`--net=${node.path}`, '--', 'ip', 'link', 'show', again.vethName('uid-b')], { stdio: 'pipe' }));
  // b's address is free again; a keeps its own.
  assert.equal((await again.setup(pod('uid-c', 'web-c'))).ip, '10.244.7.3');
  await again.teardown('uid-a');
  await again.teardown('uid-c');
  assert.deepEqual([...(await again.known())], []);
});
