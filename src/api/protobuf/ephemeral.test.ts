// The Pod's ephemeral containers in protobuf bodies: field numbers checked against bytes made by
// hand, not by this schema's own encoder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeProtobufObject, PROTOBUF_MAGIC } from './decode.js';
import { messageType } from './root.js';

function envelope(apiVersion: string, kind: string, raw: Uint8Array): Buffer {
  const t = messageType('Unknown');
  return Buffer.concat([PROTOBUF_MAGIC, t.encode(t.fromObject({ typeMeta: { apiVersion, kind }, raw })).finish()]);
}

test("a pod's ephemeral containers: PodSpec field 34, the common part inlined (bytes made by hand)", () => {
  const str = (field: number, s: string) => Buffer.concat([Buffer.from([(field << 3) | 2, s.length]), Buffer.from(s)]);
  const msg = (tag: number[], body: Buffer) => Buffer.concat([Buffer.from([...tag, body.length]), body]);
  const common = Buffer.concat([str(1, 'dbg'), str(2, 'busybox')]);
  const ephemeral = Buffer.concat([msg([0x0a], common), str(2, 'web')]);
  const spec = msg([0x92, 0x02], ephemeral); // field 34, length-delimited: varint 274
  const raw = msg([0x12], spec); // Pod.spec
  assert.deepEqual(decodeProtobufObject(envelope('v1', 'Pod', raw)), {
    apiVersion: 'v1',
    kind: 'Pod',
    spec: { ephemeralContainers: [{ name: 'dbg', image: 'busybox', targetContainerName: 'web' }] },
  });
});
