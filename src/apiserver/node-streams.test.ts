import assert from 'node:assert/strict';
import { test } from 'node:test';
import { logContainer, nodeAgentAddress } from './node-streams.js';

const pod = (containers: string[], inits: string[] = []) => ({
  metadata: { name: 'web' },
  spec: { containers: containers.map((name) => ({ name })), initContainers: inits.map((name) => ({ name })) },
});

test('the log container defaults only when the pod has one, with kube-apiserver texts otherwise', () => {
  assert.equal(logContainer(pod(['a']), null), 'a');
  assert.throws(() => logContainer(pod(['a', 'b']), null), { message: 'a container name must be specified for pod web, choose one of: [a b]' });
  assert.throws(() => logContainer(pod(['a', 'b'], ['i']), null), { message: 'a container name must be specified for pod web, choose one of: [a b] or one of the init containers: [i]' });
  assert.equal(logContainer(pod(['a'], ['i']), 'i'), 'i');
  assert.throws(() => logContainer(pod(['a']), 'x'), { message: 'container x is not valid for pod web', code: 400 });
});

test('the node agent is found at the InternalIP and kubelet endpoint port', () => {
  assert.deepEqual(nodeAgentAddress({ status: { addresses: [{ type: 'Hostname', address: 'n' }, { type: 'InternalIP', address: '10.0.0.2' }], daemonEndpoints: { kubeletEndpoint: { Port: 10250 } } } }), { host: '10.0.0.2', port: 10250 });
  assert.equal(nodeAgentAddress({ status: { addresses: [{ type: 'InternalIP', address: '10.0.0.2' }] } }), undefined);
});
