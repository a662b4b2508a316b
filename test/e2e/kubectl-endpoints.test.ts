// Services without a selector, whose endpoints the user writes (as for an external database):
// kubectl get/describe of Endpoints and EndpointSlices, and describe svc reading the slices.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Cluster, startCluster } from '../helpers/cluster.js';
import { ok, row, table } from '../helpers/output.js';

const AGE = /^\d+s$/;

const manifests = `apiVersion: v1
kind: Service
metadata:
  name: db
spec:
  ports:
  - name: postgres
    port: 5432
---
apiVersion: v1
kind: Endpoints
metadata:
  name: db
subsets:
- addresses:
  - ip: 10.1.2.3
  - ip: 10.1.2.4
  ports:
  - name: postgres
    port: 5432
---
apiVersion: v1
kind: Service
metadata:
  name: cache
spec:
  ports:
  - name: redis
    port: 6379
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: cache-1
  labels:
    kubernetes.io/service-name: cache
addressType: IPv4
ports:
- name: redis
  port: 6379
  protocol: TCP
endpoints:
- addresses: [10.1.2.5]
  conditions: {ready: true}
- addresses: [10.1.2.6]
  conditions: {ready: true}
`;

describe('user-managed Endpoints and EndpointSlices', () => {
  let c: Cluster;
  before(async () => {
    c = await startCluster();
    assert.equal(
      ok(await c.kubectl(['apply', '-f', '-'], { stdin: manifests })),
      'service/db created\nendpoints/db created\nservice/cache created\nendpointslice.discovery.k8s.io/cache-1 created\n',
    );
  });
  after(() => c?.cleanup());

  test('get endpoints', async () => {
    const out = ok(await c.kubectl(['get', 'endpoints', 'db']));
    assert.deepEqual(table(out)[0], ['NAME', 'ENDPOINTS', 'AGE']);
    const db = row(out, 'db');
    assert.equal(db?.[1], '10.1.2.3:5432,10.1.2.4:5432');
    assert.match(db?.[2] ?? '', AGE);
  });

  test('get endpointslices', async () => {
    const out = ok(await c.kubectl(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=cache']));
    assert.deepEqual(table(out)[0], ['NAME', 'ADDRESSTYPE', 'PORTS', 'ENDPOINTS', 'AGE']);
    const s = row(out, 'cache-1');
    assert.deepEqual(s?.slice(0, 4), ['cache-1', 'IPv4', '6379', '10.1.2.5,10.1.2.6']);
  });

  test('describe endpoints', async () => {
    const out = ok(await c.kubectl(['describe', 'endpoints', 'db']));
    assert.match(out, /^Name:\s+db$/m);
    assert.match(out, /^Subsets:$/m);
    assert.match(out, /^\s+Addresses:\s+10\.1\.2\.3,10\.1\.2\.4$/m);
    assert.match(out, /^\s+postgres\s+5432\s+TCP$/m);
  });

  test('describe svc shows the ready endpoints of its slices', async () => {
    const out = ok(await c.kubectl(['describe', 'svc', 'cache']));
    assert.match(out, /^Selector:\s+<none>$/m);
    assert.match(out, /^Port:\s+redis\s+6379\/TCP$/m);
    assert.match(out, /^Endpoints:\s+10\.1\.2\.5:6379,10\.1\.2\.6:6379$/m);
  });
});
