import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expandVars, normalizeImage, resolveEntrypoint } from './catalog.js';

test('image names normalise past registry, library/, tag and digest', () => {
  assert.equal(normalizeImage('nginx'), 'nginx');
  assert.equal(normalizeImage('docker.io/library/nginx:1.27@sha256:abcdef'), 'nginx');
  assert.equal(normalizeImage('registry.k8s.io/e2e-test-images/agnhost:2.52'), 'registry.k8s.io/e2e-test-images/agnhost');
  assert.equal(normalizeImage('localhost:5000/app'), 'localhost:5000/app');
});

test('command replaces the entrypoint, args replace the default command', () => {
  const env = new Map([['PORT', '8080']]);
  assert.deepEqual(resolveEntrypoint({ name: 'c', image: 'nginx' }, env), { ok: true, argv: ['/kubesvc/nginx'], builtin: 'nginx', busybox: false });
  assert.deepEqual(resolveEntrypoint({ name: 'c', image: 'registry.k8s.io/e2e-test-images/agnhost:2.52', args: ['netexec', '--http-port=$(PORT)'] }, env), {
    ok: true,
    argv: ['/agnhost', 'netexec', '--http-port=8080'],
    builtin: 'agnhost',
    busybox: true,
  });
  assert.deepEqual(resolveEntrypoint({ name: 'c', image: 'busybox' }, env), { ok: true, argv: ['sh'], builtin: undefined, busybox: true });
  assert.deepEqual(resolveEntrypoint({ name: 'c', image: 'busybox', command: ['sleep'], args: ['3600'] }, env), { ok: true, argv: ['sleep', '3600'], builtin: undefined, busybox: true });
  assert.deepEqual(resolveEntrypoint({ name: 'c', image: 'example.com/app', command: ['/usr/bin/env'] }, env), { ok: true, argv: ['/usr/bin/env'], builtin: undefined, busybox: false });
  const miss = resolveEntrypoint({ name: 'c', image: 'example.com/app:1' }, env);
  assert.equal(miss.ok, false);
  assert.match(!miss.ok ? miss.message : '', /^image "example\.com\/app:1" has no built-in entrypoint in kubesvc, which does not pull images/);
});

test('$(VAR) expands defined variables only; $$ escapes', () => {
  const env = new Map([['A', 'x']]);
  assert.equal(expandVars('$(A)-$(B)-$$(A)', env), 'x-$(B)-$(A)');
});

test('image names from the Kubernetes docs map onto the same built-in programs', () => {
  const env = new Map<string, string>();
  assert.deepEqual(resolveEntrypoint({ name: 'nginx', image: 'registry.k8s.io/nginx-slim:0.8' }, env), { ok: true, argv: ['/kubesvc/nginx'], builtin: 'nginx', busybox: false });
  assert.deepEqual(resolveEntrypoint({ name: 'h', image: 'registry.k8s.io/serve_hostname' }, env), { ok: true, argv: ['/agnhost', 'serve-hostname'], builtin: 'agnhost', busybox: false });
  assert.deepEqual(resolveEntrypoint({ name: 'b', image: 'registry.k8s.io/e2e-test-images/busybox:1.36.1-1' }, env), { ok: true, argv: ['sh'], builtin: undefined, busybox: true });
});
