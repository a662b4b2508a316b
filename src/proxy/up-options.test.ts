import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createClient, inProcessTransport } from '../client/index.js';
import { silentLogger } from '../util/log.js';
import { parseUpProxyFlags, upProxyConfig } from './up-options.js';

test('kubesvc up proxy flags: default none (nftables with the node agent), known modes only, userspace without --proxy-netns, netns checked', () => {
  const n = { nodeName: 'n1', nodeAgent: false };
  assert.deepEqual(parseUpProxyFlags(n), { mode: 'none', netns: undefined, nodeName: 'n1' });
  assert.equal(parseUpProxyFlags({ ...n, nodeAgent: true }).mode, 'nftables', 'on by default with the node agent');
  assert.equal(parseUpProxyFlags({ ...n, mode: 'iptables' }).mode, 'iptables');
  assert.equal(parseUpProxyFlags({ ...n, nodeAgent: true, mode: 'none' }).mode, 'none');
  assert.throws(() => parseUpProxyFlags({ ...n, mode: 'ipvs' }), /invalid --proxy-mode "ipvs" \(want nftables, iptables, userspace, none\)/);
  assert.equal(parseUpProxyFlags({ ...n, mode: 'userspace' }).mode, 'userspace');
  assert.throws(() => parseUpProxyFlags({ ...n, mode: 'userspace', netns: 'node1' }), /--proxy-netns cannot be used with --proxy-mode userspace/);
  assert.throws(() => parseUpProxyFlags({ ...n, mode: 'nftables', netns: '../x' }), /invalid --proxy-netns/);
});

test('the in-process proxy config runs every command inside --proxy-netns', () => {
  const client = createClient(inProcessTransport({} as never));
  const c = upProxyConfig({ mode: 'nftables', netns: 'node1', nodeName: 'n1' }, client, '10.96.0.0/12', silentLogger);
  assert.deepEqual(c.nftCommand, ['ip', 'netns', 'exec', 'node1', 'nft']);
  assert.deepEqual(c.conntrackCommand, ['ip', 'netns', 'exec', 'node1', 'conntrack']);
  assert.deepEqual(c.serviceCIDRs, ['10.96.0.0/12']);
  assert.deepEqual(upProxyConfig({ mode: 'iptables', nodeName: 'n1' }, client, 'fd00::/108', silentLogger).serviceCIDRs, []);
});
