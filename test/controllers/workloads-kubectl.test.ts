// The real kubectl against the API server with the workload controllers, the scheduler and the
// garbage collector: create deployment, get, scale, set image, rollout status/history, delete.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEPLOYMENTS, PODS, REPLICASETS } from '../../src/client/index.js';
import { renderKubeconfig } from '../../src/cli/kubeconfig.js';
import { startControllers, type RunningControllers } from '../../src/controllers/index.js';
import { registryBinder } from '../../src/controllers/scheduler-binding.js';
import { silentLogger } from '../../src/util/log.js';
import { KUBECTL, run, type RunResult } from '../helpers/cluster.js';
import { startWorkloadCluster, until, type WorkloadCluster } from './workloads-harness.js';

describe('kubectl and workloads', () => {
  let c: WorkloadCluster;
  let controllers: RunningControllers;
  let home: string;
  const kubectl = async (...args: string[]): Promise<RunResult> =>
    run(KUBECTL, args, { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, KUBECACHEDIR: join(home, 'cache'), KUBECONFIG: join(home, 'kubeconfig') }, timeoutMs: 60_000 });
  const ok = async (...args: string[]): Promise<string> => {
    const r = await kubectl(...args);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const livePods = async () => (await c.client.resource(PODS).listAll({ namespace: 'default', labelSelector: 'app=web' })).items.filter((p) => !p.metadata?.deletionTimestamp);

  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'kubesvc-workloads-'));
    c = await startWorkloadCluster([], { listen: true });
    controllers = startControllers({ client: c.client, logger: silentLogger, bindPod: registryBinder(c.api.registry) });
    await controllers.ready;
    await writeFile(join(home, 'kubeconfig'), renderKubeconfig(`http://127.0.0.1:${c.api.port()}`));
  });
  after(async () => {
    await controllers?.stop();
    await c?.close();
    if (home) await rm(home, { recursive: true, force: true });
  });

  test('create deployment --replicas=3: 3 pods bound to the node, get deploy shows 3/3', async () => {
    assert.equal((await ok('create', 'deployment', 'web', '--image=nginx', '--replicas=3')).trim(), 'deployment.apps/web created');
    assert.match(await ok('rollout', 'status', 'deployment/web', '--timeout=60s'), /deployment "web" successfully rolled out/);
    const pods = await livePods();
    assert.equal(pods.length, 3);
    for (const p of pods) assert.equal(p.spec?.nodeName, 'node-1');
    const out = await ok('get', 'deploy', 'web');
    assert.match(out, /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\n/);
    assert.match(out, /\nweb\s+3\/3\s+3\s+3\s+\d+s\n/);
    const rs = await ok('get', 'rs', '-l', 'app=web', '-o', 'jsonpath={.items[*].metadata.name}');
    assert.match(rs, /^web-[bcdfghjklmnpqrstvwxz2456789]+$/);
    const podNames = await ok('get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[*].metadata.name}');
    for (const n of podNames.split(' ')) assert.match(n, new RegExp(`^${rs}-[bcdfghjklmnpqrstvwxz2456789]{5}$`));
    // Events, as kubectl describe shows them.
    await until(async () => (await ok('describe', 'deploy', 'web')).includes(`Scaled up replica set ${rs} from 0 to 3`), 20_000, () => ok('describe', 'deploy', 'web'));
    const describeDeploy = await ok('describe', 'deploy', 'web');
    assert.match(describeDeploy, new RegExp(`NewReplicaSet:\\s+${rs} \\(3/3 replicas created\\)`));
    assert.match(describeDeploy, /Replicas:\s+3 desired \| 3 updated \| 3 total \| 3 available \| 0 unavailable/);
    assert.match(describeDeploy, /Available\s+True\s+MinimumReplicasAvailable/);
    assert.match(describeDeploy, /Progressing\s+True\s+NewReplicaSetAvailable/);
    const describeRS = await ok('describe', 'rs', rs);
    assert.match(describeRS, /SuccessfulCreate\s+\S+\s+replicaset-controller\s+Created pod: /);
    const describePod = await ok('describe', 'pod', podNames.split(' ')[0]!);
    assert.match(describePod, new RegExp(`Scheduled\\s+\\S+\\s+default-scheduler\\s+Successfully assigned default/${podNames.split(' ')[0]} to node-1`));
  });

  test('kubectl scale to 5 and back to 2', async () => {
    assert.equal((await ok('scale', 'deployment', 'web', '--replicas=5')).trim(), 'deployment.apps/web scaled');
    await until(async () => (await livePods()).length === 5, 20_000, async () => String((await livePods()).length));
    assert.match(await ok('rollout', 'status', 'deployment/web', '--timeout=60s'), /successfully rolled out/);
    await ok('scale', 'deployment', 'web', '--replicas=2');
    await until(async () => (await livePods()).length === 2, 20_000, async () => String((await livePods()).length));
    await until(async () => (await c.client.resource(DEPLOYMENTS).get('default', 'web')).status?.replicas === 2, 20_000);
  });

  test('kubectl set image rolls to a new ReplicaSet; rollout status and history follow', async () => {
    assert.equal((await ok('set', 'image', 'deployment/web', 'nginx=nginx:1.27')).trim(), 'deployment.apps/web image updated');
    assert.match(await ok('rollout', 'status', 'deployment/web', '--timeout=60s'), /deployment "web" successfully rolled out/);
    const pods = await livePods();
    assert.equal(pods.length, 2);
    for (const p of pods) assert.equal(p.spec?.containers[0]?.image, 'nginx:1.27');
    const sets = (await c.client.resource(REPLICASETS).listAll({ namespace: 'default' })).items;
    assert.equal(sets.length, 2);
    assert.deepEqual(sets.map((s) => s.spec?.replicas).sort(), [0, 2]);
    const history = await ok('rollout', 'history', 'deployment/web');
    assert.match(history, /REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);
  });

  test('kubectl rollout undo goes back to the first ReplicaSet, which becomes revision 3', async () => {
    assert.equal((await ok('rollout', 'undo', 'deployment/web')).trim(), 'deployment.apps/web rolled back');
    assert.match(await ok('rollout', 'status', 'deployment/web', '--timeout=60s'), /successfully rolled out/);
    await until(async () => (await livePods()).every((p) => p.spec?.containers[0]?.image === 'nginx') && (await livePods()).length === 2, 20_000);
    const sets = (await c.client.resource(REPLICASETS).listAll({ namespace: 'default' })).items;
    assert.equal(sets.length, 2);
    const back = sets.find((s) => s.spec?.template?.spec?.containers[0]?.image === 'nginx')!;
    assert.equal(back.metadata?.annotations?.['deployment.kubernetes.io/revision'], '3');
    assert.equal(back.metadata?.annotations?.['deployment.kubernetes.io/revision-history'], '1');
    assert.equal(back.spec?.replicas, 2);
  });

  test('a StatefulSet: ordered pods, kubectl rollout status and scale', async () => {
    const manifest = `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  serviceName: db
  replicas: 2
  selector:
    matchLabels: {app: db}
  template:
    metadata:
      labels: {app: db}
    spec:
      containers:
      - name: pg
        image: postgres
`;
    const r = await run(KUBECTL, ['apply', '-f', '-'], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, KUBECACHEDIR: join(home, 'cache'), KUBECONFIG: join(home, 'kubeconfig') }, stdin: manifest });
    assert.equal(r.code, 0, r.stderr);
    assert.match(await ok('rollout', 'status', 'statefulset/db', '--timeout=60s'), /partitioned roll out complete|rolling update complete 2 pods at revision db-/);
    assert.equal(await ok('get', 'pods', '-l', 'app=db', '-o', 'jsonpath={.items[*].spec.hostname}'), 'db-0 db-1');
    await ok('scale', 'statefulset', 'db', '--replicas=1');
    await until(async () => (await ok('get', 'pods', '-l', 'app=db', '-o', 'jsonpath={.items[*].metadata.name}')) === 'db-0', 20_000);
    assert.match(await ok('get', 'sts', 'db'), /\ndb\s+1\/1\s+\d+s\n/);
    await ok('delete', 'statefulset', 'db');
    await until(async () => (await ok('get', 'pods', '-l', 'app=db', '-o', 'name')) === '', 20_000);
  });

  test('kubectl delete deployment removes its ReplicaSets and pods', async () => {
    assert.equal((await ok('delete', 'deployment', 'web')).trim(), 'deployment.apps "web" deleted');
    await until(async () => (await c.client.resource(REPLICASETS).listAll({ namespace: 'default' })).items.length === 0, 20_000, () => 'replica sets remain');
    await until(async () => (await c.client.resource(PODS).listAll({ namespace: 'default' })).items.length === 0, 20_000, () => 'pods remain');
    assert.match((await kubectl('get', 'pods')).stderr, /No resources found in default namespace/);
  });
});
