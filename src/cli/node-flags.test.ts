import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nodeConfigFromFlags } from './node-flags.js';

test('node flags: agent opt-in, --isolated implies it, name and pod CIDR checked', () => {
  assert.deepEqual(nodeConfigFromFlags({}, 'host-1'), { agent: false, isolated: false, name: 'host-1', podCIDR: undefined });
  assert.deepEqual(nodeConfigFromFlags({ isolated: 'true', 'pod-cidr': '10.244.5.0/24' }, 'h'), { agent: true, isolated: true, name: 'h', podCIDR: '10.244.5.0/24' });
  assert.equal(nodeConfigFromFlags({ 'node-agent': 'true', 'node-name': 'n.example' }).agent, true);
  assert.throws(() => nodeConfigFromFlags({ 'node-name': 'Bad_Name' }), /invalid --node-name "Bad_Name"/);
  assert.throws(() => nodeConfigFromFlags({ 'pod-cidr': '10.244.5.1/24' }), /no host bits set/);
  assert.throws(() => nodeConfigFromFlags({ 'pod-cidr': '10.0.0.0/8' }), /invalid --pod-cidr/);
});

test('--node-ip: an address pods can reach; loopback and unspecified refused', () => {
  assert.equal(nodeConfigFromFlags({ 'node-ip': '10.1.2.3' }, 'h').nodeIP, '10.1.2.3');
  assert.equal(nodeConfigFromFlags({}, 'h').nodeIP, undefined);
  assert.throws(() => nodeConfigFromFlags({ 'node-ip': '127.0.0.1' }, 'h'), /invalid --node-ip "127.0.0.1"/);
  assert.throws(() => nodeConfigFromFlags({ 'node-ip': '0.0.0.0' }, 'h'), /invalid --node-ip/);
  assert.throws(() => nodeConfigFromFlags({ 'node-ip': 'node-1' }, 'h'), /invalid --node-ip/);
});
