// What a user sees from the real kubectl's read commands: get (plain, wide, yaml, json, -A,
// --show-labels, -l, -w) and describe.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parse } from 'yaml';
import { type Cluster, eventually, startCluster } from '../helpers/cluster.js';
import { json, ok, row, table } from '../helpers/output.js';

const AGE = /^\d+s$/;
const SERVICE_IP = /^10\.(9[6-9]|10[0-9]|11[01])\.\d{1,3}\.\d{1,3}$/; // inside 10.96.0.0/12

describe('kubectl get and describe', () => {
  let c: Cluster;
  before(async () => {
    c = await startCluster();
    ok(await c.kubectl(['create', 'namespace', 'shop']));
    ok(await c.kubectl(['create', 'service', 'clusterip', 'web', '--tcp=80:8080']));
    ok(await c.kubectl(['create', 'service', 'nodeport', 'cart', '--tcp=80:8080', '-n', 'shop']));
    ok(await c.kubectl(['create', 'service', 'loadbalancer', 'edge', '--tcp=443:8443']));
    ok(await c.kubectl(['create', 'service', 'externalname', 'docs', '--external-name=docs.example.com']));
    // The service-lb-controller gives the LoadBalancer its address from the pool (10.250.0.0/24).
    await eventually(async () => ok(await c.kubectl(['get', 'svc', 'edge', '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}'])));
  });
  after(() => c?.cleanup());

  test('get svc: the columns users know', async () => {
    const out = ok(await c.kubectl(['get', 'svc']));
    const t = table(out);
    assert.deepEqual(t[0], ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE']);
    const k = row(out, 'kubernetes');
    assert.deepEqual(k?.slice(0, 5), ['kubernetes', 'ClusterIP', '10.96.0.1', '<none>', '443/TCP']);
    const web = row(out, 'web');
    assert.ok(web, out);
    assert.equal(web[1], 'ClusterIP');
    assert.match(web[2], SERVICE_IP);
    assert.deepEqual(web.slice(3, 5), ['<none>', '80/TCP']);
    assert.match(web[5], AGE);
    const edge = row(out, 'edge');
    assert.deepEqual([edge?.[1], edge?.[3]], ['LoadBalancer', '10.250.0.1']);
    assert.match(edge?.[4] ?? '', /^443:3\d{4}\/TCP$/);
    const docs = row(out, 'docs');
    assert.deepEqual(docs?.slice(1, 5), ['ExternalName', '<none>', 'docs.example.com', '<none>']);
    assert.equal(row(out, 'cart'), undefined, 'cart lives in namespace shop');
  });

  test('get svc -o wide adds SELECTOR', async () => {
    const out = ok(await c.kubectl(['get', 'svc', '-o', 'wide']));
    assert.deepEqual(table(out)[0], ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE', 'SELECTOR']);
    assert.equal(row(out, 'web')?.[6], 'app=web');
    assert.equal(row(out, 'kubernetes')?.[6], '<none>');
  });

  test('get svc -o yaml: the stored object with its defaults', async () => {
    const svc = parse(ok(await c.kubectl(['get', 'svc', 'web', '-o', 'yaml'])));
    assert.equal(svc.apiVersion, 'v1');
    assert.equal(svc.kind, 'Service');
    assert.equal(svc.metadata.name, 'web');
    assert.equal(svc.metadata.namespace, 'default');
    assert.deepEqual(svc.metadata.labels, { app: 'web' });
    assert.match(svc.metadata.uid, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.match(svc.metadata.resourceVersion, /^\d+$/);
    assert.match(svc.metadata.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.deepEqual(svc.spec.ports, [{ name: '80-8080', port: 80, protocol: 'TCP', targetPort: 8080 }]);
    assert.deepEqual(svc.spec.selector, { app: 'web' });
    assert.equal(svc.spec.type, 'ClusterIP');
    assert.equal(svc.spec.sessionAffinity, 'None');
    assert.deepEqual(svc.spec.clusterIPs, [svc.spec.clusterIP]);
    assert.deepEqual(svc.spec.ipFamilies, ['IPv4']);
    assert.equal(svc.spec.ipFamilyPolicy, 'SingleStack');
    assert.equal(svc.spec.internalTrafficPolicy, 'Cluster');
    assert.deepEqual(svc.status, { loadBalancer: {} });
  });

  test('get svc -o json: a List of the namespace\'s Services', async () => {
    const list = json<{ kind: string; apiVersion: string; items: { kind: string; metadata: { name: string } }[] }>(
      await c.kubectl(['get', 'svc', '-o', 'json']),
    );
    assert.equal(list.kind, 'List');
    assert.equal(list.apiVersion, 'v1');
    assert.deepEqual(list.items.map((i) => i.metadata.name).sort(), ['docs', 'edge', 'kubernetes', 'web']);
    for (const i of list.items) assert.equal(i.kind, 'Service');
  });

  test('get svc -A: every namespace, with a NAMESPACE column', async () => {
    const out = ok(await c.kubectl(['get', 'svc', '-A']));
    assert.deepEqual(table(out)[0], ['NAMESPACE', 'NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE']);
    const cart = row(out, 'cart', 1);
    assert.equal(cart?.[0], 'shop');
    assert.equal(cart?.[2], 'NodePort');
    assert.match(cart?.[5] ?? '', /^80:3\d{4}\/TCP$/);
    assert.equal(row(out, 'kubernetes', 1)?.[0], 'default');
  });

  test('get svc --show-labels and -l', async () => {
    const out = ok(await c.kubectl(['get', 'svc', '--show-labels']));
    assert.equal(table(out)[0].at(-1), 'LABELS');
    assert.equal(row(out, 'web')?.at(-1), 'app=web');
    assert.equal(row(out, 'kubernetes')?.at(-1), 'component=apiserver,provider=kubernetes');

    const sel = ok(await c.kubectl(['get', 'svc', '-l', 'app=web', '-o', 'name']));
    assert.equal(sel, 'service/web\n');
    const setBased = ok(await c.kubectl(['get', 'svc', '-l', 'app in (web,edge),app!=edge', '-o', 'name']));
    assert.equal(setBased, 'service/web\n');
    const none = await c.kubectl(['get', 'svc', '-l', 'app=nothing']);
    assert.equal(none.code, 0);
    assert.equal(none.stdout, '');
    assert.equal(none.stderr, 'No resources found in default namespace.\n');
  });

  test('get svc -w: prints the table, then a line per change', async () => {
    const w = c.kubectlStream(['get', 'svc', '-w']);
    try {
      await w.waitFor(/^web\s+ClusterIP/m);
      ok(await c.kubectl(['create', 'service', 'clusterip', 'late', '--tcp=81']));
      await w.waitFor(/^late\s+ClusterIP\s+10\.\S+\s+<none>\s+81\/TCP\s+\d+s$/m);
      ok(await c.kubectl(['label', 'svc', 'web', 'watched=yes']));
      await w.waitFor(/^web\s[^\n]*\n(?:[^\n]*\n)*web\s+ClusterIP/m);
    } finally {
      await w.stop();
    }
    ok(await c.kubectl(['delete', 'svc', 'late']));
  });

  test('describe svc', async () => {
    const ip = ok(await c.kubectl(['get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}']));
    const out = ok(await c.kubectl(['describe', 'svc', 'web']));
    const expect = [
      /^Name:\s+web$/m,
      /^Namespace:\s+default$/m,
      /^Labels:\s+app=web$/m,
      /^Annotations:\s+<none>$/m,
      /^Selector:\s+app=web$/m,
      /^Type:\s+ClusterIP$/m,
      /^IP Family Policy:\s+SingleStack$/m,
      /^IP Families:\s+IPv4$/m,
      new RegExp(`^IP:\\s+${ip.replace(/\./g, '\\.')}$`, 'm'),
      new RegExp(`^IPs:\\s+${ip.replace(/\./g, '\\.')}$`, 'm'),
      /^Port:\s+80-8080\s+80\/TCP$/m,
      /^TargetPort:\s+8080\/TCP$/m,
      // No pod matches app=web: the slice has no endpoints (or no slice exists yet).
      /^Endpoints:\s*(<none>)?$/m,
      /^Session Affinity:\s+None$/m,
      /^Internal Traffic Policy:\s+Cluster$/m,
      // kubesvc's endpointslice controller may explain the missing endpoints with an event (habit 10).
      /^Events:(\s+<none>|\n\s+Type\s+Reason\s+Age\s+From\s+Message)$/m,
    ];
    for (const re of expect) assert.match(out, re);

    const np = ok(await c.kubectl(['describe', 'svc', 'cart', '-n', 'shop']));
    assert.match(np, /^Type:\s+NodePort$/m);
    assert.match(np, /^NodePort:\s+80-8080\s+3\d{4}\/TCP$/m);
    assert.match(np, /^External Traffic Policy:\s+Cluster$/m);
  });
});
