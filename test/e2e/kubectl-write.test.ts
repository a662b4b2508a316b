// What a user sees from the real kubectl's write commands: apply (client- and server-side), edit,
// patch (strategic, merge, json, no-op), create, expose, scale, label, annotate and delete.
import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Cluster, startCluster } from '../helpers/cluster.js';
import { fails, json, ok, row, table } from '../helpers/output.js';

interface Svc {
  metadata: { name: string; resourceVersion: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: { selector?: Record<string, string>; ports: { name?: string; port: number; targetPort?: number | string; nodePort?: number }[]; sessionAffinity?: string; type?: string };
}

const serviceYAML = (name: string, targetPort: number, labels = 'app: shop') => `apiVersion: v1
kind: Service
metadata:
  name: ${name}
  labels:
    ${labels}
spec:
  selector:
    app: shop
  ports:
  - name: http
    port: 80
    targetPort: ${targetPort}
`;

describe('kubectl writes', () => {
  let c: Cluster;
  let tmp: string;
  const get = async (name: string, ns = 'default') => json<Svc>(await c.kubectl(['get', 'svc', name, '-n', ns, '-o', 'json']));

  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'kubesvc-e2e-write-'));
    c = await startCluster();
  });
  after(async () => {
    await c?.cleanup();
    await rm(tmp, { recursive: true, force: true });
  });

  test('apply: created, unchanged, configured', async () => {
    assert.equal(ok(await c.kubectl(['apply', '-f', '-'], { stdin: serviceYAML('shop', 8080) })), 'service/shop created\n');
    const first = await get('shop');
    assert.ok(first.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration']);
    assert.equal(ok(await c.kubectl(['apply', '-f', '-'], { stdin: serviceYAML('shop', 8080) })), 'service/shop unchanged\n');
    assert.equal((await get('shop')).metadata.resourceVersion, first.metadata.resourceVersion, 'a no-op apply writes nothing');
    assert.equal(ok(await c.kubectl(['apply', '-f', '-'], { stdin: serviceYAML('shop', 9090) })), 'service/shop configured\n');
    const changed = await get('shop');
    assert.equal(changed.spec.ports[0].targetPort, 9090);
    assert.ok(Number(changed.metadata.resourceVersion) > Number(first.metadata.resourceVersion));
  });

  test('apply --server-side: creates, then updates', async () => {
    assert.equal(ok(await c.kubectl(['apply', '--server-side', '-f', '-'], { stdin: serviceYAML('ssa', 8080) })), 'service/ssa serverside-applied\n');
    assert.equal(ok(await c.kubectl(['apply', '--server-side', '-f', '-'], { stdin: serviceYAML('ssa', 7070) })), 'service/ssa serverside-applied\n');
    const s = await get('ssa');
    assert.equal(s.spec.ports[0].targetPort, 7070);
    assert.deepEqual(s.metadata.labels, { app: 'shop' });
  });

  test('edit: the editor changes a field, kubectl says edited', async () => {
    const editor = join(tmp, 'editor.sh');
    await writeFile(editor, '#!/bin/sh\nsed -i "s/^    targetPort: 9090$/    targetPort: 9191/" "$1"\n');
    await chmod(editor, 0o755);
    const r = await c.kubectl(['edit', 'svc', 'shop'], { env: { KUBE_EDITOR: editor, EDITOR: editor } });
    assert.equal(ok(r), 'service/shop edited\n');
    assert.equal((await get('shop')).spec.ports[0].targetPort, 9191);
  });

  test('patch: strategic (default), merge, json, and a no-op', async () => {
    assert.equal(ok(await c.kubectl(['patch', 'svc', 'shop', '-p', '{"metadata":{"labels":{"tier":"front"}}}'])), 'service/shop patched\n');
    assert.equal((await get('shop')).metadata.labels?.tier, 'front');
    // Strategic merge keys ports by port: this adds a port rather than replacing the list, and
    // (as apimachinery orders a merged list) items only in the patch come before server-only ones.
    ok(await c.kubectl(['patch', 'svc', 'shop', '-p', '{"spec":{"ports":[{"name":"metrics","port":9100}]}}']));
    assert.deepEqual(
      (await get('shop')).spec.ports.map((p) => p.port),
      [9100, 80],
    );
    assert.equal(
      ok(await c.kubectl(['patch', 'svc', 'shop', '--type=merge', '-p', '{"spec":{"sessionAffinity":"ClientIP"}}'])),
      'service/shop patched\n',
    );
    assert.equal((await get('shop')).spec.sessionAffinity, 'ClientIP');
    assert.equal(
      ok(await c.kubectl(['patch', 'svc', 'shop', '--type=json', '-p', '[{"op":"replace","path":"/spec/ports/1/port","value":8000}]'])),
      'service/shop patched\n',
    );
    assert.deepEqual(
      (await get('shop')).spec.ports.map((p) => p.port),
      [9100, 8000],
    );
    const rv = (await get('shop')).metadata.resourceVersion;
    assert.equal(
      ok(await c.kubectl(['patch', 'svc', 'shop', '-p', '{"metadata":{"labels":{"tier":"front"}}}'])),
      'service/shop patched (no change)\n',
    );
    assert.equal((await get('shop')).metadata.resourceVersion, rv);
  });

  test('create namespace, service, deployment', async () => {
    assert.equal(ok(await c.kubectl(['create', 'namespace', 'apps'])), 'namespace/apps created\n');
    assert.equal(ok(await c.kubectl(['create', 'service', 'clusterip', 'db', '--tcp=5432', '-n', 'apps'])), 'service/db created\n');
    const db = await get('db', 'apps');
    assert.deepEqual(db.spec.ports, [{ name: '5432', port: 5432, protocol: 'TCP', targetPort: 5432 }]);
    assert.equal(
      ok(await c.kubectl(['create', 'deployment', 'web', '--image=nginx', '--replicas=3', '--port=8080', '-n', 'apps'])),
      'deployment.apps/web created\n',
    );
    const d = json<{ spec: { replicas: number; selector: { matchLabels: Record<string, string> } } }>(
      await c.kubectl(['get', 'deployment', 'web', '-n', 'apps', '-o', 'json']),
    );
    assert.equal(d.spec.replicas, 3);
    assert.deepEqual(d.spec.selector.matchLabels, { app: 'web' });
    const listed = ok(await c.kubectl(['get', 'deployments', '-n', 'apps']));
    assert.deepEqual(table(listed)[0], ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE']);
    assert.match(row(listed, 'web')?.[1] ?? '', /^\d+\/3$/);
  });

  test('expose deployment makes a Service selecting its pods', async () => {
    // Without --port, the port is copied from the container's port.
    assert.equal(ok(await c.kubectl(['expose', 'deployment', 'web', '-n', 'apps'])), 'service/web exposed\n');
    const s = await get('web', 'apps');
    assert.deepEqual(s.spec.selector, { app: 'web' });
    assert.equal(s.spec.ports[0].port, 8080);
    assert.equal(s.spec.ports[0].targetPort, 8080);
    assert.equal(
      ok(await c.kubectl(['expose', 'deployment', 'web', '--name=web-np', '--port=80', '--target-port=8080', '--type=NodePort', '-n', 'apps'])),
      'service/web-np exposed\n',
    );
    const np = await get('web-np', 'apps');
    assert.equal(np.spec.type, 'NodePort');
    assert.ok((np.spec.ports[0].nodePort ?? 0) >= 30000 && (np.spec.ports[0].nodePort ?? 0) <= 32767);
  });

  test('scale', async () => {
    assert.equal(ok(await c.kubectl(['scale', 'deployment', 'web', '--replicas=5', '-n', 'apps'])), 'deployment.apps/web scaled\n');
    assert.equal(ok(await c.kubectl(['get', 'deployment', 'web', '-n', 'apps', '-o', 'jsonpath={.spec.replicas}'])), '5');
  });

  test('label and annotate', async () => {
    assert.equal(ok(await c.kubectl(['label', 'svc', 'db', 'team=data', '-n', 'apps'])), 'service/db labeled\n');
    assert.equal(ok(await c.kubectl(['annotate', 'svc', 'db', 'owner=alice', '-n', 'apps'])), 'service/db annotated\n');
    const db = await get('db', 'apps');
    assert.equal(db.metadata.labels?.team, 'data');
    assert.equal(db.metadata.annotations?.owner, 'alice');
    const clash = fails(await c.kubectl(['label', 'svc', 'db', 'team=web', '-n', 'apps']));
    assert.equal(clash, "error: 'team' already has a value (data), and --overwrite is false\n");
    assert.equal(ok(await c.kubectl(['label', 'svc', 'db', 'team-', '-n', 'apps'])), 'service/db unlabeled\n');
    assert.equal((await get('db', 'apps')).metadata.labels?.team, undefined);
  });

  test('delete by name, -f, -l, and a namespace', async () => {
    assert.equal(ok(await c.kubectl(['delete', 'svc', 'ssa'])), 'service "ssa" deleted\n');
    assert.equal(ok(await c.kubectl(['delete', '-f', '-'], { stdin: serviceYAML('shop', 1) })), 'service "shop" deleted\n');
    ok(await c.kubectl(['create', 'service', 'clusterip', 'tmp-a', '--tcp=80']));
    ok(await c.kubectl(['create', 'service', 'clusterip', 'tmp-b', '--tcp=80']));
    ok(await c.kubectl(['label', 'svc', 'tmp-a', 'tmp-b', 'batch=old']));
    assert.equal(ok(await c.kubectl(['delete', 'svc', '-l', 'batch=old'])), 'service "tmp-a" deleted\nservice "tmp-b" deleted\n');
    const left = ok(await c.kubectl(['get', 'svc', '-o', 'name']));
    assert.equal(left, 'service/kubernetes\n');
    // Deleting a namespace removes what is in it; kubectl waits until the namespace is gone.
    assert.equal(ok(await c.kubectl(['delete', 'namespace', 'apps'], { timeoutMs: 60_000 })), 'namespace "apps" deleted\n');
    const gone = await c.kubectl(['get', 'namespace', 'apps']);
    assert.equal(gone.stderr, 'Error from server (NotFound): namespaces "apps" not found\n');
  });
});
