import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { Indexer, NAMESPACE_INDEX } from './cache.js';
import { createLister } from './lister.js';
import { objectKey, splitKey } from './objects.js';

function pod(ns: string, name: string, node?: string, labels?: Record<string, string>): Pod {
  return { metadata: { namespace: ns, name, labels }, spec: { nodeName: node, containers: [] } };
}

test('keys are namespace/name, or name for cluster-scoped objects', () => {
  assert.equal(objectKey(pod('ns', 'p')), 'ns/p');
  assert.equal(objectKey({ metadata: { name: 'node-1' } }), 'node-1');
  assert.deepEqual(splitKey('ns/p'), { namespace: 'ns', name: 'p' });
  assert.deepEqual(splitKey('node-1'), { name: 'node-1' });
});

test('indexes follow updates and deletes; custom indexes can be added later and see existing items', () => {
  const ix = new Indexer<Pod>();
  ix.set('a/p1', pod('a', 'p1', 'n1'));
  ix.set('b/p2', pod('b', 'p2', 'n1'));
  ix.addIndexers({ node: (p) => (p.spec?.nodeName ? [p.spec.nodeName] : []) });
  assert.deepEqual(ix.byIndex('node', 'n1').map(objectKey).sort(), ['a/p1', 'b/p2']);
  ix.set('a/p1', pod('a', 'p1', 'n2'));
  assert.deepEqual(ix.byIndex('node', 'n1').map(objectKey), ['b/p2']);
  assert.deepEqual(ix.indexKeys('node', 'n2'), ['a/p1']);
  ix.delete('b/p2');
  assert.deepEqual(ix.byIndex('node', 'n1'), []);
  assert.deepEqual(ix.byIndex(NAMESPACE_INDEX, 'a').map(objectKey), ['a/p1']);
  assert.throws(() => ix.byIndex('nope', 'x'), /index "nope" does not exist/);
  assert.throws(() => ix.addIndexers({ node: () => [] }), /already exists/);
});

test('stored objects are frozen, deeply', () => {
  const ix = new Indexer<Pod>();
  const p = pod('a', 'p', 'n', { app: 'x' });
  ix.set('a/p', p);
  assert.throws(() => {
    (p.metadata as { labels: Record<string, string> }).labels.app = 'y';
  }, TypeError);
});

test('the lister filters by namespace and label selector and gets by name', () => {
  const ix = new Indexer<Pod>();
  ix.set('a/web', pod('a', 'web', undefined, { app: 'web' }));
  ix.set('a/db', pod('a', 'db', undefined, { app: 'db' }));
  ix.set('b/web', pod('b', 'web', undefined, { app: 'web' }));
  const l = createLister(ix);
  assert.equal(l.list().length, 3);
  assert.deepEqual(l.list('a').map(objectKey).sort(), ['a/db', 'a/web']);
  assert.deepEqual(l.list(undefined, 'app=web').map(objectKey).sort(), ['a/web', 'b/web']);
  assert.deepEqual(l.list('b', 'app in (db)'), []);
  assert.equal(l.get('b', 'web')?.metadata?.namespace, 'b');
  assert.equal(l.get('c', 'web'), undefined);
  assert.throws(() => l.list(undefined, 'app in ('), (e: Error & { code?: number }) => e.code === 400);
});
