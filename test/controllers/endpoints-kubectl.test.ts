// The seeds' label-mismatch exercise with the real kubectl against `kubesvc up` (controllers
// running in it): a Service whose selector matches nothing has empty Endpoints and a warning
// event in `kubectl describe svc`; `kubectl patch` fixes the selector and the endpoints appear;
// readiness set through the status subresource moves them; deleting the Service removes its slices.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Cluster, eventually, startCluster } from '../helpers/cluster.js';
import { json, ok } from '../helpers/output.js';

const NODE = 'e2e-endpoints-node';

const manifests = `apiVersion: v1
kind: Node
metadata:
  name: ${NODE}
  labels:
    topology.kubernetes.io/zone: zone-e2e
---
apiVersion: v1
kind: Pod
metadata:
  name: checkout-1
  labels: {app: checkout-service}
spec:
  nodeName: ${NODE}
  containers:
  - name: app
    image: nginx
    ports: [{name: http, containerPort: 8080}]
---
apiVersion: v1
kind: Pod
metadata:
  name: checkout-2
  labels: {app: checkout-service}
spec:
  nodeName: ${NODE}
  containers:
  - name: app
    image: nginx
    ports: [{name: http, containerPort: 8080}]
---
apiVersion: v1
kind: Service
metadata:
  name: checkout
spec:
  selector: {app: checkout}
  ports:
  - name: http
    port: 80
    targetPort: http
`;

interface Addr {
  ip: string;
}
interface EndpointsJSON {
  subsets?: { addresses?: Addr[]; notReadyAddresses?: Addr[] }[];
}
interface SliceListJSON {
  items: { metadata: { name: string }; endpoints?: { addresses: string[]; conditions?: { ready?: boolean } }[] }[];
}

function statusPatch(ip: string, ready: boolean): string {
  return JSON.stringify({
    status: {
      phase: 'Running',
      podIP: ip,
      podIPs: [{ ip }],
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }],
    },
  });
}

describe('endpoints with kubectl against kubesvc up', () => {
  let c: Cluster;
  before(async () => {
    c = await startCluster({ args: ['--store', 'memory'] });
  });
  after(async () => {
    await c?.cleanup();
  });

  const endpoints = async () => json<EndpointsJSON>(await c.kubectl(['get', 'endpoints', 'checkout', '-o', 'json']));
  const slices = async () => json<SliceListJSON>(await c.kubectl(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=checkout', '-o', 'json']));
  const readyIPs = (e: EndpointsJSON) => (e.subsets ?? []).flatMap((s) => s.addresses ?? []).map((a) => a.ip).sort();

  test('label mismatch: empty with a warning, fixed with kubectl patch, then readiness flips', async () => {
    ok(await c.kubectl(['apply', '-f', '-'], { stdin: manifests }));
    ok(await c.kubectl(['patch', 'pod', 'checkout-1', '--subresource=status', '--type=merge', '-p', statusPatch('10.244.0.11', true)]));
    ok(await c.kubectl(['patch', 'pod', 'checkout-2', '--subresource=status', '--type=merge', '-p', statusPatch('10.244.0.12', true)]));

    // Empty: Endpoints without subsets, one placeholder slice, and the reason in describe.
    const empty = await eventually(async () => (await c.kubectl(['get', 'endpoints', 'checkout'])).code === 0, 20_000);
    assert.ok(empty, 'the Endpoints object appears');
    assert.deepEqual(readyIPs(await endpoints()), []);
    const placeholder = await eventually(async () => (await slices()).items.length === 1, 20_000);
    assert.ok(placeholder);
    const described = await eventually(async () => {
      const out = ok(await c.kubectl(['describe', 'svc', 'checkout']));
      return /NoMatchingPods/.test(out) ? out : '';
    }, 20_000);
    assert.match(described, /Warning\s+NoMatchingPods\s+\S+\s+endpointslice-controller\s+No pods in namespace default match the selector app=checkout/);
    // kubectl 1.32 reads the slices: an empty placeholder prints an empty list, as on a real cluster.
    assert.match(described, /\nEndpoints: +\n/);

    // The fix.
    ok(await c.kubectl(['patch', 'svc', 'checkout', '-p', '{"spec":{"selector":{"app":"checkout-service"}}}']));
    const fixed = await eventually(async () => (readyIPs(await endpoints()).length === 2 ? await endpoints() : undefined), 20_000);
    assert.deepEqual(fixed && readyIPs(fixed), ['10.244.0.11', '10.244.0.12']);
    const sl = await eventually(async () => {
      const s = await slices();
      return s.items.length === 1 && (s.items[0]?.endpoints ?? []).length === 2 ? s : undefined;
    }, 20_000);
    assert.ok(sl, 'one slice with both pods');
    const out = ok(await c.kubectl(['describe', 'svc', 'checkout']));
    assert.match(out, /Endpoints:\s+10\.244\.0\.11:8080,10\.244\.0\.12:8080/);
    ok(await c.kubectl(['get', 'endpoints', 'checkout']));
    assert.match(ok(await c.kubectl(['get', 'endpoints', 'checkout'])), /checkout\s+10\.244\.0\.11:8080,10\.244\.0\.12:8080/);

    // Readiness flips: checkout-2 not Ready → notReadyAddresses, slice condition false.
    ok(await c.kubectl(['patch', 'pod', 'checkout-2', '--subresource=status', '--type=merge', '-p', statusPatch('10.244.0.12', false)]));
    const flipped = await eventually(async () => {
      const e = await endpoints();
      return readyIPs(e).join() === '10.244.0.11' && e.subsets?.some((s) => s.notReadyAddresses?.[0]?.ip === '10.244.0.12') ? e : undefined;
    }, 20_000);
    assert.ok(flipped, 'checkout-2 moved to notReadyAddresses');
    const cond = await eventually(async () => {
      const eps = (await slices()).items[0]?.endpoints ?? [];
      return eps.find((e) => e.addresses[0] === '10.244.0.12')?.conditions?.ready === false;
    }, 20_000);
    assert.ok(cond, 'slice condition ready=false');

    // Deleting the Service removes its slices and Endpoints.
    ok(await c.kubectl(['delete', 'svc', 'checkout']));
    const gone = await eventually(async () => (await slices()).items.length === 0 && (await c.kubectl(['get', 'endpoints', 'checkout'])).code !== 0, 20_000);
    assert.ok(gone, 'slices and Endpoints deleted');
  });
});
