// The HTTP transport's pieces that need no server: paths, query strings, NDJSON framing, errors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StatusError, notFound } from '../api/errors.js';
import { RESOURCES } from '../api/resources.js';
import { fromHttpResponse, fromStatus, toStatusError } from './errors.js';
import { deleteBody, listQuery, resourcePath, watchQuery } from './http-paths.js';
import { NdjsonSplitter } from './ndjson.js';
import { CompactedError } from '../store/types.js';

const byPlural = (p: string) => RESOURCES.find((r) => r.plural === p)!;

test('resource paths for core, grouped, namespaced and cluster-scoped resources', () => {
  assert.equal(resourcePath(byPlural('services'), 'default', 'web', 'status'), '/api/v1/namespaces/default/services/web/status');
  assert.equal(resourcePath(byPlural('services'), undefined), '/api/v1/services');
  assert.equal(resourcePath(byPlural('deployments'), 'ns'), '/apis/apps/v1/namespaces/ns/deployments');
  assert.equal(resourcePath(byPlural('nodes'), 'ignored', 'n1'), '/api/v1/nodes/n1');
  assert.equal(resourcePath(byPlural('endpointslices'), 'a b'), '/apis/discovery.k8s.io/v1/namespaces/a%20b/endpointslices');
});

test('query strings carry only what is set', () => {
  assert.equal(listQuery({}), '');
  assert.equal(listQuery({ labelSelector: 'app=web,tier!=db', limit: 2 }), '?labelSelector=app%3Dweb%2Ctier%21%3Ddb&limit=2');
  assert.equal(watchQuery({ resourceVersion: '7', allowWatchBookmarks: true, timeoutSeconds: 300 }), '?watch=true&resourceVersion=7&allowWatchBookmarks=true&timeoutSeconds=300');
  assert.deepEqual(deleteBody({ propagationPolicy: 'Foreground', dryRun: true }), { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Foreground', dryRun: ['All'] });
});

test('NDJSON splitting across chunk boundaries, including inside a multi-byte character', () => {
  const s = new NdjsonSplitter();
  const text = '{"type":"ADDED","object":{"n":"é"}}\n{"type":"BOOKMARK","object":{}}\n';
  const bytes = new TextEncoder().encode(text);
  const cut = text.indexOf('é') + 1; // a byte offset inside the two-byte é
  assert.deepEqual(s.push(bytes.slice(0, cut)), []);
  assert.equal(s.pending, true);
  const out = s.push(bytes.slice(cut));
  assert.deepEqual(out, [{ type: 'ADDED', object: { n: 'é' } }, { type: 'BOOKMARK', object: {} }]);
  assert.equal(s.pending, false);
  assert.throws(() => s.push(new TextEncoder().encode('not json\n')));
});

test('errors: Status bodies keep code, reason, message and details; other bodies get the reason of their code', () => {
  const nf = notFound({ group: '', resource: 'services' }, 'web');
  const e = fromHttpResponse(404, JSON.stringify(nf.toStatus()));
  assert.ok(e instanceof StatusError);
  assert.deepEqual([e.code, e.reason, e.message, e.details?.name], [404, 'NotFound', 'services "web" not found', 'web']);
  const plain = fromHttpResponse(503, 'upstream down\n');
  assert.deepEqual([plain.code, plain.reason, plain.message], [503, 'ServiceUnavailable', 'upstream down']);
  const empty = fromHttpResponse(429, '');
  assert.equal(empty.reason, 'TooManyRequests');
  assert.equal(fromStatus({ kind: 'Status', code: 410, message: 'too old resource version: 1 (2)' }).reason, 'Gone');
  const compacted = toStatusError(new CompactedError(3, 9));
  assert.deepEqual([compacted.code, compacted.message], [410, 'too old resource version: 3 (9)']);
});
