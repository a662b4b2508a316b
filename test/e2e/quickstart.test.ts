// The README's quick start, command by command, with the controllers `kubesvc up` runs: the
// Deployment gets a ReplicaSet and Pods, the Service gets an Endpoints object and an EndpointSlice.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Cluster, eventually, startCluster } from '../helpers/cluster.js';
import { ok, row, table } from '../helpers/output.js';

describe('README quick start', () => {
  let c: Cluster;
  before(async () => {
    c = await startCluster();
  });
  after(() => c?.cleanup());

  test('get ns, create deployment, expose, get svc,endpoints', async () => {
    const ns = ok(await c.kubectl(['get', 'ns']));
    for (const n of ['default', 'kube-node-lease', 'kube-public', 'kube-system']) assert.equal(row(ns, n)?.[1], 'Active', ns);

    assert.equal(ok(await c.kubectl(['create', 'deployment', 'web', '--image=nginx', '--replicas=3'])), 'deployment.apps/web created\n');
    assert.equal(ok(await c.kubectl(['expose', 'deployment', 'web', '--port=80'])), 'service/web exposed\n');

    // The deployment and replicaset controllers make three Pods named <deployment>-<hash>-<suffix>.
    const pods = await eventually(async () => {
      const names = ok(await c.kubectl(['get', 'pods', '-l', 'app=web', '-o', 'name'])).split('\n').filter(Boolean);
      return names.length === 3 ? names : undefined;
    }, 20_000);
    assert.ok(pods, 'three pods');
    for (const p of pods) assert.match(p, /^pod\/web-[a-z0-9]{6,10}-[a-z0-9]{5}$/);
    const rs = table(ok(await c.kubectl(['get', 'rs', '-l', 'app=web'])));
    assert.deepEqual(rs[0], ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE']);
    assert.deepEqual(rs[1]?.slice(1, 3), ['3', '3']);

    // The endpoints controllers give the Service its Endpoints and EndpointSlice.
    const out = await eventually(async () => {
      const r = await c.kubectl(['get', 'svc,endpoints', 'web']);
      return r.code === 0 && /^endpoints\/web\s/m.test(r.stdout) ? r.stdout : undefined;
    }, 20_000);
    assert.ok(out, 'endpoints/web appears');
    assert.match(out, /^service\/web\s+ClusterIP\s+10\.\S+\s+<none>\s+80\/TCP\s+\d+s$/m);
    const slices = await eventually(async () => ok(await c.kubectl(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=web', '-o', 'name'])), 20_000);
    assert.match(slices, /^endpointslice\.discovery\.k8s\.io\/web-[a-z0-9]{5}$/m);
  });
});
