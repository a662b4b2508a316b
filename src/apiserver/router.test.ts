import { test } from 'node:test';
import assert from 'node:assert/strict';
import { route } from './router.js';

const pick = (p: string) => {
  const r = route(p);
  return r && { plural: r.res.plural, group: r.res.group, ns: r.namespace, name: r.name, sub: r.subresource, w: r.legacyWatch };
};

test('core and group paths, namespaced and cluster-wide', () => {
  assert.deepEqual(pick('/api/v1/namespaces/default/services'), { plural: 'services', group: '', ns: 'default', name: undefined, sub: undefined, w: false });
  assert.deepEqual(pick('/api/v1/services'), { plural: 'services', group: '', ns: undefined, name: undefined, sub: undefined, w: false });
  assert.deepEqual(pick('/apis/apps/v1/namespaces/x/deployments/web/scale'), { plural: 'deployments', group: 'apps', ns: 'x', name: 'web', sub: 'scale', w: false });
  assert.deepEqual(pick('/api/v1/nodes/n1/status'), { plural: 'nodes', group: '', ns: undefined, name: 'n1', sub: 'status', w: false });
});

test('namespaces themselves: collection, item, subresource', () => {
  assert.equal(pick('/api/v1/namespaces')?.plural, 'namespaces');
  assert.deepEqual(pick('/api/v1/namespaces/kube-system'), { plural: 'namespaces', group: '', ns: undefined, name: 'kube-system', sub: undefined, w: false });
  assert.equal(pick('/api/v1/namespaces/kube-system/status')?.sub, 'status');
});

test('the legacy /watch/ prefix', () => {
  assert.deepEqual(pick('/api/v1/watch/namespaces/default/pods'), { plural: 'pods', group: '', ns: 'default', name: undefined, sub: undefined, w: true });
});

test('unknown groups, versions, resources and too-deep paths are not routed', () => {
  for (const p of ['/api/v2/services', '/apis/apps/v2/deployments', '/api/v1/widgets', '/apis/apps/v1/namespaces/x/deployments/a/b/c', '/api/v1/services/foo', '/api', '/nope']) {
    assert.equal(route(p), undefined, p);
  }
});
