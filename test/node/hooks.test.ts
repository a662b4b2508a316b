// Container lifecycle hooks on a real agent (memory-store API server, real sandboxes and
// processes) inside a network namespace of its own: postStart and preStop, exec and httpGet.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Event } from 'kubernetes-types/core/v1.js';
import { EVENTS } from '../../src/client/index.js';
import { agentHarness } from './agent-harness.js';
import { inOwnNetns } from './in-netns.js';

if (inOwnNetns(import.meta.url)) {
  // Receives httpGet hooks (the agent runs them from the node's namespace, which this process shares).
  const hits: { path: string; agent: string }[] = [];
  const hookServer = createServer((req, res) => {
    hits.push({ path: req.url ?? '', agent: String(req.headers['user-agent']) });
    res.writeHead(500).end(); // the status code of a hook's response does not matter
  });

  const h = agentHarness({
    tag: 'h',
    nodeName: 'node-h',
    podCIDR: '10.244.4.0/24',
    graceSeconds: 10,
    before: () => new Promise<void>((r) => hookServer.listen(0, '127.0.0.1', r)),
    after: () => hookServer.close(),
  });
  const { client, dataDir, pods, create } = h;
  const until = <T>(what: string, f: () => Promise<T | undefined | false>, ms = 20_000) => h.until(what, f, ms);
  const gone = (name: string) => until(`${name} gone`, async () => pods.get('default', name).then(() => false, () => true));
  const events = async (name: string) => (await client.resource(EVENTS).list({ namespace: 'default' })).items.filter((e: Event) => e.involvedObject?.name === name);

  test('postStart exec runs in the container; preStop exec runs before SIGTERM, within the grace period', async () => {
    const out = join(dataDir, 'order.out');
    await create('hooked', {
      containers: [
        {
          name: 'c',
          image: 'busybox',
          command: ['sh', '-c', `trap 'echo term >> ${out}; exit 0' TERM; echo main >> ${out}; while true; do sleep 0.1; done`],
          lifecycle: {
            postStart: { exec: { command: ['sh', '-c', `echo post-start $(hostname) >> ${out}`] } },
            preStop: { exec: { command: ['sh', '-c', `echo pre-stop >> ${out}; sleep 1`] } },
          },
        },
      ],
    });
    await until('hooked Ready', async () => (await pods.get('default', 'hooked')).status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
    await until('postStart output', async () => existsSync(out) && readFileSync(out, 'utf8').includes('post-start hooked'));
    await pods.delete('default', 'hooked', { gracePeriodSeconds: 10 });
    await gone('hooked');
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    // postStart is not ordered against the entrypoint; preStop comes strictly before the TERM.
    assert.deepEqual([...lines].sort(), ['main', 'post-start hooked', 'pre-stop', 'term'].sort());
    assert.deepEqual(lines.slice(-2), ['pre-stop', 'term']);
  });

  test('a failing postStart hook kills the container (FailedPostStartHook) and it restarts', async () => {
    await create('badstart', {
      containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'sleep 3600'], lifecycle: { postStart: { exec: { command: ['sh', '-c', 'echo nope; exit 3'] } } } }],
    });
    const p = await until('a restart', async () => ((x) => (x.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1 && x)(await pods.get('default', 'badstart')));
    assert.ok(p.status?.containerStatuses?.[0]?.lastState?.terminated, 'the killed run is the last state');
    const evs = await events('badstart');
    const failed = evs.find((e) => e.reason === 'FailedPostStartHook');
    assert.equal(failed?.type, 'Warning');
    assert.equal(
      failed?.message,
      `Exec lifecycle hook ([sh -c echo nope; exit 3]) for Container "c" in Pod "badstart_default(${p.metadata?.uid})" failed - error: command 'sh -c echo nope; exit 3' exited with 3: , message: "nope\\n"`,
    );
    assert.ok(evs.some((e) => e.reason === 'Killing' && e.message === 'FailedPostStartHook'));
    await pods.delete('default', 'badstart', { gracePeriodSeconds: 0 });
  });

  test('httpGet hooks: postStart and preStop requests reach their host and path; an unreachable preStop is FailedPreStopHook', async () => {
    const port = (hookServer.address() as AddressInfo).port;
    await create('http-hooked', {
      containers: [
        {
          name: 'web',
          image: 'nginx',
          lifecycle: { postStart: { httpGet: { host: '127.0.0.1', port, path: '/started' } }, preStop: { httpGet: { host: '127.0.0.1', port, path: '/stopping' } } },
        },
        { name: 'side', image: 'registry.k8s.io/pause', lifecycle: { preStop: { httpGet: { port: 9, path: '/nothing-here' } } } },
      ],
    });
    const p = await until('http-hooked Ready', async () => ((x) => x.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') && x)(await pods.get('default', 'http-hooked')));
    assert.deepEqual(hits.map((h) => h.path), ['/started']);
    assert.equal(hits[0].agent, 'kube-lifecycle/1.32');
    await pods.delete('default', 'http-hooked', { gracePeriodSeconds: 5 });
    await gone('http-hooked');
    assert.deepEqual(hits.map((h) => h.path), ['/started', '/stopping']);
    const failed = (await events('http-hooked')).find((e) => e.reason === 'FailedPreStopHook');
    assert.equal(
      failed?.message,
      `HTTP lifecycle hook (/nothing-here) for Container "side" in Pod "http-hooked_default(${p.metadata?.uid})" failed - error: Get "http://${p.status?.podIP}:9/nothing-here": dial tcp ${p.status?.podIP}:9: connect: connection refused`,
    );
  });
}
