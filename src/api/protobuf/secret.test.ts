// Secret and ServiceAccount protobuf bodies (what `kubectl create secret|serviceaccount` sends)
// decode to the JSON the API would receive: bytes as base64, pointer booleans kept when false.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeProtobufObject, PROTOBUF_MAGIC } from './decode.js';
import { messageType } from './root.js';

function body(kind: string, message: Record<string, unknown>): Buffer {
  const inner = messageType(kind);
  const raw = inner.encode(inner.fromObject(message)).finish();
  const t = messageType('Unknown');
  return Buffer.concat([PROTOBUF_MAGIC, t.encode(t.fromObject({ typeMeta: { apiVersion: 'v1', kind }, raw })).finish()]);
}

test('a Secret body: data bytes become base64, stringData and type as sent, immutable false kept', () => {
  const got = decodeProtobufObject(
    body('Secret', { metadata: { name: 's' }, data: { a: Buffer.from('s3cr3t') }, stringData: { b: 'plain' }, type: 'Opaque', immutable: false }),
  );
  assert.deepEqual(got, {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 's' },
    data: { a: Buffer.from('s3cr3t').toString('base64') },
    stringData: { b: 'plain' },
    type: 'Opaque',
    immutable: false,
  });
});

test('a ServiceAccount body: secrets and imagePullSecrets lists, automount false kept', () => {
  const got = decodeProtobufObject(
    body('ServiceAccount', { metadata: { name: 'sa' }, secrets: [{ name: 'one' }], imagePullSecrets: [{ name: 'pull' }], automountServiceAccountToken: false }),
  );
  assert.deepEqual(got, {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: 'sa' },
    secrets: [{ name: 'one' }],
    imagePullSecrets: [{ name: 'pull' }],
    automountServiceAccountToken: false,
  });
});
