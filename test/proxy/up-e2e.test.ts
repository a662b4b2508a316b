// `kubesvc up --proxy-mode nftables --proxy-netns NS`, end to end: the real binary and the real
// kubectl create a Service and its EndpointSlice; the in-process proxy programs the kubesvc table
// inside a throwaway node namespace, and a "pod" there reaches the endpoint through the ClusterIP.
// Stopping kubesvc removes the table.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, type Cluster } from '../helpers/cluster.js';
import { kernelTestsSkipReason, TestNode, type Pod } from './netns.js';

const skip = kernelTestsSkipReason();

const MANIFEST = `apiVersion: v1
kind: Service
metadata:
  name: echo
spec:
  clusterIP: 10.96.0.77
  ports:
  - port: 80
    targetPort: 8080
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: echo-1
  labels:
    kubernetes.io/service-name: echo
addressType: IPv4
ports:
- name: ""
  port: 8080
  protocol: TCP
endpoints:
- addresses: ["10.244.0.11"]
  conditions:
    ready: true
`;

describe('kubesvc up with the nftables proxy in a node namespace', { skip, concurrency: false }, () => {
  const node = new TestNode();
  let cluster: Cluster;
  let client: Pod;

  before(async () => {
    await node.create();
    await node.addPod('p1', '10.244.0.11');
    client = await node.addPod('client', '10.244.0.20', false);
    cluster = await startCluster({ args: ['--store', 'memory', '--proxy-mode', 'nftables', '--proxy-netns', node.ns] });
  });

  after(async () => {
    try {
      await cluster?.cleanup();
    } finally {
      await node.destroy();
    }
  });

  test('a Service created with kubectl carries packets to its endpoint', async () => {
    const applied = await cluster.kubectl(['apply', '-f', '-'], { stdin: MANIFEST });
    assert.equal(applied.code, 0, applied.stderr);
    let last = '';
    for (let i = 0; i < 100; i++) {
      const r = await client.agent.tcp('10.96.0.77', 80, 500);
      if (r.data === 'p1') return;
      last = r.err ?? r.data ?? '';
      await new Promise((res) => setTimeout(res, 50));
    }
    assert.fail(`never reached p1 through 10.96.0.77:80 (last: ${last})\n${cluster.logs()}`);
  });

  test('the table holds the Service; stopping kubesvc removes it', async () => {
    // A plain Service with one endpoint: the shared chain lb-1, its endpoint in the endpoints map.
    assert.match(node.nft(['list', 'map', 'ip', 'kubesvc', 'service-ips']), /10\.96\.0\.77 \. tcp \. 80 comment "default\/echo" : goto lb-1/);
    assert.match(node.nft(['list', 'map', 'ip', 'kubesvc', 'endpoints-tcp']), /10\.96\.0\.77 \. 80 \. 0 comment "default\/echo" : 10\.244\.\d+\.\d+ \. \d+/);
    const stopped = await cluster.stop();
    assert.equal(stopped.code, 0, stopped.stderr);
    assert.doesNotMatch(node.nft(['list', 'tables']), /kubesvc/);
  });
});
