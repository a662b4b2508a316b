// `kubectl auth whoami` and `kubectl auth can-i` with the real kubectl (protobuf review bodies).
// kubesvc authorizes nothing, so the answers are those of an AlwaysAllow cluster's admin.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Cluster, startCluster } from '../helpers/cluster.js';
import { ok, row, table } from '../helpers/output.js';

describe('kubectl auth', () => {
  let c: Cluster;
  before(async () => {
    c = await startCluster();
  });
  after(() => c?.cleanup());

  test('whoami names the admin and its groups', async () => {
    const out = ok(await c.kubectl(['auth', 'whoami']));
    assert.deepEqual(row(out, 'Username'), ['Username', 'system:admin']);
    assert.deepEqual(row(out, 'Groups'), ['Groups', '[system:masters system:authenticated]']);
    const obj = JSON.parse(ok(await c.kubectl(['auth', 'whoami', '-o', 'json']))) as { kind: string; status: { userInfo: { username: string } } };
    assert.equal(obj.kind, 'SelfSubjectReview');
    assert.equal(obj.status.userInfo.username, 'system:admin');
  });

  test('can-i answers yes for resources, subresources and non-resource URLs', async () => {
    for (const args of [
      ['create', 'pods'],
      ['delete', 'services', '-n', 'kube-system'],
      ['get', 'pods', '--subresource=log'],
      ['list', 'endpointslices.discovery.k8s.io', '--all-namespaces'],
      ['get', '/healthz'],
    ]) {
      const r = await c.kubectl(['auth', 'can-i', ...args]);
      assert.equal(r.code, 0, `can-i ${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stdout.trim(), 'yes', args.join(' '));
    }
  });

  test('can-i --list shows the wildcard rules', async () => {
    const out = ok(await c.kubectl(['auth', 'can-i', '--list']));
    const rows = table(out);
    assert.deepEqual(rows[0], ['Resources', 'Non-Resource URLs', 'Resource Names', 'Verbs']);
    assert.deepEqual(row(out, '*.*'), ['*.*', '[]', '[]', '[*]']);
    assert.ok(rows.some((r) => r.join(' | ') === '[*] | [] | [*]'), out);
  });

  test('a review with neither kind of attributes is 422 Invalid with the API server text', async () => {
    const res = await fetch(`${c.url}/apis/authorization.k8s.io/v1/selfsubjectaccessreviews`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'SelfSubjectAccessReview', apiVersion: 'authorization.k8s.io/v1', spec: {} }),
    });
    assert.equal(res.status, 422);
    const status = (await res.json()) as { reason: string; message: string };
    assert.equal(status.reason, 'Invalid');
    assert.equal(
      status.message,
      'SelfSubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified',
    );
  });

  test('reviews are not stored: GET and list are refused', async () => {
    const res = await fetch(`${c.url}/apis/authorization.k8s.io/v1/selfsubjectaccessreviews`);
    assert.equal(res.status, 405);
  });
});
