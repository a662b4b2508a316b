// Discovery and OpenAPI as the real kubectl consumes them: api-resources, short names, explain.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Cluster, startCluster } from '../helpers/cluster.js';
import { ok, row, table } from '../helpers/output.js';

describe('kubectl discovery and explain', () => {
  let c: Cluster;
  before(async () => {
    c = await startCluster();
  });
  after(() => c?.cleanup());

  test('api-resources lists the served kinds with short names and scope', async () => {
    const out = ok(await c.kubectl(['api-resources']));
    assert.deepEqual(table(out)[0], ['NAME', 'SHORTNAMES', 'APIVERSION', 'NAMESPACED', 'KIND']);
    assert.deepEqual(row(out, 'services'), ['services', 'svc', 'v1', 'true', 'Service']);
    assert.deepEqual(row(out, 'endpoints'), ['endpoints', 'ep', 'v1', 'true', 'Endpoints']);
    assert.deepEqual(row(out, 'namespaces'), ['namespaces', 'ns', 'v1', 'false', 'Namespace']);
    assert.deepEqual(row(out, 'pods'), ['pods', 'po', 'v1', 'true', 'Pod']);
    assert.deepEqual(row(out, 'deployments'), ['deployments', 'deploy', 'apps/v1', 'true', 'Deployment']);
    assert.deepEqual(row(out, 'endpointslices'), ['endpointslices', 'discovery.k8s.io/v1', 'true', 'EndpointSlice']);
    const names = ok(await c.kubectl(['api-resources', '--api-group=apps', '-o', 'name']));
    assert.ok(names.split('\n').includes('deployments.apps'), names);
  });

  test('short names and categories resolve', async () => {
    assert.match(ok(await c.kubectl(['get', 'svc,ns', '-o', 'name'])), /^service\/kubernetes$/m);
    assert.match(ok(await c.kubectl(['get', 'all', '-o', 'name'])), /^service\/kubernetes$/m);
  });

  test('explain service.spec.ports', async () => {
    const out = ok(await c.kubectl(['explain', 'service.spec.ports']));
    for (const re of [
      /^KIND:\s+Service$/m,
      /^VERSION:\s+v1$/m,
      /^FIELD: ports <\[\]ServicePort>$/m,
      /^DESCRIPTION:$/m,
      /The list of ports that are exposed by this service\./,
      /^FIELDS:$/m,
      /^ {2}name\t<string>$/m,
      /^ {2}nodePort\t<integer>$/m,
      /^ {2}port\t<integer> -required-$/m,
      /^ {2}protocol\t<string>$/m,
      /^ {2}targetPort\t<IntOrString>$/m,
    ]) {
      assert.match(out, re);
    }
  });
});
