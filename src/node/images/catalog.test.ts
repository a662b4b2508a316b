import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expandVars, imageTag, normalizeImage, resolveEntrypoint } from './catalog.js';

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

test('tutorial images: programs get the image tag; tool images run host tools through their entrypoint', () => {
  const env = new Map<string, string>();
  const run = (image: string, extra: { command?: string[]; args?: string[] } = {}) => {
    const r = resolveEntrypoint({ name: 'c', image, ...extra }, env);
    assert.ok(r.ok);
    return r;
  };
  assert.equal(imageTag('registry.k8s.io/echoserver:1.4'), '1.4');
  assert.equal(imageTag('localhost:5000/app'), undefined);
  assert.equal(imageTag('nginxdemos/hello:plain-text@sha256:abcdef'), 'plain-text');
  assert.deepEqual(run('registry.k8s.io/echoserver:1.4'), { ok: true, argv: ['/kubesvc/echoserver', '--image-tag=1.4'], builtin: 'echoserver', busybox: false });
  assert.deepEqual(run('k8s.gcr.io/echoserver:1.10').argv, ['/kubesvc/echoserver', '--image-tag=1.10']);
  assert.deepEqual(run('gcr.io/google_containers/echoserver:1.4').argv, ['/kubesvc/echoserver', '--image-tag=1.4']);
  assert.deepEqual(run('kicbase/echo-server:1.0'), { ok: true, argv: ['/kubesvc/echo-server'], builtin: 'echo-server', busybox: false });
  assert.deepEqual(run('us-docker.pkg.dev/google-samples/containers/gke/hello-app:2.0').argv, ['/kubesvc/hello-app', '--image-tag=2.0']);
  assert.deepEqual(run('gcr.io/google-samples/hello-app:1.0').builtin, 'hello-app');
  assert.deepEqual(run('nginxdemos/hello').argv, ['/kubesvc/nginx-hello', '--image-tag=']);
  assert.deepEqual(run('nginxdemos/hello:plain-text').argv, ['/kubesvc/nginx-hello', '--image-tag=plain-text']);
  // curlimages/curl: arguments are curl's unless they name a command (its /entrypoint.sh).
  const curl = run('curlimages/curl:8.10.1', { args: ['-s', 'http://web'] });
  assert.deepEqual([curl.argv[0], curl.argv[1], curl.argv.slice(3)], ['sh', '-c', ['/entrypoint.sh', '-s', 'http://web']]);
  assert.deepEqual(run('curlimages/curl').argv.slice(3), ['/entrypoint.sh', 'curl']);
  assert.deepEqual(run('radial/busyboxplus:curl'), { ok: true, argv: ['sh'], builtin: undefined, busybox: true });
  assert.deepEqual(run('nicolaka/netshoot').argv.slice(0, 2), ['sh', '-c']);
  // command replaces the entrypoint, so no tag is added.
  assert.deepEqual(run('registry.k8s.io/echoserver:1.4', { command: ['/kubesvc/echoserver'] }).argv, ['/kubesvc/echoserver']);
});
