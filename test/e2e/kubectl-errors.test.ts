// Errors exactly as the real kubectl prints them against a real cluster: NotFound, AlreadyExists,
// Conflict and Invalid, both through kubectl's generic error printer ("Error from server (...)",
// "The Service ... is invalid") and through commands that wrap the error themselves ("error: ...").
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Cluster, startCluster } from '../helpers/cluster.js';
import { fails, ok } from '../helpers/output.js';

const svc = (name: string, ports: string) => `apiVersion: v1
kind: Service
metadata:
  name: ${name}
spec:
  selector:
    app: x
  ports:
${ports}`;

describe('kubectl errors', () => {
  let c: Cluster;
  before(async () => {
    c = await startCluster();
  });
  after(() => c?.cleanup());

  test('NotFound', async () => {
    let r = await c.kubectl(['get', 'svc', 'nope']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'Error from server (NotFound): services "nope" not found\n');
    r = await c.kubectl(['delete', 'svc', 'nope']);
    assert.equal(fails(r), 'Error from server (NotFound): services "nope" not found\n');
    r = await c.kubectl(['get', 'deployment', 'nope']);
    assert.equal(fails(r), 'Error from server (NotFound): deployments.apps "nope" not found\n');
    r = await c.kubectl(['create', 'service', 'clusterip', 'lost', '--tcp=80', '-n', 'nowhere']);
    assert.equal(fails(r), 'error: failed to create ClusterIP service: namespaces "nowhere" not found\n');
    // Listing in a namespace that does not exist is not an error.
    r = await c.kubectl(['get', 'svc', '-n', 'nowhere']);
    assert.equal(r.code, 0);
    assert.equal(r.stderr, 'No resources found in nowhere namespace.\n');
  });

  test('AlreadyExists', async () => {
    const yaml = svc('dup', '  - port: 80\n');
    ok(await c.kubectl(['create', '-f', '-'], { stdin: yaml }));
    let r = await c.kubectl(['create', '-f', '-'], { stdin: yaml });
    assert.equal(fails(r), 'Error from server (AlreadyExists): error when creating "STDIN": services "dup" already exists\n');
    ok(await c.kubectl(['create', 'namespace', 'twice']));
    r = await c.kubectl(['create', 'namespace', 'twice']);
    assert.equal(fails(r), 'Error from server (AlreadyExists): namespaces "twice" already exists\n');
    r = await c.kubectl(['create', 'service', 'clusterip', 'dup', '--tcp=80']);
    assert.equal(fails(r), 'error: failed to create ClusterIP service: services "dup" already exists\n');
    ok(await c.kubectl(['create', 'deployment', 'web', '--image=nginx']));
    r = await c.kubectl(['create', 'deployment', 'web', '--image=nginx']);
    assert.equal(fails(r), 'error: failed to create deployment: deployments.apps "web" already exists\n');
  });

  test('Conflict: replace with a stale resourceVersion', async () => {
    ok(await c.kubectl(['create', '-f', '-'], { stdin: svc('racy', '  - port: 80\n') }));
    const stale = ok(await c.kubectl(['get', 'svc', 'racy', '-o', 'yaml']));
    ok(await c.kubectl(['label', 'svc', 'racy', 'moved=on']));
    const r = await c.kubectl(['replace', '-f', '-'], { stdin: stale });
    assert.equal(
      fails(r),
      'Error from server (Conflict): error when replacing "STDIN": Operation cannot be fulfilled on services "racy": ' +
        'the object has been modified; please apply your changes to the latest version and try again\n',
    );
  });

  test('Invalid: one error on one line, several as a list', async () => {
    let r = await c.kubectl(['create', '-f', '-'], { stdin: svc('bigport', '  - port: 70000\n    targetPort: 8080\n') });
    assert.equal(
      fails(r),
      'The Service "bigport" is invalid: spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive\n',
    );
    // Without a targetPort it defaults to the port, and both are reported.
    r = await c.kubectl(['create', '-f', '-'], { stdin: svc('bigport', '  - port: 70000\n') });
    assert.equal(
      fails(r),
      'The Service "bigport" is invalid: \n' +
        '* spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive\n' +
        '* spec.ports[0].targetPort: Invalid value: 70000: must be between 1 and 65535, inclusive\n',
    );
    r = await c.kubectl(['create', '-f', '-'], { stdin: svc('two', '  - port: 80\n  - port: 81\n') });
    assert.equal(
      fails(r),
      'The Service "two" is invalid: \n* spec.ports[0].name: Required value\n* spec.ports[1].name: Required value\n',
    );
    r = await c.kubectl(['create', 'service', 'nodeport', 'np', '--tcp=80:8080', '--node-port=8080']);
    assert.equal(
      fails(r),
      'error: failed to create NodePort service: Service "np" is invalid: spec.ports[0].nodePort: Invalid value: 8080: ' +
        'provided port is not in the valid range. The range of valid ports is 30000-32767\n',
    );
    ok(await c.kubectl(['create', 'service', 'nodeport', 'np', '--tcp=80:8080', '--node-port=30080']));
    r = await c.kubectl(['create', 'service', 'nodeport', 'np2', '--tcp=80:8080', '--node-port=30080']);
    assert.equal(
      fails(r),
      'error: failed to create NodePort service: Service "np2" is invalid: spec.ports[0].nodePort: Invalid value: 30080: ' +
        'provided port is already allocated\n',
    );
  });

  test('an unserved subresource is a 404 with empty details', async () => {
    ok(await c.kubectl(['run', 'dbg-target', '--image=nginx']));
    // kubectl reads the 404's details to tell a missing subresource from a missing pod (kubectl
    // debug panicked on a Status without them, when ephemeralcontainers was not served).
    const res = await fetch(`${c.url}/api/v1/namespaces/default/pods/dbg-target/frobnicate`);
    assert.equal(res.status, 404);
    assert.deepEqual(await res.json(), {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'the server could not find the requested resource',
      reason: 'NotFound',
      details: {},
      code: 404,
    });
  });
});
