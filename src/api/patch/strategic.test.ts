import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { Deployment } from 'kubernetes-types/apps/v1.js';
import { StatusError } from '../errors.js';
import type { KubeObject } from '../object.js';
import { findByKind } from '../resources.js';
import { applyPatch } from './index.js';

const SMP = 'application/strategic-merge-patch+json';
const svcRes = findByKind('v1', 'Service')!;
const deployRes = findByKind('apps/v1', 'Deployment')!;

function service(): Service & KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'my-app', namespace: 'default', labels: { app: 'my-app' }, resourceVersion: '12' },
    spec: {
      type: 'ClusterIP',
      clusterIP: '10.96.0.20',
      selector: { app: 'web' },
      ports: [
        { name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 },
        { name: 'https', protocol: 'TCP', port: 443, targetPort: 8443 },
      ],
    },
  };
}

function deployment(): Deployment & KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', finalizers: ['a', 'b'] },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            { name: 'web', image: 'nginx:1', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }], ports: [{ containerPort: 80 }] },
            { name: 'side', image: 'busybox' },
          ],
          tolerations: [{ key: 'x', operator: 'Exists' }],
          volumes: [{ name: 'data', emptyDir: {} }],
        },
      },
    },
  };
}

const patch = (o: KubeObject, body: unknown, res = svcRes) => applyPatch(SMP, o, typeof body === 'string' ? body : JSON.stringify(body), res);

function statusOf(fn: () => unknown): StatusError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof StatusError, String(e));
    return e;
  }
  assert.fail('expected an error');
}

test('kubectl apply body: $setElementOrder/ports and merge by port', () => {
  const orig = service();
  orig.spec!.ports = [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 }];
  const body =
    '{"metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\\"apiVersion\\":\\"v1\\"}\\n"}},"spec":{"$setElementOrder/ports":[{"port":80}],"ports":[{"port":80,"targetPort":9090}]}}';
  const out = patch(orig, body) as Service & KubeObject;
  assert.deepEqual(out.spec!.ports, [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 9090 }]);
  assert.equal(out.metadata!.annotations!['kubectl.kubernetes.io/last-applied-configuration'], '{"apiVersion":"v1"}\n');
  assert.deepEqual(out.metadata!.labels, { app: 'my-app' });
  assert.equal(orig.spec!.ports![0].targetPort, 8080, 'input not mutated');
});

test('kubectl edit body: labels merge, other ports kept', () => {
  const out2 = patch(service(), '{"metadata":{"labels":{"edited":"true"}},"spec":{"$setElementOrder/ports":[{"port":80},{"port":443}],"ports":[{"port":80,"targetPort":8081}]}}') as Service & KubeObject;
  assert.deepEqual(out2.metadata!.labels, { app: 'my-app', edited: 'true' });
  assert.deepEqual(
    out2.spec!.ports!.map((p) => [p.port, p.targetPort]),
    [
      [80, 8081],
      [443, 8443],
    ],
  );
});

test('a patch that changes nothing returns an object deep-equal to the original', () => {
  const orig = service();
  const out = patch(orig, '{"spec":{"selector":{"app":"web"}}}');
  assert.deepEqual(out, orig);
  assert.notEqual(out, orig);
});

test('$setElementOrder reorders and keeps server-only items in place', () => {
  const orig = service();
  orig.spec!.ports!.push({ name: 'metrics', port: 9000 });
  const out = patch(orig, { spec: { '$setElementOrder/ports': [{ port: 443 }, { port: 80 }], ports: [{ port: 80, targetPort: 1 }] } }) as Service & KubeObject;
  assert.deepEqual(
    out.spec!.ports!.map((p) => p.port),
    [443, 80, 9000],
  );
});

test('new list items go before server-only ones (as apimachinery orders them); $patch: delete removes by key', () => {
  const out = patch(service(), { spec: { ports: [{ port: 8080, name: 'alt' }, { port: 443, $patch: 'delete' }] } }) as Service & KubeObject;
  assert.deepEqual(
    out.spec!.ports!.map((p) => p.port),
    [8080, 80],
  );
});

test('$patch: replace on a list and on a map', () => {
  const out = patch(service(), { spec: { ports: [{ port: 53, protocol: 'UDP' }, { $patch: 'replace' }] } }) as Service & KubeObject;
  assert.deepEqual(out.spec!.ports, [{ port: 53, protocol: 'UDP' }]);
  const out2 = patch(service(), { spec: { selector: { tier: 'db', $patch: 'replace' } } }) as Service & KubeObject;
  assert.deepEqual(out2.spec!.selector, { tier: 'db' });
  const out3 = patch(service(), { metadata: { labels: { $patch: 'delete' } } }) as Service & KubeObject;
  assert.deepEqual(out3.metadata!.labels, {});
});

test('null deletes a key', () => {
  const out = patch(service(), { metadata: { labels: { app: null } }, spec: { selector: null } }) as Service & KubeObject;
  assert.deepEqual(out.metadata!.labels, {});
  assert.equal('selector' in out.spec!, false);
});

test('containers by name, env by name, container ports by containerPort', () => {
  const out = patch(
    deployment(),
    {
      spec: {
        template: {
          spec: {
            containers: [{ name: 'web', image: 'nginx:2', env: [{ name: 'B', value: '3' }, { name: 'C', value: '4' }], ports: [{ containerPort: 80, name: 'http' }] }],
          },
        },
      },
    },
    deployRes,
  ) as Deployment;
  const [web, side] = out.spec!.template.spec!.containers;
  assert.equal(web.image, 'nginx:2');
  assert.deepEqual(web.env, [
    { name: 'A', value: '1' },
    { name: 'B', value: '3' },
    { name: 'C', value: '4' },
  ]);
  assert.deepEqual(web.ports, [{ containerPort: 80, name: 'http' }]);
  assert.equal(side.name, 'side');
});

test('lists without a merge key are replaced atomically', () => {
  const out = patch(deployment(), { spec: { template: { spec: { tolerations: [{ key: 'y', operator: 'Exists' }] } } } }, deployRes) as Deployment;
  assert.deepEqual(out.spec!.template.spec!.tolerations, [{ key: 'y', operator: 'Exists' }]);
});

test('primitive merge lists: union and $deleteFromPrimitiveList', () => {
  const out = patch(deployment(), { metadata: { finalizers: ['c', 'a'] } }, deployRes) as Deployment;
  assert.deepEqual(out.metadata!.finalizers!.slice().sort(), ['a', 'b', 'c']);
  const out2 = patch(deployment(), { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } }, deployRes) as Deployment;
  assert.deepEqual(out2.metadata!.finalizers, ['b']);
});

test('$retainKeys clears fields not listed', () => {
  const out = patch(
    deployment(),
    { spec: { template: { spec: { volumes: [{ name: 'data', hostPath: { path: '/x' }, $retainKeys: ['hostPath', 'name'] }] } } } },
    deployRes,
  ) as Deployment;
  assert.deepEqual(out.spec!.template.spec!.volumes, [{ name: 'data', hostPath: { path: '/x' } }]);
});

test('errors: bad JSON, missing merge key, unknown directive', () => {
  const e1 = statusOf(() => patch(service(), '{"spec":'));
  assert.equal(e1.code, 400);
  assert.equal(e1.message, 'invalid JSON patch');
  // kube-apiserver passes these through unmapped: a 500 carrying the strategicpatch text.
  const e2 = statusOf(() => patch(service(), { spec: { ports: [{ targetPort: 1 }] } }));
  assert.equal(e2.code, 500);
  assert.equal(e2.message, 'map: map[targetPort:1] does not contain declared merge key: port');
  const e3 = statusOf(() => patch(service(), { spec: { $patch: 'bogus' } }));
  assert.equal(e3.message, 'unknown patch type: bogus in map: map[$patch:bogus]');
  const e5 = statusOf(() => patch(service(), { spec: { $retainKeys: ['type'], selector: { a: 'b' } } }));
  assert.equal(e5.code, 400);
  assert.equal(e5.message, 'invalid patch format of retainKeys');
  const e4 = statusOf(() => patch(service(), '[1]'));
  assert.equal(e4.code, 400);
});

test('kubectl apply style nested patch: $setElementOrder on containers and env, $patch delete of an env var', () => {
  const body =
    '{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"web"},{"name":"side"}],"containers":[{"$setElementOrder/env":[{"name":"A"}],"env":[{"$patch":"delete","name":"B"}],"image":"nginx:2","name":"web"}]}}}}';
  const out = patch(deployment(), body, deployRes) as Deployment & KubeObject;
  const [web, side] = out.spec!.template.spec!.containers;
  assert.equal(web.image, 'nginx:2');
  assert.deepEqual(web.env, [{ name: 'A', value: '1' }]);
  assert.deepEqual(web.ports, [{ containerPort: 80 }]);
  assert.deepEqual(side, { name: 'side', image: 'busybox' });
});

test('$setElementOrder that does not list the patched items is rejected', () => {
  const e = statusOf(() => patch(service(), { spec: { '$setElementOrder/ports': [{ port: 443 }], ports: [{ port: 80, targetPort: 1 }] } }));
  assert.equal(e.code, 500);
  assert.match(e.message, /^The order in patch list:\n\[map\[port:80 targetPort:1\]\]\n doesn't match \$setElementOrder\/ list:/);
});
