// Pods use Secrets in their environment, for real: `kubesvc up --isolated` runs a busybox pod that
// prints one variable from secretKeyRef and others from envFrom (a Secret with a prefix and a
// ConfigMap). A pod whose Secret is missing waits in CreateContainerConfigError with the kubelet's
// text, and starts once the Secret (and then its key) exists. Everything stays inside the
// cluster's own network namespace.
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { kubectlFor, runCommand, startIsolatedCluster } from '../helpers/isolated.js';
import { canRunPods } from '../node/node-netns.js';

const hasKubectl = existsSync('/usr/bin/kubectl');

const podYAML = (name: string, env: string, script: string) => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
  restartPolicy: Never
  containers:
  - name: main
    image: busybox
    command: ["sh", "-c", ${JSON.stringify(script)}]
${env}`;

test('a busybox pod prints variables from a Secret (secretKeyRef, envFrom with prefix) and a ConfigMap (envFrom)', { skip: (!canRunPods || !hasKubectl) && 'needs root on Linux and kubectl', timeout: 180_000 }, async (t) => {
  const c = await startIsolatedCluster(t, { prefix: 'secenv', podCIDR: '10.244.33.0/24', args: ['--listen', '127.0.0.1:0', '--dns-upstream', '127.0.0.1:9'] });
  const { env, ok: kubectl } = kubectlFor(c);
  const apply = async (file: string, yaml: string) => {
    writeFileSync(join(c.dir, file), yaml);
    return kubectl('apply', '-f', join(c.dir, file));
  };
  const phase = (pod: string) => runCommand('kubectl', ['get', 'pod', pod, '-o', 'jsonpath={.status.phase}'], env).then((r) => r.out);

  await kubectl('create', 'secret', 'generic', 'db', '--from-literal=password=s3cr3t', '--from-literal=user=admin');
  await kubectl('create', 'configmap', 'settings', '--from-literal=MODE=fast');
  await apply(
    'show.yaml',
    podYAML(
      'show',
      `    env:
    - name: PASSWORD
      valueFrom:
        secretKeyRef: {name: db, key: password}
    envFrom:
    - secretRef: {name: db}
      prefix: DB_
    - configMapRef: {name: settings}
`,
      'echo "password=$PASSWORD user=$DB_user mode=$MODE"',
    ),
  );
  await c.until('show to succeed', async () => ((await phase('show')) === 'Succeeded' ? true : undefined), 60_000);
  assert.equal(await kubectl('logs', 'show'), 'password=s3cr3t user=admin mode=fast\n');
  assert.equal(await kubectl('get', 'pod', 'show', '-o', 'jsonpath={.spec.serviceAccountName}'), 'default');

  // A Secret that does not exist yet: the container waits with the kubelet's reason and text.
  await apply(
    'later.yaml',
    podYAML(
      'later',
      `    env:
    - name: TOKEN
      valueFrom:
        secretKeyRef: {name: later, key: token}
`,
      'echo "token=$TOKEN"',
    ),
  );
  const waiting = (pod: string) => kubectl('get', 'pod', pod, '-o', 'jsonpath={.status.containerStatuses[0].state.waiting.reason}|{.status.containerStatuses[0].state.waiting.message}');
  await c.until('CreateContainerConfigError for the missing Secret', async () => ((await waiting('later')) === 'CreateContainerConfigError|secret "later" not found' ? true : undefined), 30_000);
  assert.match(await kubectl('get', 'pod', 'later'), /later\s+0\/1\s+CreateContainerConfigError/);
  // The Secret appears without the key: the text says so.
  await kubectl('create', 'secret', 'generic', 'later', '--from-literal=other=x');
  await c.until('the missing-key text', async () => ((await waiting('later')) === "CreateContainerConfigError|couldn't find key token in Secret default/later" ? true : undefined), 30_000);
  // With the key, the container starts.
  await kubectl('patch', 'secret', 'later', '--type=merge', '-p', '{"stringData":{"token":"t0k3n"}}');
  await c.until('later to succeed', async () => ((await phase('later')) === 'Succeeded' ? true : undefined), 40_000);
  assert.equal(await kubectl('logs', 'later'), 'token=t0k3n\n');
});
