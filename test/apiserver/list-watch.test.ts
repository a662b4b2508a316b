// LIST paging and resourceVersion semantics, and WATCH: initial state, selectors, bookmarks, 410.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cm, openWatch, startServer, type Harness } from './harness.js';

let h: Harness;
const NS = '/api/v1/namespaces/lw/configmaps';
before(async () => {
  h = await startServer();
  await h.call('POST', '/api/v1/namespaces', { metadata: { name: 'lw' } });
});
after(async () => {
  await h?.close();
});

const names = (list: { items: { metadata: { name: string } }[] }) => list.items.map((i) => i.metadata.name);

test('list pages with limit/continue at one consistent revision', async () => {
  await h.call('POST', '/api/v1/namespaces', { metadata: { name: 'pg' } });
  for (const n of ['a', 'b', 'c', 'd', 'e']) await h.call('POST', '/api/v1/namespaces/pg/configmaps', cm(n));
  const p1 = await h.call('GET', '/api/v1/namespaces/pg/configmaps?limit=2');
  assert.equal(p1.json.kind, 'ConfigMapList');
  assert.equal(p1.json.apiVersion, 'v1');
  assert.deepEqual(names(p1.json), ['a', 'b']);
  assert.equal(p1.json.metadata.remainingItemCount, 3);
  assert.ok(p1.json.metadata.continue);
  // A write between pages is not seen: the pages read the first page's revision.
  await h.call('POST', '/api/v1/namespaces/pg/configmaps', cm('bb'));
  const p2 = await h.call('GET', `/api/v1/namespaces/pg/configmaps?limit=2&continue=${encodeURIComponent(p1.json.metadata.continue)}`);
  assert.deepEqual(names(p2.json), ['c', 'd']);
  assert.equal(p2.json.metadata.resourceVersion, p1.json.metadata.resourceVersion);
  const p3 = await h.call('GET', `/api/v1/namespaces/pg/configmaps?limit=2&continue=${encodeURIComponent(p2.json.metadata.continue)}`);
  assert.deepEqual(names(p3.json), ['e']);
  assert.equal(p3.json.metadata.continue, undefined);
  const bad = await h.call('GET', '/api/v1/namespaces/pg/configmaps?limit=2&continue=garbage');
  assert.equal(bad.status, 400);
});

test('a continue token from a compacted revision is 410 Expired', async () => {
  await h.call('POST', '/api/v1/namespaces', { metadata: { name: 'cmp' } });
  for (const n of ['a', 'b', 'c']) await h.call('POST', '/api/v1/namespaces/cmp/configmaps', cm(n));
  const p1 = await h.call('GET', '/api/v1/namespaces/cmp/configmaps?limit=1');
  await h.call('PUT', '/api/v1/namespaces/cmp/configmaps/c', cm('c', undefined, { changed: 'yes' }));
  await h.store.compact(await h.store.currentRevision());
  const p2 = await h.call('GET', `/api/v1/namespaces/cmp/configmaps?limit=1&continue=${encodeURIComponent(p1.json.metadata.continue)}`);
  assert.equal(p2.status, 410);
  assert.equal(p2.json.reason, 'Expired');
  assert.match(p2.json.message, /^The provided continue parameter is too old to display a consistent list result\./);
});

test('label and field selectors filter lists; bad selectors are 400', async () => {
  await h.call('POST', NS, cm('sel-a', { tier: 'web' }));
  await h.call('POST', NS, cm('sel-b', { tier: 'db' }));
  const l = await h.call('GET', `${NS}?labelSelector=${encodeURIComponent('tier in (web)')}`);
  assert.deepEqual(names(l.json), ['sel-a']);
  const f = await h.call('GET', `${NS}?fieldSelector=metadata.name%3Dsel-b`);
  assert.deepEqual(names(f.json), ['sel-b']);
  const bf = await h.call('GET', `${NS}?fieldSelector=spec.bogus%3Dx`);
  assert.equal(bf.status, 400);
  assert.match(bf.json.message, /spec\.bogus/);
  const all = await h.call('GET', `/api/v1/configmaps?labelSelector=tier`);
  assert.deepEqual(names(all.json).sort(), ['sel-a', 'sel-b']);
});

test('list resourceVersion semantics: Exact reads history, too new is 504, compacted Exact is 410', async () => {
  const c = await h.call('POST', NS, cm('rv', undefined, { v: '1' }));
  const rv1 = c.json.metadata.resourceVersion;
  await h.call('PUT', `${NS}/rv`, cm('rv', undefined, { v: '2' }));
  const exact = await h.call('GET', `${NS}?resourceVersion=${rv1}&resourceVersionMatch=Exact&fieldSelector=metadata.name%3Drv`);
  assert.equal(exact.status, 200);
  assert.equal(exact.json.items[0].data.v, '1');
  assert.equal(exact.json.metadata.resourceVersion, rv1);
  const latest = await h.call('GET', `${NS}?resourceVersion=${rv1}&fieldSelector=metadata.name%3Drv`);
  assert.equal(latest.json.items[0].data.v, '2');
  const future = await h.call('GET', `${NS}?resourceVersion=99999999&resourceVersionMatch=NotOlderThan`);
  assert.equal(future.status, 504);
  assert.match(future.json.message, /^Too large resource version: 99999999, current: \d+$/);
  await h.store.compact(await h.store.currentRevision());
  const old = await h.call('GET', `${NS}?resourceVersion=${rv1}&resourceVersionMatch=Exact`);
  assert.equal(old.status, 410);
  assert.equal(old.json.message, 'The resourceVersion for the provided list is too old.');
});

test('watch without resourceVersion starts with ADDED for the current state, then changes', async () => {
  await h.call('POST', '/api/v1/namespaces', { metadata: { name: 'w1' } });
  await h.call('POST', '/api/v1/namespaces/w1/configmaps', cm('pre'));
  const w = await openWatch(h.base, '/api/v1/namespaces/w1/configmaps?watch=true');
  try {
    assert.equal(w.status, 200);
    const first = await w.next();
    assert.equal(first.type, 'ADDED');
    assert.equal(first.object.metadata.name, 'pre');
    await h.call('POST', '/api/v1/namespaces/w1/configmaps', cm('post'));
    const a = await w.next();
    assert.deepEqual([a.type, a.object.metadata.name], ['ADDED', 'post']);
    await h.call('PUT', '/api/v1/namespaces/w1/configmaps/post', cm('post', undefined, { x: '1' }));
    const m = await w.next();
    assert.deepEqual([m.type, m.object.data.x], ['MODIFIED', '1']);
    await h.call('DELETE', '/api/v1/namespaces/w1/configmaps/post');
    const d = await w.next();
    assert.deepEqual([d.type, d.object.metadata.name], ['DELETED', 'post']);
    assert.ok(Number(d.object.metadata.resourceVersion) > Number(m.object.metadata.resourceVersion));
  } finally {
    w.close();
  }
});

test('watch from a resourceVersion replays what came after it, and nothing before', async () => {
  await h.call('POST', '/api/v1/namespaces', { metadata: { name: 'w2' } });
  const a = await h.call('POST', '/api/v1/namespaces/w2/configmaps', cm('a'));
  await h.call('POST', '/api/v1/namespaces/w2/configmaps', cm('b'));
  const w = await openWatch(h.base, `/api/v1/namespaces/w2/configmaps?watch=1&resourceVersion=${a.json.metadata.resourceVersion}`);
  try {
    const e = await w.next();
    assert.deepEqual([e.type, e.object.metadata.name], ['ADDED', 'b']);
  } finally {
    w.close();
  }
});

test('watch with a label selector turns leaving into DELETED and entering into ADDED', async () => {
  await h.call('POST', '/api/v1/namespaces', { metadata: { name: 'w3' } });
  const path = '/api/v1/namespaces/w3/configmaps';
  const w = await openWatch(h.base, `${path}?watch=true&labelSelector=app%3Dweb`);
  try {
    await h.call('POST', path, cm('other', { app: 'db' }));
    await h.call('POST', path, cm('x', { app: 'web' }));
    const e1 = await w.next();
    assert.deepEqual([e1.type, e1.object.metadata.name], ['ADDED', 'x']);
    await h.call('PATCH', `${path}/x`, { metadata: { labels: { app: 'db' } } }, { 'content-type': 'application/merge-patch+json' });
    const e2 = await w.next();
    assert.deepEqual([e2.type, e2.object.metadata.name], ['DELETED', 'x']);
    await h.call('PATCH', `${path}/other`, { metadata: { labels: { app: 'web' } } }, { 'content-type': 'application/merge-patch+json' });
    const e3 = await w.next();
    assert.deepEqual([e3.type, e3.object.metadata.name], ['ADDED', 'other']);
  } finally {
    w.close();
  }
});

test('watch from a compacted resourceVersion gets a 410 ERROR event and the stream ends', async () => {
  await h.call('POST', '/api/v1/namespaces', { metadata: { name: 'w4' } });
  const a = await h.call('POST', '/api/v1/namespaces/w4/configmaps', cm('a'));
  await h.call('POST', '/api/v1/namespaces/w4/configmaps', cm('b'));
  await h.call('POST', '/api/v1/namespaces/w4/configmaps', cm('c'));
  const cur = await h.store.currentRevision();
  await h.store.compact(cur);
  const w = await openWatch(h.base, `/api/v1/namespaces/w4/configmaps?watch=true&resourceVersion=${a.json.metadata.resourceVersion}`);
  try {
    const e = await w.next();
    assert.equal(e.type, 'ERROR');
    assert.equal(e.object.kind, 'Status');
    assert.equal(e.object.code, 410);
    assert.equal(e.object.reason, 'Expired');
    assert.match(e.object.message, new RegExp(`^too old resource version: ${a.json.metadata.resourceVersion} \\(\\d+\\)$`));
    assert.equal(await w.ended(), true);
  } finally {
    w.close();
  }
});

test('watch honours timeoutSeconds', async () => {
  await h.call('POST', '/api/v1/namespaces', { metadata: { name: 'w6' } });
  const rv = String(await h.store.currentRevision());
  const started = Date.now();
  const w = await openWatch(h.base, `/api/v1/namespaces/w6/configmaps?watch=true&resourceVersion=${rv}&timeoutSeconds=1`);
  try {
    assert.equal(await w.ended(3000), true);
    assert.ok(Date.now() - started >= 900);
  } finally {
    w.close();
  }
});

test('registry watch sends BOOKMARK events with the last seen resourceVersion when allowed', async () => {
  await h.call('POST', '/api/v1/namespaces', { metadata: { name: 'w7' } });
  const events: { type: string; rv?: string }[] = [];
  const handle = await h.api.registry.watch(
    '/configmaps',
    { namespace: 'w7', resourceVersion: String(await h.store.currentRevision()), allowWatchBookmarks: true, bookmarkIntervalMs: 50 },
    { event: (e) => events.push({ type: e.type, rv: e.object.metadata?.resourceVersion }) },
  );
  try {
    const c = await h.call('POST', '/api/v1/namespaces/w7/configmaps', cm('bm'));
    await new Promise((r) => setTimeout(r, 200));
    const bookmarks = events.filter((e) => e.type === 'BOOKMARK');
    assert.ok(bookmarks.length >= 1);
    assert.equal(bookmarks.at(-1)!.rv, c.json.metadata.resourceVersion);
    assert.ok(events.some((e) => e.type === 'ADDED' && e.rv === c.json.metadata.resourceVersion));
  } finally {
    handle.stop();
  }
});

test('watch with Table Accept sends one-row Tables', async () => {
  await h.call('POST', '/api/v1/namespaces', { metadata: { name: 'w5' } });
  const w = await openWatch(h.base, '/api/v1/namespaces/w5/configmaps?watch=true', {
    accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json',
  });
  try {
    await h.call('POST', '/api/v1/namespaces/w5/configmaps', cm('t'));
    const e = await w.next();
    assert.equal(e.type, 'ADDED');
    assert.equal(e.object.kind, 'Table');
    assert.equal(e.object.rows.length, 1);
    assert.equal(e.object.rows[0].cells[0], 't');
    assert.equal(e.object.rows[0].object.metadata.name, 't');
    assert.ok(e.object.columnDefinitions.length >= 2);
    await h.call('PATCH', '/api/v1/namespaces/w5/configmaps/t', { data: { x: 'y' } }, { 'content-type': 'application/merge-patch+json' });
    const m = await w.next();
    assert.equal(m.type, 'MODIFIED');
    assert.equal(m.object.columnDefinitions, null);
    assert.equal(m.object.rows[0].cells[0], 't');
  } finally {
    w.close();
  }
});

test('list with Table Accept returns a meta.k8s.io/v1 Table with row objects', async () => {
  const r = await h.call('GET', '/api/v1/namespaces?limit=500', undefined, {
    accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json',
  });
  assert.equal(r.json.kind, 'Table');
  assert.equal(r.json.apiVersion, 'meta.k8s.io/v1');
  assert.ok(r.json.columnDefinitions.length >= 2);
  const row = r.json.rows.find((x: { cells: string[] }) => x.cells[0] === 'kube-system');
  assert.ok(row);
  assert.equal(row.object.kind, 'PartialObjectMetadata');
  const full = await h.call('GET', '/api/v1/namespaces?includeObject=Object', undefined, { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' });
  assert.equal(full.json.rows[0].object.kind, 'Namespace');
});

test('sendInitialEvents=true replays the current state, then an initial-events-end BOOKMARK', async () => {
  await h.call('POST', '/api/v1/namespaces', { metadata: { name: 'w8' } });
  const c = await h.call('POST', '/api/v1/namespaces/w8/configmaps', cm('init'));
  const w = await openWatch(
    h.base,
    `/api/v1/namespaces/w8/configmaps?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&resourceVersion=${c.json.metadata.resourceVersion}`,
  );
  try {
    const a = await w.next();
    assert.deepEqual([a.type, a.object.metadata.name], ['ADDED', 'init']);
    const b = await w.next();
    assert.equal(b.type, 'BOOKMARK');
    assert.equal(b.object.metadata.annotations['k8s.io/initial-events-end'], 'true');
  } finally {
    w.close();
  }
});
