import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../object.js';
import { RESOURCES } from '../../resources.js';
import { toTable } from '../index.js';

const NOW = new Date('2026-03-01T12:00:00Z');
const res = (kind: string) => RESOURCES.find((r) => r.kind === kind)!;

interface Table {
  columnDefinitions: { name: string; type: string; format: string; description: string }[];
  rows: { cells: unknown[] }[];
}
const table = (kind: string, objs: KubeObject[]) => toTable(res(kind), objs, { includeObject: 'Metadata', now: NOW }) as unknown as Table;

test('secrets: Name, Type, Data (the number of keys), Age; descriptions are the API docs', () => {
  const t = table('Secret', [
    { metadata: { name: 'db', creationTimestamp: '2026-03-01T11:55:00Z' }, type: 'Opaque', data: { a: 'eA==', b: 'eQ==' } },
    { metadata: { name: 'empty', creationTimestamp: '2026-03-01T11:59:30Z' }, type: 'kubernetes.io/service-account-token' },
  ]);
  assert.deepEqual(t.columnDefinitions.map((c) => [c.name, c.type, c.format]), [['Name', 'string', 'name'], ['Type', 'string', ''], ['Data', 'string', ''], ['Age', 'string', '']]);
  assert.match(t.columnDefinitions[2].description, /^Data contains the secret data\./);
  assert.match(t.columnDefinitions[1].description, /^Used to facilitate programmatic handling of secret data\./);
  assert.deepEqual(t.rows.map((r) => r.cells), [['db', 'Opaque', 2, '5m'], ['empty', 'kubernetes.io/service-account-token', 0, '30s']]);
});

test('serviceaccounts: Name, Secrets (how many are listed), Age', () => {
  const t = table('ServiceAccount', [{ metadata: { name: 'default', creationTimestamp: '2026-03-01T10:00:00Z' }, secrets: [{ name: 'one' }] }]);
  assert.deepEqual(t.columnDefinitions.map((c) => c.name), ['Name', 'Secrets', 'Age']);
  assert.match(t.columnDefinitions[1].description, /^Secrets is a list of the secrets/);
  assert.deepEqual(t.rows[0].cells, ['default', 1, '120m']);
});
