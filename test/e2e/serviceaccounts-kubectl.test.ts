// ServiceAccounts through the real kubectl against `kubesvc up`: the `default` account the
// serviceaccount-controller keeps in every namespace, `create serviceaccount`, the NAME SECRETS AGE
// columns, and pods that run as "default" unless they name another account.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Cluster, eventually, startCluster } from '../helpers/cluster.js';
import { fails, ok, row, table } from '../helpers/output.js';

describe('kubectl and serviceaccounts', () => {
  let c: Cluster;

  before(async () => {
    c = await startCluster();
  });
  after(async () => {
    await c?.cleanup();
  });

  test('api-resources lists serviceaccounts with the short name sa', async () => {
    assert.deepEqual(row(ok(await c.kubectl(['api-resources', '--api-group='])), 'serviceaccounts'), ['serviceaccounts', 'sa', 'v1', 'true', 'ServiceAccount']);
  });

  test('every namespace has a default ServiceAccount, new ones too, and a deleted one comes back', async () => {
    const all = await eventually(async () => {
      const out = ok(await c.kubectl(['get', 'sa', '-A']));
      return table(out).filter((r) => r[1] === 'default').length >= 4 ? out : '';
    });
    assert.deepEqual(table(all)[0], ['NAMESPACE', 'NAME', 'SECRETS', 'AGE']);
    for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) assert.ok(table(all).some((r) => r[0] === ns && r[1] === 'default' && r[2] === '0'), ns);

    ok(await c.kubectl(['create', 'namespace', 'team']));
    await eventually(async () => (await c.kubectl(['get', 'sa', 'default', '-n', 'team'])).code === 0);
    const uid = ok(await c.kubectl(['get', 'sa', 'default', '-n', 'team', '-o', 'jsonpath={.metadata.uid}']));
    assert.equal(ok(await c.kubectl(['delete', 'sa', 'default', '-n', 'team'])), 'serviceaccount "default" deleted\n');
    const again = await eventually(async () => {
      const r = await c.kubectl(['get', 'sa', 'default', '-n', 'team', '-o', 'jsonpath={.metadata.uid}']);
      return r.code === 0 && r.stdout !== uid ? r.stdout : '';
    });
    assert.ok(again, 'the default ServiceAccount is created again, with a new uid');
  });

  test('create serviceaccount, get, describe, apply with secrets', async () => {
    assert.equal(ok(await c.kubectl(['create', 'serviceaccount', 'builder'])), 'serviceaccount/builder created\n');
    assert.deepEqual(table(ok(await c.kubectl(['get', 'sa', 'builder'])))[0], ['NAME', 'SECRETS', 'AGE']);
    assert.match(fails(await c.kubectl(['create', 'sa', 'builder'])), /^error: failed to create serviceaccount: serviceaccounts "builder" already exists$/m);
    const described = ok(await c.kubectl(['describe', 'sa', 'builder']));
    assert.match(described, /^Name:\s+builder$/m);
    assert.match(described, /^Mountable secrets:\s+<none>$/m);
    const yaml = `apiVersion: v1
kind: ServiceAccount
metadata:
  name: deployer
secrets:
- name: one
imagePullSecrets:
- name: pull
automountServiceAccountToken: false
`;
    assert.equal(ok(await c.kubectl(['apply', '-f', '-'], { stdin: yaml })), 'serviceaccount/deployer created\n');
    assert.equal(ok(await c.kubectl(['apply', '-f', '-'], { stdin: yaml })), 'serviceaccount/deployer unchanged\n');
    assert.deepEqual(row(ok(await c.kubectl(['get', 'sa', 'deployer'])), 'deployer')?.slice(0, 2), ['deployer', '1']);
  });

  test('pods run as "default" unless they name an account (serviceAccount mirrors it)', async () => {
    ok(await c.kubectl(['run', 'plain', '--image=busybox', '--', 'sleep', '1']));
    assert.equal(ok(await c.kubectl(['get', 'pod', 'plain', '-o', 'jsonpath={.spec.serviceAccountName}/{.spec.serviceAccount}'])), 'default/default');
    ok(await c.kubectl(['run', 'named', '--image=busybox', '--overrides={"spec":{"serviceAccountName":"builder"}}', '--', 'sleep', '1']));
    assert.equal(ok(await c.kubectl(['get', 'pod', 'named', '-o', 'jsonpath={.spec.serviceAccountName}/{.spec.serviceAccount}'])), 'builder/builder');
  });
});
