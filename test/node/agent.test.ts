// The node agent end to end on a real API server (memory store, in-process client), inside a
// network namespace of its own: real sandboxes, real processes, real probes.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { NODES, SERVICES } from '../../src/client/index.js';
import { agentHarness } from './agent-harness.js';
import { inOwnNetns } from './in-netns.js';

if (inOwnNetns(import.meta.url)) {
  const h = agentHarness({ tag: 'a', nodeName: 'node-a', podCIDR: '10.244.3.0/24', graceSeconds: 5, agent: { statusCheckIntervalMs: 1000 } });
  const { api, client, dataDir, prefix, pods, create, until } = h;
  const ready = (p: Pod) => p.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
  const fetchText = async (url: string) => (await fetch(url, { signal: AbortSignal.timeout(3000) })).text();

  test('the node registers Ready with its pod CIDR', async () => {
    const node = await client.resource(NODES).get(undefined, 'node-a');
    assert.equal(node.spec?.podCIDR, '10.244.3.0/24');
    assert.equal(node.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
  });

  test('nginx pods run Ready with distinct IPs in the pod CIDR and serve the default page', async () => {
    await create('web-1', { containers: [{ name: 'nginx', image: 'nginx:1.27', ports: [{ containerPort: 8080 }] }] });
    await create('web-2', { containers: [{ name: 'nginx', image: 'docker.io/library/nginx' }] });
    const p1 = await until('web-1 Ready', async () => ((p) => ready(p) && p)(await pods.get('default', 'web-1')));
    const p2 = await until('web-2 Ready', async () => ((p) => ready(p) && p)(await pods.get('default', 'web-2')));
    assert.equal(p1.status?.phase, 'Running');
    assert.match(p1.status?.podIP ?? '', /^10\.244\.3\.\d+$/);
    assert.notEqual(p1.status?.podIP, p2.status?.podIP);
    assert.equal(p1.status?.hostIP, '127.0.0.1');
    assert.equal(p1.status?.containerStatuses?.[0]?.restartCount, 0);
    assert.ok(p1.status?.containerStatuses?.[0]?.state?.running?.startedAt);
    const page = await until('nginx page', () => fetchText(`http://${p1.status?.podIP}/`));
    assert.match(page, /Welcome to nginx!/);
    assert.match(await fetchText(`http://${p1.status?.podIP}:8080/`), /Welcome to nginx!/);
  });

  test('a failing readiness probe leaves the pod Running but not Ready', async () => {
    await create('unready', {
      containers: [{ name: 'web', image: 'httpd', readinessProbe: { httpGet: { path: '/', port: 81 }, periodSeconds: 1, failureThreshold: 1 } }],
    });
    const p = await until('unready Running', async () => ((x) => x.status?.phase === 'Running' && x)(await pods.get('default', 'unready')));
    await new Promise((r) => setTimeout(r, 2500));
    const again = await pods.get('default', 'unready');
    assert.equal(again.status?.phase, 'Running');
    assert.equal(ready(again), false);
    const cond = again.status?.conditions?.find((c) => c.type === 'ContainersReady');
    assert.equal(cond?.reason, 'ContainersNotReady');
    assert.equal(cond?.message, 'containers with unready status: [web]');
    assert.match(await fetchText(`http://${p.status?.podIP}/`), /It works!/);
  });

  test('a crashing container restarts with back-off and shows CrashLoopBackOff', async () => {
    await create('crash', { containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'echo boom; exit 3'] }] });
    const p = await until('CrashLoopBackOff', async () =>
      ((x) => x.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CrashLoopBackOff' && x)(await pods.get('default', 'crash')),
    );
    const cs = p.status!.containerStatuses![0];
    assert.equal(cs.restartCount, 1);
    assert.equal(cs.lastState?.terminated?.exitCode, 3);
    assert.equal(cs.lastState?.terminated?.reason, 'Error');
    assert.match(cs.state?.waiting?.message ?? '', /^back-off 10s restarting failed container=c pod=crash_default\(/);
    assert.equal(p.status?.phase, 'Running');
  });

  test('pods/log through the API server: current and previous run, tailLines, follow, errors as kube-apiserver', async () => {
    const base = `http://127.0.0.1:${api.port()}/api/v1/namespaces/default/pods`;
    const get = async (path: string) => {
      const r = await fetch(`${base}/${path}`, { signal: AbortSignal.timeout(5000) });
      return { code: r.status, text: await r.text() };
    };
    assert.deepEqual(await get('crash/log'), { code: 200, text: 'boom\n' });
    assert.deepEqual(await get('crash/log?previous=true'), { code: 200, text: 'boom\n' });
    const web = await get('web-1/log?container=nginx');
    assert.match(web.text, /nginx listening on :80\n/);
    assert.equal((await get('web-1/log?tailLines=1')).text.split('\n').filter(Boolean).length, 1);
    assert.equal((await get('web-1/log?limitBytes=5')).text, 'nginx');
    assert.match((await get('web-1/log?timestamps=true')).text, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z nginx listening on :80\n/);
    assert.equal((await get('web-1/log?sinceSeconds=1')).text, '');
    const prev = await get('web-1/log?previous=true');
    assert.equal(prev.code, 400);
    assert.equal(JSON.parse(prev.text).message, 'previous terminated container "nginx" in pod "web-1" not found');
    const bad = await get('web-1/log?container=nope');
    assert.equal(JSON.parse(bad.text).message, 'container nope is not valid for pod web-1');
    // follow streams what the container writes later.
    await create('ticker', { containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.2; done'] }] });
    await until('ticker Running', async () => ready(await pods.get('default', 'ticker')));
    const ctl = new AbortController();
    const r = await fetch(`${base}/ticker/log?follow=true&tailLines=0`, { signal: ctl.signal });
    const reader = r.body!.getReader();
    let got = '';
    while (!/tick \d+\n.*tick \d+\n/s.test(got)) {
      const chunk = await reader.read();
      if (chunk.done) throw new Error(`the followed log ended early: ${JSON.stringify(got)}`);
      got += new TextDecoder().decode(chunk.value);
    }
    ctl.abort();
    await pods.delete('default', 'ticker', { gracePeriodSeconds: 0 });
  });

  test('service environment variables, downward API env and the pod DNS files reach the container', async () => {
    await client.resource(SERVICES).create('default', { metadata: { name: 'web-svc' }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80 }] } });
    const svc = await client.resource(SERVICES).get('default', 'web-svc');
    await create('env', {
      restartPolicy: 'Never',
      containers: [
        {
          name: 'c',
          image: 'busybox',
          command: ['sh', '-c', 'env > "$OUT"; cat /etc/resolv.conf >> "$OUT"; hostname >> "$OUT"'],
          env: [
            { name: 'OUT', value: join(dataDir, 'env.out') },
            { name: 'MY_POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            { name: 'MY_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
            { name: 'GREETING', value: 'pod $(MY_POD)' },
          ],
        },
      ],
    });
    const p = await until('env Succeeded', async () => ((x) => x.status?.phase === 'Succeeded' && x)(await pods.get('default', 'env')));
    assert.equal(p.status?.containerStatuses?.[0]?.state?.terminated?.reason, 'Completed');
    const out = execFileSync('cat', [join(dataDir, 'env.out')], { encoding: 'utf8' });
    assert.match(out, new RegExp(`^WEB_SVC_SERVICE_HOST=${svc.spec?.clusterIP}$`, 'm'));
    assert.match(out, /^WEB_SVC_SERVICE_PORT_HTTP=80$/m);
    assert.match(out, new RegExp(`^WEB_SVC_PORT_80_TCP=tcp://${svc.spec?.clusterIP}:80$`, 'm'));
    assert.match(out, /^KUBERNETES_SERVICE_HOST=10\.96\.0\.1$/m);
    assert.match(out, /^MY_POD=env$/m);
    assert.match(out, new RegExp(`^MY_IP=${p.status?.podIP?.replace(/\./g, '\\.')}$`, 'm'));
    assert.match(out, /^GREETING=pod env$/m);
    assert.match(out, /^search default\.svc\.cluster\.local svc\.cluster\.local cluster\.local/m);
    assert.match(out, /^nameserver 10\.96\.0\.10$/m);
    assert.match(out, /^env$/m);
  });

  test('init containers run first, in order; a failing liveness probe restarts the container', async () => {
    const out = join(dataDir, 'init.out');
    await create('lively', {
      initContainers: [
        { name: 'one', image: 'busybox', command: ['sh', '-c', `echo one >> ${out}`] },
        { name: 'two', image: 'busybox', command: ['sh', '-c', `echo two >> ${out}`] },
      ],
      containers: [{ name: 'web', image: 'nginx', livenessProbe: { tcpSocket: { port: 8081 }, periodSeconds: 1, failureThreshold: 2 } }],
    });
    const p = await until('a liveness restart', async () => ((x) => (x.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1 && x)(await pods.get('default', 'lively')), 20_000);
    assert.equal(execFileSync('cat', [out], { encoding: 'utf8' }), 'one\ntwo\n');
    assert.deepEqual(p.status?.initContainerStatuses?.map((s) => s.state?.terminated?.reason), ['Completed', 'Completed']);
    assert.equal(p.status?.conditions?.find((c) => c.type === 'Initialized')?.status, 'True');
    // nginx dies of the SIGTERM the kubelet sends: exit code 0 from its handler.
    assert.equal(p.status?.containerStatuses?.[0]?.lastState?.terminated?.exitCode, 0);
    await pods.delete('default', 'lively', { gracePeriodSeconds: 0 });
  });

  test('exec readiness probes run inside the sandbox with the container environment; hostNetwork pods get the node IP and hostname', async () => {
    await create('exec-ready', {
      containers: [
        {
          name: 'c',
          image: 'busybox',
          env: [{ name: 'GREETING', value: 'hi' }],
          command: ['sh', '-c', 'sleep 1; touch /tmp/ready-$(hostname); sleep 3600'],
          // As the kubelet's ExecSync: the probe sees the container's variables, not the agent's.
          readinessProbe: { exec: { command: ['sh', '-c', 'test -f /tmp/ready-exec-ready && test "$GREETING" = hi'] }, periodSeconds: 1 },
        },
      ],
    });
    await create('on-host', { hostNetwork: true, restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', `hostname > ${join(dataDir, 'host.out')}`] }] });
    const p = await until('exec-ready Ready', async () => ((x) => ready(x) && x)(await pods.get('default', 'exec-ready')), 15_000);
    assert.equal(p.status?.containerStatuses?.[0]?.ready, true);
    const h = await until('on-host Succeeded', async () => ((x) => x.status?.phase === 'Succeeded' && x)(await pods.get('default', 'on-host')));
    assert.equal(h.status?.podIP, '127.0.0.1');
    assert.equal(execFileSync('cat', [join(dataDir, 'host.out')], { encoding: 'utf8' }).trim(), 'node-a');
    execFileSync('rm', ['-f', '/tmp/ready-exec-ready']);
    await pods.delete('default', 'exec-ready', { gracePeriodSeconds: 0 });
  });

  test('an unknown image without a command waits in ErrImagePull with advice', async () => {
    await create('noimg', { containers: [{ name: 'c', image: 'example.com/team/app:1' }] });
    const p = await until('ErrImagePull', async () =>
      ((x) => ['ErrImagePull', 'ImagePullBackOff'].includes(x.status?.containerStatuses?.[0]?.state?.waiting?.reason ?? '') && x)(await pods.get('default', 'noimg')),
    );
    assert.equal(p.status?.phase, 'Pending');
    assert.match(p.status!.containerStatuses![0].state!.waiting!.message!, /does not pull images: use one of nginx, httpd/);
  });

  test('deleting a pod runs its SIGTERM handler within the grace period, then the pod is removed', async () => {
    const marker = join(dataDir, 'sigterm.out');
    await create('graceful', {
      containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', `trap 'echo got-term > ${marker}; exit 0' TERM; echo trapped > ${marker}.ready; while true; do sleep 0.1; done`] }],
    });
    await until('graceful Running', async () => ready(await pods.get('default', 'graceful')));
    // The handler must be installed before the signal can run it (a real kubelet has the same race).
    await until('the TERM trap', async () => existsSync(`${marker}.ready`));
    const p = await pods.get('default', 'graceful');
    await pods.delete('default', 'graceful', { gracePeriodSeconds: 10 });
    await until('graceful gone', async () => {
      try {
        await pods.get('default', 'graceful');
        return false;
      } catch {
        return true;
      }
    });
    assert.equal(execFileSync('cat', [marker], { encoding: 'utf8' }).trim(), 'got-term');
    const names = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
    assert.ok(!names.includes(`${prefix}${p.metadata?.uid}`), 'the sandbox is removed');
  });

  test('a restarted agent keeps running pods (same process, same IP)', async () => {
    const before = await pods.get('default', 'web-1');
    await h.restartAgent();
    assert.match(await fetchText(`http://${before.status?.podIP}/`), /Welcome to nginx!/);
    await new Promise((r) => setTimeout(r, 500));
    const after = await pods.get('default', 'web-1');
    assert.equal(after.status?.podIP, before.status?.podIP);
    assert.equal(after.status?.containerStatuses?.[0]?.restartCount, 0);
    assert.equal(ready(after), true);
  });
}
