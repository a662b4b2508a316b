import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { upFlagsFromText } from './config-file.js';
import { parseUpArgs } from './up-flags.js';
import { UsageError } from './usage-error.js';

test('config file fields map onto the flags', () => {
  const flags = upFlagsFromText(
    'dataDir: /var/lib/kubesvc\nlisten: "[::1]:7443"\nserviceCIDR: 10.0.0.0/16\nserviceNodePortRange: 31000-31099\n' +
      'store: etcd\netcdEndpoints: [http://127.0.0.1:2379, http://127.0.0.2:2379]\netcdCompactionInterval: 0\nlogLevel: debug\n',
    'f.yaml',
  );
  assert.deepEqual(flags, {
    'data-dir': '/var/lib/kubesvc',
    listen: '[::1]:7443',
    'service-cidr': '10.0.0.0/16',
    'service-node-port-range': '31000-31099',
    store: 'etcd',
    'etcd-endpoints': 'http://127.0.0.1:2379,http://127.0.0.2:2379',
    'etcd-compaction-interval': '0',
    'log-level': 'debug',
  });
  assert.deepEqual(upFlagsFromText('', 'empty.yaml'), {});
});

test('config file mistakes are usage errors naming the file and field', () => {
  assert.throws(() => upFlagsFromText('listn: 1', 'f.yaml'), (e: unknown) => e instanceof UsageError && /f\.yaml: unknown field "listn"/.test(e.message));
  assert.throws(() => upFlagsFromText('listen: 6443', 'f.yaml'), /"listen" must be a string/);
  assert.throws(() => upFlagsFromText('- a', 'f.yaml'), /want a mapping/);
  assert.throws(() => upFlagsFromText('a: [', 'f.yaml'), /invalid --config f\.yaml/);
});

test('flags override the file; the file is checked like flags', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kubesvc-cfg-'));
  try {
    const file = join(dir, 'kubesvc.yaml');
    await writeFile(file, 'listen: 127.0.0.1:7000\nserviceNodePortRange: 31000-31009\n');
    const a = parseUpArgs(['--config', file, '--listen', '127.0.0.1:7001'], '/x');
    assert.ok(!a.help);
    assert.deepEqual(a.config.listen, { host: '127.0.0.1', port: 7001 });
    assert.deepEqual(a.config.registry.nodePortRange, { base: 31000, size: 10 });
    await writeFile(file, 'serviceNodePortRange: 2-1\n');
    assert.throws(() => parseUpArgs(['--config', file], '/x'), /invalid --service-node-port-range "2-1"/);
    assert.throws(() => parseUpArgs(['--config', join(dir, 'missing.yaml')], '/x'), /cannot read --config .*missing\.yaml: ENOENT/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
