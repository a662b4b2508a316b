// Against `kubesvc up` (controllers and scheduler in-process) with the real kubectl. There is no
// node agent yet, so the test plays it through the API, as its issue says: it registers a Node
// with a Ready condition, reports pods Running and Ready through pods/status, and finishes the
// graceful deletion of pods bound to the node (what a kubelet does once containers stopped).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Cluster, sleep, startCluster } from '../helpers/cluster.js';
import { ok, table } from '../helpers/output.js';

interface PodList {
  items: { metadata: { name: string; deletionTimestamp?: string }; spec: { nodeName?: string; containers: { image: string }[] }; status?: { phase?: string } }[];
}

/** Runs `fn` until it stops throwing; after `ms`, throws its last error. */
async function eventually<T>(fn: () => Promise<T>, ms: number, intervalMs = 100): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      if (Date.now() > end) throw e;
      await sleep(intervalMs);
    }
  }
}

describe('workloads against kubesvc up', () => {
  let c: Cluster;
  const k = async (...args: string[]) => ok(await c.kubectl(args), `kubectl ${args.join(' ')}`);
  const pods = async (selector: string): Promise<PodList['items']> => (JSON.parse(await k('get', 'pods', '-l', selector, '-o', 'json')) as PodList).items;

  /** The node agent's part: Ready for every bound pod not yet Running; finish terminating ones. */
  async function kubelet(selector: string): Promise<void> {
    for (const p of await pods(selector)) {
      if (!p.spec.nodeName) continue;
      if (p.metadata.deletionTimestamp) {
        await c.kubectl(['delete', 'pod', p.metadata.name, '--grace-period=0', '--force', '--wait=false']);
      } else if (p.status?.phase !== 'Running') {
        const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
        const status = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }, { type: 'ContainersReady', status: 'True', lastTransitionTime: now }] };
        await c.kubectl(['patch', 'pod', p.metadata.name, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status })]);
      }
    }
  }

  before(async () => {
    c = await startCluster();
    const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1' } };
    ok(await c.kubectl(['apply', '-f', '-'], { stdin: JSON.stringify(node) }));
    const status = { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }] };
    await k('patch', 'node', 'node-1', '--subresource=status', '--type=merge', '-p', JSON.stringify({ status }));
  });
  after(async () => {
    await c?.cleanup();
  });

  test('create deployment --replicas=3: three pods bound to the node; rollout status completes once they are Ready', async () => {
    assert.equal((await k('create', 'deployment', 'web', '--image=nginx', '--replicas=3')).trim(), 'deployment.apps/web created');
    const bound = await eventually(async () => {
      const ps = await pods('app=web');
      if (ps.length !== 3 || ps.some((p) => p.spec.nodeName !== 'node-1')) throw new Error(`pods: ${JSON.stringify(ps.map((p) => [p.metadata.name, p.spec.nodeName]))}`);
      return ps;
    }, 30_000);
    assert.equal(bound.length, 3);
    const waiting = c.kubectlStream(['rollout', 'status', 'deployment/web', '--timeout=60s']);
    await waiting.waitFor(/Waiting for deployment "web" rollout to finish: 0 of 3 updated replicas are available/, 30_000);
    await kubelet('app=web');
    await waiting.waitFor(/deployment "web" successfully rolled out/, 30_000);
    await waiting.stop();
    const row = table(await k('get', 'deploy', 'web')).find((r) => r[0] === 'web');
    assert.deepEqual(row?.slice(0, 4), ['web', '3/3', '3', '3']);
  });

  test('kubectl scale and kubectl set image roll as Kubernetes does', async () => {
    assert.equal((await k('scale', 'deployment', 'web', '--replicas=4')).trim(), 'deployment.apps/web scaled');
    await eventually(async () => {
      await kubelet('app=web');
      const d = JSON.parse(await k('get', 'deploy', 'web', '-o', 'json')) as { status: { availableReplicas?: number } };
      if (d.status.availableReplicas !== 4) throw new Error(JSON.stringify(d.status));
    }, 30_000);
    assert.equal((await k('set', 'image', 'deployment/web', 'nginx=nginx:1.27')).trim(), 'deployment.apps/web image updated');
    await eventually(async () => {
      await kubelet('app=web');
      const live = (await pods('app=web')).filter((p) => !p.metadata.deletionTimestamp);
      if (live.length !== 4 || live.some((p) => p.spec.containers[0]!.image !== 'nginx:1.27')) throw new Error(JSON.stringify(live.map((p) => p.spec.containers[0]!.image)));
    }, 60_000, 200);
    assert.match(await k('rollout', 'status', 'deployment/web', '--timeout=30s'), /successfully rolled out/);
    const rs = table(await k('get', 'rs', '-l', 'app=web')).slice(1);
    assert.equal(rs.length, 2);
    assert.deepEqual(rs.map((r) => r[1]).sort(), ['0', '4']);
  });

  test('deleting the Deployment removes its ReplicaSets and pods', async () => {
    assert.equal((await k('delete', 'deployment', 'web')).trim(), 'deployment.apps "web" deleted');
    await eventually(async () => {
      await kubelet('app=web');
      const left = (await k('get', 'rs,pods', '-l', 'app=web', '-o', 'name')).trim();
      if (left) throw new Error(left);
    }, 30_000, 200);
  });
});
