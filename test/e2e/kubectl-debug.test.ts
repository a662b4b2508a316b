// kubectl debug with ephemeral containers, for real: `kubesvc up --isolated`, the real kubectl
// (1.32), an nginx pod, and busybox debug containers added through pods/ephemeralcontainers. The
// debug container shares the pod's network and hostname, its status and log stay after it ends,
// and an interactive one reads what kubectl feeds its stdin.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { kubectlFor, runCommand, startIsolatedCluster, type Ran } from '../helpers/isolated.js';
import { canRunPods } from '../node/node-netns.js';

const hasKubectl = existsSync('/usr/bin/kubectl');
const hasScript = existsSync('/usr/bin/script');

/** kubectl (or `script` running it) with `input` written to its stdin (then closed). */
function withStdin(env: NodeJS.ProcessEnv, input: string, args: string[]): Promise<Ran> {
  const [cmd, ...rest] = args[0] === 'script' ? args : ['kubectl', ...args];
  return runCommand(cmd, rest, env, input);
}

test('kubectl debug: an ephemeral busybox container in an nginx pod', { skip: (!canRunPods || !hasKubectl) && 'needs root on Linux and kubectl', timeout: 120_000 }, async (t) => {
  const c = await startIsolatedCluster(t, { prefix: 'debug', podCIDR: '10.244.53.0/24', args: ['--listen', '127.0.0.1:0', '--dns-upstream', '127.0.0.1:9'] });
  const { env, kubectl, ok } = kubectlFor(c);
  await ok('run', 'web', '--image=nginx');
  await ok('wait', '--for=condition=Ready', 'pod/web', '--timeout=60s');

  await t.test('kubectl debug -i --target=web: the page from localhost and the pod hostname', async () => {
    const r = await withStdin(env, '', ['debug', 'web', '-i', '--image=busybox', '--target=web', '--container=dbg', '--', 'sh', '-c', 'wget -qO- http://localhost/ | head -1; hostname']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /<!DOCTYPE html>\nweb\n/);
  });

  await t.test('its status: terminated with exit code 0, Completed; kubectl logs -c shows its output', async () => {
    const state = await c.until('the debug container terminated', async () => {
      const out = await ok('get', 'pod', 'web', '-o', 'jsonpath={.status.ephemeralContainerStatuses[?(@.name=="dbg")].state.terminated.exitCode} {.status.ephemeralContainerStatuses[?(@.name=="dbg")].state.terminated.reason} {.status.ephemeralContainerStatuses[0].ready} {.status.ephemeralContainerStatuses[0].restartCount}');
      return out.startsWith(' ') ? undefined : out;
    }, 20_000);
    assert.equal(state, '0 Completed false 0');
    const logs = await ok('logs', 'web', '-c', 'dbg');
    assert.equal(logs, '<!DOCTYPE html>\nweb\n');
    const spec = await ok('get', 'pod', 'web', '-o', 'jsonpath={.spec.ephemeralContainers[0].targetContainerName} {.status.phase} {.status.containerStatuses[0].ready}');
    assert.equal(spec, 'web Running true');
    const described = await ok('describe', 'pod', 'web');
    assert.match(described, /Ephemeral Containers:\n {2}dbg:\n {4}Container ID:\s+kubesvc:\/\/[0-9a-f]+\n {4}Image:\s+busybox\n/);
    assert.match(described, /State:\s+Terminated\n\s+Reason:\s+Completed\n\s+Exit Code:\s+0\n/);
    const ev = await ok('get', 'events', '--field-selector', 'involvedObject.fieldPath=spec.ephemeralContainers{dbg}', '-o', 'jsonpath={.items[*].reason}');
    assert.match(ev, /Pulled.*Created.*Started/);
  });

  await t.test('kubectl debug -i -- sh reads its stdin', async () => {
    const r = await withStdin(env, 'echo hi from $(hostname); exit\n', ['debug', 'web', '-i', '--image=busybox', '--container=shell', '--', 'sh']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /hi from web\n/);
  });

  await t.test('kubectl debug -it: a terminal, and what is typed reaches the shell', { skip: !hasScript && 'needs script (util-linux)' }, async () => {
    // script gives kubectl a terminal; the shell reads the typed line from the container's tty.
    const line = `kubectl debug -it web --image=busybox --container=term -- sh`;
    const r = await withStdin(env, 'tty; echo "typed $((6*7))"; exit\n', ['script', '--quiet', '--return', '--command', `stty rows 33 cols 101; ${line}`, '/dev/null']);
    assert.equal(r.code, 0, r.err + r.out);
    assert.match(r.out, /\/dev\/pts\/\d+/);
    assert.match(r.out, /typed 42/);
  });

  await t.test('a long-running one: running, kubectl exec into it, stopped with the pod', async () => {
    await ok('debug', 'web', '--image=busybox', '--container=sleeper', '--', 'sleep', '3593');
    await c.until('sleeper running', async () => ((await ok('get', 'pod', 'web', '-o', 'jsonpath={.status.ephemeralContainerStatuses[?(@.name=="sleeper")].state.running.startedAt}')) ? true : undefined), 20_000);
    const r = await kubectl('exec', 'web', '-c', 'sleeper', '--', 'sh', '-c', 'hostname; cat /etc/resolv.conf | grep -c nameserver');
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, 'web\n1\n');
    // A second write may not remove or change the ones there (kube-apiserver's texts).
    const removed = await kubectl('patch', 'pod', 'web', '--subresource=ephemeralcontainers', '--type=json', '-p', '[{"op":"remove","path":"/spec/ephemeralContainers/0"}]');
    assert.notEqual(removed.code, 0);
    assert.match(removed.err, /Pod "web" is invalid: spec\.ephemeralContainers: Forbidden: existing ephemeral containers "dbg" may not be removed/);
    const port = await kubectl('patch', 'pod', 'web', '--subresource=ephemeralcontainers', '--type=strategic', '-p', '{"spec":{"ephemeralContainers":[{"name":"p","image":"busybox","ports":[{"containerPort":81}]}]}}');
    assert.notEqual(port.code, 0);
    assert.match(port.err, /spec\.ephemeralContainers\[\d\]\.ports: Forbidden: cannot be set for an Ephemeral Container/);
  });

  await t.test('a container name already in the pod is refused with the apiserver text', async () => {
    const r = await kubectl('debug', 'web', '--image=busybox', '--container=web', '--', 'true');
    assert.notEqual(r.code, 0);
    assert.match(r.err, /Pod "web" is invalid: spec\.ephemeralContainers\[\d\]\.name: Duplicate value: "web"/);
  });

  await t.test('deleting the pod stops the running debug container', async () => {
    assert.match((await runCommand('pgrep', ['-f', '^sleep 3593$'], env)).out, /^\d+\n$/, 'the sleeper is not seen running');
    await ok('delete', 'pod', 'web', '--timeout=40s');
    const left = await runCommand('pgrep', ['-f', '^sleep 3593$'], env);
    assert.equal(left.out, '', 'a sleep 3593 is left');
  });
});
