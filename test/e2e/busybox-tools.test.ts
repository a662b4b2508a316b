// The networking tools users type in a busybox pod, for real: `kubesvc up --isolated`, the real
// kubectl, a Service `web` in front of nginx, a Service `empty` without endpoints and a pod address
// nothing answers (inside the cluster's own network namespace). Checks busybox's wget -T/--timeout
// (Debian's busybox segfaults on -T), busybox's texts and exit statuses for a refusal and a
// timeout, and the netcat-1.10-compatible nc (-zv, -vv, -w, piped request) resolving `web` through
// the pod's resolv.conf search path.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { kubectlFor, startIsolatedCluster, type Ran } from '../helpers/isolated.js';
import { canRunPods } from '../node/node-netns.js';

const hasKubectl = existsSync('/usr/bin/kubectl');

test('busybox wget and nc in a pod: timeouts, refusals, open ports, Services by name', { skip: (!canRunPods || !hasKubectl) && 'needs root on Linux and kubectl', timeout: 180_000 }, async (t) => {
  const c = await startIsolatedCluster(t, { prefix: 'bbtools', podCIDR: '10.244.47.0/24', args: ['--listen', '127.0.0.1:0', '--dns-upstream', '127.0.0.1:9'] });
  const { kubectl, ok } = kubectlFor(c);
  // In the long-running busybox pod, through kubectl exec (the container's PATH: the applets first).
  const sh = (script: string): Promise<Ran> => kubectl('exec', 'bb', '--', 'sh', '-c', script);
  // Nothing in the pod network answers here: .250 of the pod CIDR is never handed out in this test.
  const silent = '10.244.47.250';

  await ok('run', 'web', '--image=nginx', '--port=80', '--expose');
  await ok('create', 'service', 'clusterip', 'empty', '--tcp=80:80');
  await ok('run', 'bb', '--image=busybox', '--', 'sleep', '3600');
  // nc as a pod's own program: a persistent listener that runs a program per connection.
  await ok('run', 'listener', '--image=busybox', '--port=9000', '--expose', '--', 'nc', '-lkv', '-p', '9000', '-e', 'echo', 'hi from listener');
  await c.until('web answering through its Service from the bb pod', async () => ((await sh('wget -qO- -T 2 http://web')).out.includes('Welcome to nginx!') ? true : undefined), 60_000);

  await t.test('kubectl run --rm -i: wget -qO- --timeout=2 http://web prints the page', async () => {
    const r = await kubectl('run', 'get', '--image=busybox', '--rm', '-i', '--restart=Never', '--', 'wget', '-qO-', '--timeout=2', 'http://web');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /<title>Welcome to nginx!<\/title>/);
  });

  await t.test('wget: every form of the timeout option works; others pass through', async () => {
    const r = await sh('for o in "-T 2" -T2 --timeout=2 "--timeout 2" -qT2; do wget -q -O- $o http://web >/dev/null; echo "$o=$?"; done; wget --spider --timeout=1 http://web 2>&1; echo spider=$?');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^-T 2=0\n-T2=0\n--timeout=2=0\n--timeout 2=0\n-qT2=0\n/);
    assert.match(r.out, /remote file exists\nspider=0\n$/);
  });

  await t.test('wget -T 1 to an address nothing answers: busybox text and status after about a second', async () => {
    const start = Date.now();
    const r = await sh(`wget -qO- -T 1 http://${silent}/; echo "status=$?"`);
    const took = Date.now() - start;
    assert.equal(r.out, 'status=1\n');
    assert.equal(r.err, 'wget: download timed out\n');
    assert.ok(took >= 1000, `gave up after ${took} ms`);
  });

  await t.test('wget to a Service without endpoints is refused at once', async () => {
    const r = await sh('wget -qO- -T 5 http://empty; echo "status=$?"');
    assert.equal(r.out, 'status=1\n');
    assert.match(r.err, /^wget: can't connect to remote host \(10\.\d+\.\d+\.\d+\): Connection refused\n$/);
  });

  await t.test('nc -zv: open names the Service address; a refusal is silent at one -v and printed at two', async () => {
    const ip = (await ok('get', 'service', 'web', '-o', 'jsonpath={.spec.clusterIP}')).trim();
    const open = await sh('nc -zv web 80; echo "status=$?"');
    assert.equal(open.out, 'status=0\n');
    assert.equal(open.err, `web (${ip}:80) open\n`);
    const refused = await sh('nc -zv empty 80; echo "status=$?"; nc -zvv empty 80; echo "status=$?"');
    const emptyIP = (await ok('get', 'service', 'empty', '-o', 'jsonpath={.spec.clusterIP}')).trim();
    assert.equal(refused.out, 'status=1\nstatus=1\n');
    assert.equal(refused.err, `nc: empty (${emptyIP}:80): Connection refused\nsent 0, rcvd 0\n`);
    // A port the Service does not have is refused by the proxy too.
    const port81 = await sh('nc -zvv web 81; echo "status=$?"');
    assert.equal(port81.out, 'status=1\n');
    assert.equal(port81.err, `nc: web (${ip}:81): Connection refused\nsent 0, rcvd 0\n`);
    // The fully qualified name resolves too; nc -z -w 1 web 80 is the silent form scripts use.
    const quiet = await sh('nc -z -w 1 web.default.svc.cluster.local 80; echo "status=$?"');
    assert.equal(quiet.out + quiet.err, 'status=0\n');
  });

  await t.test('nc -z -w 1 to an address nothing answers times out (status 1, text with -v)', async () => {
    const r = await sh(`nc -z -w 1 ${silent} 80; echo "status=$?"; nc -zv -w 1 ${silent} 80; echo "status=$?"`);
    assert.equal(r.out, 'status=1\nstatus=1\n');
    assert.equal(r.err, `nc: ${silent} (${silent}:80): Connection timed out\n`);
  });

  await t.test('nc -u -w 1: a DNS query to the cluster DNS gets the Service address back', async () => {
    const ip = (await ok('get', 'service', 'web', '-o', 'jsonpath={.spec.clusterIP}')).trim();
    // ID 0x1234, recursion desired, one question: web.default.svc.cluster.local A IN.
    const query = ['\\022\\064\\001\\000\\000\\001\\000\\000\\000\\000\\000\\000', ...['web', 'default', 'svc', 'cluster', 'local'].map((l) => `\\${l.length.toString(8).padStart(3, '0')}${l}`), '\\000\\000\\001\\000\\001'].join('');
    const r = await sh(`printf '${query}' | nc -u -w 1 10.96.0.10 53 | od -An -tu1 -v; echo "status=$?"`);
    assert.match(r.out, /status=0\n$/, r.err);
    const bytes = r.out.replace(/status=0\n$/, '').trim().split(/\s+/).map(Number);
    assert.deepEqual(bytes.slice(0, 2), [0x12, 0x34], r.out);
    assert.equal((bytes[6] << 8) | bytes[7], 1, `one answer: ${r.out}`);
    assert.equal(bytes.slice(-4).join('.'), ip);
  });

  await t.test('nc -lk -e as a pod: every connection through its Service runs the program', async (tt) => {
    await c.until('the listener pod behind its Service', async () => ((await sh('nc listener 9000 </dev/null')).out === 'hi from listener\n' ? true : undefined), 30_000);
    const r = await sh('nc listener 9000 </dev/null; nc -w 2 listener 9000 </dev/null; echo "status=$?"');
    assert.equal(r.out, 'hi from listener\nhi from listener\nstatus=0\n', r.err);
    const log = await ok('logs', 'listener');
    tt.diagnostic(log);
    assert.match(log, /^listening on (\[::\]|0\.0\.0\.0):9000 \.\.\.\n/);
    assert.match(log, /\nconnect to \S+:9000 from \S+ \(\S+\)\n/);
  });

  await t.test('a request piped through nc gets the response', async () => {
    const r = await sh(`printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc web 80`);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^HTTP\/1\.[01] 200 OK\r\n/);
    assert.match(r.out, /Welcome to nginx!/);
  });
});
