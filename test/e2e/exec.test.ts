// The product promise, end to end under `kubesvc up --isolated` with the real kubectl (through
// `kubesvc exec`): `kubectl exec` (hostname, piped stdin, exit codes, the pod's DNS files and env,
// a terminal with its window size; over WebSocket and over SPDY), `kubectl run -it --rm ... --
// wget http://web` printing a Service's page (cluster DNS and the nftables proxy) and deleting the
// pod, `kubectl run -i --rm` reading piped stdin, `kubectl attach -i` to a running container,
// kube-apiserver's error texts, and `kubectl port-forward`. Stopping the cluster leaves no
// namespace behind. (busybox wget's -T crashes on Debian's busybox 1.35: `timeout` is used instead.)
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { KUBESVC_MAIN, startIsolatedCluster } from '../helpers/isolated.js';
import { canRunPods } from '../node/node-netns.js';

const hasKubectl = existsSync('/usr/bin/kubectl');
const hasScript = existsSync('/usr/bin/script');

interface Result {
  code: number | null;
  out: string;
  err: string;
}

test('kubectl exec, attach, run -it --rm and port-forward against kubesvc up --isolated', { skip: (!canRunPods || !hasKubectl || !hasScript) && 'needs root on Linux, kubectl and script', timeout: 240_000 }, async (t) => {
  const cluster = await startIsolatedCluster(t, { prefix: 'ex', podCIDR: '10.244.19.0/24' });
  const { dir, node, env, until } = cluster;
  /** A command inside the cluster's namespace; `input` is piped to its stdin (then closed). */
  const run = (args: string[], input?: string, wrap?: (argv: string[]) => string[]) =>
    new Promise<Result>((resolve) => {
      const argv = [process.execPath, '--import', 'tsx', KUBESVC_MAIN, 'exec', '--data-dir', dir, '--', ...args];
      const full = wrap ? wrap(argv) : argv;
      const c = spawn(full[0], full.slice(1), { env, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      c.stdout?.on('data', (d: Buffer) => (out += d.toString()));
      c.stderr?.on('data', (d: Buffer) => (err += d.toString()));
      if (input !== undefined) c.stdin?.end(input);
      const timer = setTimeout(() => c.kill('SIGKILL'), 60_000);
      c.on('exit', (code) => {
        clearTimeout(timer);
        resolve({ code, out, err });
      });
    });
  const kubectl = (...args: string[]) => run(['kubectl', ...args]);
  const runningPod = (name: string) =>
    until(`pod ${name} Running`, async () => {
      const r = await kubectl('get', 'pod', name, '-o', 'json');
      const p = r.code === 0 ? (JSON.parse(r.out) as Pod) : undefined;
      return p?.status?.phase === 'Running' ? p : undefined;
    });

  assert.equal((await kubectl('run', 'web', '--image=nginx')).code, 0);
  assert.equal((await kubectl('run', 'bb', '--image=busybox', '--env=GREETING=hi there', '--', 'sleep', '3600')).code, 0);
  const web = await runningPod('web');
  await runningPod('bb');
  const webIP = web.status?.podIP ?? '';
  assert.match(webIP, /^10\.244\.19\.\d+$/);

  await t.test('exec runs in the pod: hostname, DNS files, env, busybox tools', async () => {
    const h = await kubectl('exec', 'bb', '--', 'hostname');
    assert.equal(h.code, 0, h.err);
    assert.equal(h.out, 'bb\n');
    const files = await kubectl('exec', 'bb', '--', 'sh', '-c', 'cat /etc/resolv.conf; grep bb /etc/hosts; echo "$GREETING"');
    assert.match(files.out, /nameserver 10\.96\.0\.10/);
    assert.match(files.out, /search default\.svc\.cluster\.local svc\.cluster\.local cluster\.local/);
    assert.match(files.out, /10\.244\.19\.\d+\s+bb/);
    assert.match(files.out, /^hi there$/m);
    const page = await kubectl('exec', 'bb', '--', 'wget', '-qO-', `http://${webIP}/`);
    assert.match(page.out, /Welcome to nginx!/);
  });

  await t.test('exec -i pipes stdin; exit codes come back as kubectl exit codes', async () => {
    const cat = await run(['kubectl', 'exec', '-i', 'bb', '--', 'sh', '-c', 'cat; echo end'], 'line one\nline two\n');
    assert.equal(cat.code, 0, cat.err);
    assert.equal(cat.out, 'line one\nline two\nend\n');
    const three = await kubectl('exec', 'bb', '--', 'sh', '-c', 'echo to-stderr >&2; exit 3');
    assert.equal(three.code, 3);
    assert.match(three.err, /to-stderr/);
    assert.match(three.err, /command terminated with exit code 3/);
    const missing = await kubectl('exec', 'bb', '--', 'no-such-program');
    assert.equal(missing.code, 127);
  });

  await t.test('exec and run -i over SPDY/3.1 (kubectl without WebSockets)', async () => {
    const spdy = (args: string[], input?: string) => run(['env', 'KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false', 'kubectl', ...args], input);
    const r = await spdy(['exec', '-i', 'bb', '--', 'sh', '-c', 'cat; echo err >&2; exit 5'], 'via spdy\n');
    assert.equal(r.out, 'via spdy\n');
    assert.match(r.err, /^err$/m);
    assert.equal(r.code, 5);
    const h = await spdy(['exec', 'bb', '--', 'hostname']);
    assert.equal(h.out, 'bb\n');
    assert.equal(h.code, 0);
    const ri = await spdy(['run', '-i', '--rm', '--image=busybox', '--restart=Never', 'sp', '--', 'sh', '-c', 'read x; echo got $x'], 'spdy-in\n');
    assert.match(ri.out, /^got spdy-in$/m);
  });

  await t.test('exec -it gets a terminal with the client window size', async () => {
    // script gives kubectl a terminal of 33 rows x 101 columns; kubectl sends that size on channel 4.
    const wrap = (argv: string[]) => ['script', '--quiet', '--return', '--command', `stty rows 33 cols 101; ${argv.map((a) => `'${a}'`).join(' ')}`, '/dev/null'];
    const r = await run(['kubectl', 'exec', '-it', 'bb', '--', 'sh', '-c', 'tty; stty size; exit 4'], '', wrap);
    assert.match(r.out, /\/dev\/pts\/\d+/);
    assert.match(r.out, /33 101/);
    assert.equal(r.code, 4);
  });

  await t.test('error texts as kube-apiserver and kubectl', async () => {
    const noContainer = await kubectl('exec', 'bb', '-c', 'nope', '--', 'true');
    assert.notEqual(noContainer.code, 0);
    assert.match(noContainer.err, /container nope is not valid for pod bb|container nope not found in pod bb/);
    const noPod = await kubectl('exec', 'nope', '--', 'true');
    assert.match(noPod.err, /pods "nope" not found/);
    // Straight at the API (kubectl checks some of these itself first).
    const raw = await run(['curl', '-s', '--max-time', '5', '-H', 'Connection: Upgrade', '-H', 'Upgrade: websocket', '-H', 'Sec-WebSocket-Version: 13', '-H', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', '-H', 'Sec-WebSocket-Protocol: v5.channel.k8s.io', `${apiBase()}/api/v1/namespaces/default/pods/bb/exec?container=zz&command=true&stdout=true`]);
    assert.equal((JSON.parse(raw.out) as { message: string }).message, 'container zz is not valid for pod bb');
    const plain = await run(['curl', '-s', '--max-time', '5', `${apiBase()}/api/v1/namespaces/default/pods/bb/exec?command=true&stdout=true`]);
    assert.equal((JSON.parse(plain.out) as { message: string }).message, 'Upgrade request required');
  });

  await t.test('kubectl run -it --rm prints the page of a Service by name and deletes the pod', async () => {
    // The product promise, through cluster DNS and the service proxy (nftables, in the cluster's namespace).
    assert.equal((await kubectl('expose', 'pod', 'web', '--port=80')).code, 0);
    await until('the web Service answering by name', async () => (/Welcome to nginx!/.test((await kubectl('exec', 'bb', '--', 'timeout', '5', 'wget', '-qO-', 'http://web')).out) ? true : undefined), 30_000);
    const r = await kubectl('run', 'debug', '--image=busybox', '-it', '--rm', '--restart=Never', '--', 'wget', '-qO-', 'http://web');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /Welcome to nginx!/);
    assert.match(r.out, /pod "debug" deleted/);
    assert.doesNotMatch(r.err, /couldn't attach/);
    await until('debug gone', async () => ((await kubectl('get', 'pod', 'debug')).code !== 0 ? true : undefined));
  });

  await t.test('kubectl run -i --rm feeds piped stdin to the container', async () => {
    const r = await run(['kubectl', 'run', '-i', '--rm', '--image=busybox', '--restart=Never', 't', '--', 'sh', '-c', 'read x; echo got $x'], 'hello\n');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^got hello$/m);
    assert.match(r.out, /pod "t" deleted/);
  });

  await t.test('kubectl attach -i reaches a running container', async () => {
    const manifest = JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'reader' }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox', stdin: true, command: ['sh', '-c', 'echo ready; read a; read b; echo "sum:$a+$b"'] }] } });
    assert.equal((await run(['kubectl', 'apply', '-f', '-'], manifest)).code, 0);
    await runningPod('reader');
    const r = await run(['kubectl', 'attach', '-i', 'reader'], '1\n2\n');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /sum:1\+2/);
    const logs = await kubectl('logs', 'reader');
    assert.match(logs.out, /ready\nsum:1\+2/);
  });

  await t.test('kubectl port-forward: WebSocket tunnel, SPDY fallback, refused port', async () => {
    const clusterPid = readFileSync(join(dir, 'isolated.pid'), 'utf8').trim();
    /** kubectl port-forward in the background, inside the cluster's namespace (nsenter execs kubectl: one pid to end). */
    const forward = async (target: string, local: number, remote: number, extraEnv: Record<string, string> = {}) => {
      const c = spawn('nsenter', [`--net=/proc/${clusterPid}/ns/net`, '--', 'kubectl', 'port-forward', target, `${local}:${remote}`], { env: { ...env, ...extraEnv, KUBECONFIG: join(dir, 'kubeconfig') }, stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      c.stdout.on('data', (d: Buffer) => (text += d.toString()));
      c.stderr.on('data', (d: Buffer) => (text += d.toString()));
      t.after(() => void (c.exitCode === null && c.kill('SIGKILL')));
      await until(`port-forward ${local}`, async () => (text.includes(`Forwarding from 127.0.0.1:${local}`) ? true : text.includes('error') ? Promise.reject(new Error(text)) : undefined), 20_000);
      return { output: () => text, stop: () => c.kill('SIGTERM') };
    };
    const ws = await forward('pod/web', 8080, 80);
    const page = await run(['curl', '-s', '--max-time', '5', 'http://127.0.0.1:8080/']);
    assert.match(page.out, /Welcome to nginx!/);
    assert.match(ws.output(), /Handling connection for 8080/);
    ws.stop();
    // Without WebSockets kubectl speaks SPDY/3.1 on a raw upgraded connection.
    const spdy = await forward('pod/web', 8081, 80, { KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' });
    assert.match((await run(['curl', '-s', '--max-time', '5', 'http://127.0.0.1:8081/'])).out, /Welcome to nginx!/);
    spdy.stop();
    const refused = await forward('pod/web', 8082, 81);
    const r = await run(['curl', '-s', '--max-time', '5', 'http://127.0.0.1:8082/']);
    assert.notEqual(r.code, 0);
    await until('the error text', async () => (/error forwarding port 81 to pod web_default, uid [0-9a-f-]+: failed to connect/.test(refused.output()) ? true : undefined), 10_000);
    refused.stop();
  });

  assert.equal(await cluster.stop(), 0);
  const left = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.startsWith(`ksvc-${node}-`));
  assert.deepEqual(left, []);

  function apiBase(): string {
    const m = /server: (https?:\/\/[^\s]+)/.exec(readFileSync(join(dir, 'kubeconfig'), 'utf8'));
    return m ? m[1] : 'http://127.0.0.1:6443';
  }
});
