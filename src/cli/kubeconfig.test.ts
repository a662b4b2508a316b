import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { renderKubeconfig, serverURL, writeFileAtomic } from './kubeconfig.js';

test('server URL: loopback for wildcard binds, brackets for IPv6', () => {
  assert.equal(serverURL({ host: '127.0.0.1', port: 6443 }), 'http://127.0.0.1:6443');
  assert.equal(serverURL({ host: '0.0.0.0', port: 1 }), 'http://127.0.0.1:1');
  assert.equal(serverURL({ host: '::', port: 2 }), 'http://[::1]:2');
  assert.equal(serverURL({ host: 'fd00::5', port: 3 }), 'http://[fd00::5]:3');
});

test('kubeconfig: one cluster, user and context "kubesvc", current-context set', () => {
  const cfg = parse(renderKubeconfig('http://127.0.0.1:6443'));
  assert.equal(cfg.kind, 'Config');
  assert.equal(cfg.apiVersion, 'v1');
  assert.equal(cfg['current-context'], 'kubesvc');
  assert.deepEqual(cfg.clusters, [{ name: 'kubesvc', cluster: { server: 'http://127.0.0.1:6443', 'insecure-skip-tls-verify': true } }]);
  assert.deepEqual(cfg.contexts, [{ name: 'kubesvc', context: { cluster: 'kubesvc', user: 'kubesvc' } }]);
  assert.deepEqual(cfg.users, [{ name: 'kubesvc', user: {} }]);
});

test('atomic write replaces the file, is private, leaves no temp file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kubesvc-kc-'));
  try {
    const p = join(dir, 'kubeconfig');
    await writeFileAtomic(p, 'one');
    await writeFileAtomic(p, 'two');
    assert.equal(await readFile(p, 'utf8'), 'two');
    assert.equal((await stat(p)).mode & 0o777, 0o600);
    assert.deepEqual(await readdir(dir), ['kubeconfig']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
