// The Services tutorials' images, followed command by command in `kubesvc up --isolated` with the
// real kubectl and curl:
// - Kubernetes docs, "Using Source IP": `create deployment source-ip-app
//   --image=registry.k8s.io/echoserver:1.4`; from a pod the ClusterIP shows the pod's own address
//   as client_address; a NodePort Service reached by a client outside the node shows the node's
//   address (SNAT, externalTrafficPolicy Cluster), and the client's own after `kubectl patch svc
//   nodeport -p '{"spec":{"externalTrafficPolicy":"Local"}}'`. The outside client is a network
//   namespace of this test's own, wired to the cluster's by a veth pair (a client on the node itself
//   is masqueraded under either policy, as kube-proxy does, so it could not tell them apart). The
//   same through a LoadBalancer Service's EXTERNAL-IP, and its healthCheckNodePort answering with
//   the local endpoint count once the policy is Local.
// - minikube's quick start: hello-minikube from kicbase/echo-server:1.0 behind a NodePort.
// - GKE: hello-app:1.0 answers with its pod's hostname, and 2.0.0 after `kubectl set image`.
// - nginxdemos/hello:plain-text names the pod that answered; the debugging tool images
//   (curlimages/curl with curl's arguments, radial/busyboxplus:curl, nicolaka/netshoot's dig) reach
//   a Service by name from a pod.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCommand, startIsolatedCluster } from '../helpers/isolated.js';
import { canRunPods } from '../node/node-netns.js';

const hasTools = existsSync('/usr/bin/kubectl') && existsSync('/usr/bin/curl');
const CLIENT_IP = '192.168.241.2';
const ROUTER_IP = '192.168.241.1';

test('tutorial images: Using Source IP (echoserver), hello-minikube (kicbase/echo-server), hello-app', { skip: (!canRunPods || !hasTools) && 'needs root on Linux, kubectl and curl', timeout: 150_000 }, async (t) => {
  const c = await startIsolatedCluster(t, { prefix: 'tut', podCIDR: '10.244.41.0/24', args: ['--listen', '127.0.0.1:0', '--dns-upstream', '127.0.0.1:9'] });
  const env = { ...c.env, KUBECONFIG: join(c.dir, 'kubeconfig') };
  const kubectl = async (...args: string[]) => {
    const r = await runCommand('kubectl', args, env);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.err}`);
    return r.out;
  };
  const jsonpath = async (path: string, ...what: string[]) => (await kubectl('get', ...what, '-o', `jsonpath=${path}`)).trim();

  // All three Deployments at once: their pods start while the rest is set up.
  assert.equal(await kubectl('create', 'deployment', 'source-ip-app', '--image=registry.k8s.io/echoserver:1.4'), 'deployment.apps/source-ip-app created\n');
  await kubectl('create', 'deployment', 'hello-minikube', '--image=kicbase/echo-server:1.0');
  await kubectl('create', 'deployment', 'hello-app', '--image=us-docker.pkg.dev/google-samples/containers/gke/hello-app:1.0');
  await kubectl('expose', 'deployment', 'source-ip-app', '--name=clusterip', '--port=80', '--target-port=8080');
  await kubectl('expose', 'deployment', 'source-ip-app', '--name=nodeport', '--port=80', '--target-port=8080', '--type=NodePort');
  await kubectl('expose', 'deployment', 'source-ip-app', '--name=loadbalancer', '--port=80', '--target-port=8080', '--type=LoadBalancer');
  assert.equal(await kubectl('expose', 'deployment', 'hello-minikube', '--type=NodePort', '--port=8080'), 'service/hello-minikube exposed\n');
  await kubectl('expose', 'deployment', 'hello-app', '--port=80', '--target-port=8080');
  await kubectl('create', 'deployment', 'hello', '--image=nginxdemos/hello:plain-text');
  await kubectl('expose', 'deployment', 'hello', '--port=80');

  // The outside client: its own namespace, a veth to the cluster's, routed through it.
  const pid = readFileSync(join(c.dir, 'isolated.pid'), 'utf8').trim();
  const id = randomBytes(3).toString('hex');
  const clientNs = `ksvc-tutc-${id}`;
  const link = `tut${id}`;
  execFileSync('ip', ['netns', 'add', clientNs]);
  t.after(() => execFileSync('ip', ['netns', 'del', clientNs])); // the veth pair goes with it
  const inClient = (...args: string[]) => execFileSync('ip', ['-n', clientNs, ...args]);
  const inCluster = (...args: string[]) => execFileSync('nsenter', [`--net=/proc/${pid}/ns/net`, '--', 'ip', ...args]);
  inClient('link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', link, 'netns', pid);
  inClient('addr', 'add', `${CLIENT_IP}/24`, 'dev', 'eth0');
  inClient('link', 'set', 'lo', 'up');
  inClient('link', 'set', 'eth0', 'up');
  inClient('route', 'add', 'default', 'via', ROUTER_IP);
  inCluster('addr', 'add', `${ROUTER_IP}/24`, 'dev', link);
  inCluster('link', 'set', link, 'up');

  const nodeIP = await c.until('the Node InternalIP', async () => (await jsonpath('{.status.addresses[?(@.type=="InternalIP")].address}', 'node', c.node)) || undefined);
  const readyAddresses = (svc: string) => jsonpath('{.subsets[*].addresses[*].ip}', 'endpoints', svc);
  for (const svc of ['nodeport', 'hello-minikube', 'hello-app', 'hello']) await c.until(`a ready endpoint for ${svc}`, async () => (await readyAddresses(svc)) || undefined, 60_000);
  const nodePort = await jsonpath('{.spec.ports[0].nodePort}', 'svc', 'nodeport');
  const clientCurl = (url: string) => runCommand('ip', ['netns', 'exec', clientNs, 'curl', '-s', '--max-time', '3', url], env);
  const clientAddress = (page: string) => /^client_address=(.*)$/m.exec(page)?.[1];

  // Using Source IP, ClusterIP: a pod's request arrives with the pod's address.
  const clusterIP = await jsonpath('{.spec.clusterIP}', 'svc', 'clusterip');
  await kubectl('run', 'busybox', '--image=busybox', '--restart=Never', '--', 'wget', '-qO-', `http://${clusterIP}/`);
  await c.until('the busybox pod to finish', async () => ((await jsonpath('{.status.phase}', 'pod', 'busybox')) === 'Succeeded' ? true : undefined), 60_000);
  const busyboxIP = await jsonpath('{.status.podIP}', 'pod', 'busybox');
  const fromPod = await kubectl('logs', 'busybox');
  assert.equal(clientAddress(fromPod), busyboxIP, fromPod);
  assert.match(fromPod, /^CLIENT VALUES:\n/);
  assert.match(fromPod, /\nSERVER VALUES:\nserver_version=nginx: 1\.10\.0 - lua: 10001\n/);

  // NodePort, externalTrafficPolicy Cluster (the default): the node masquerades the client.
  const viaCluster = await c.until('the NodePort from the outside client', async () => {
    const r = await clientCurl(`http://${nodeIP}:${nodePort}/`);
    return r.code === 0 && clientAddress(r.out) ? r.out : undefined;
  });
  assert.notEqual(clientAddress(viaCluster), CLIENT_IP, viaCluster);
  assert.equal(clientAddress(viaCluster), nodeIP, viaCluster);

  // externalTrafficPolicy Local: the client's own address arrives.
  assert.equal(await kubectl('patch', 'svc', 'nodeport', '-p', '{"spec":{"externalTrafficPolicy":"Local"}}'), 'service/nodeport patched\n');
  const viaLocal = await c.until('client_address to be the client after the patch', async () => {
    const r = await clientCurl(`http://${nodeIP}:${nodePort}/`);
    return clientAddress(r.out) === CLIENT_IP ? r.out : undefined;
  }, 20_000);
  assert.match(viaLocal, new RegExp(`\nrequest_uri=http://${nodeIP.replace(/\./g, '\\.')}:8080/\n`));
  // From the node itself the Local policy still masquerades (kube-proxy's rule for node-originated
  // traffic), which is why the client above lives in a namespace of its own.
  const fromNode = await c.exec('curl', '-s', '--max-time', '3', `http://${nodeIP}:${nodePort}/`);
  assert.equal(clientAddress(fromNode.out), nodeIP, fromNode.out + fromNode.err);

  // LoadBalancer: the EXTERNAL-IP from outside, masqueraded under Cluster, the client under Local;
  // the health check node port counts the node's endpoints (what a cloud load balancer asks).
  const lbIP = await c.until('the LoadBalancer EXTERNAL-IP', async () => (await jsonpath('{.status.loadBalancer.ingress[0].ip}', 'svc', 'loadbalancer')) || undefined);
  const lbCluster = await c.until('the LoadBalancer IP from the outside client', async () => {
    const r = await clientCurl(`http://${lbIP}/`);
    return clientAddress(r.out);
  });
  assert.equal(lbCluster, nodeIP);
  await kubectl('patch', 'svc', 'loadbalancer', '-p', '{"spec":{"externalTrafficPolicy":"Local"}}');
  await c.until('client_address to be the client through the LoadBalancer IP', async () => (clientAddress((await clientCurl(`http://${lbIP}/`)).out) === CLIENT_IP ? true : undefined), 20_000);
  const healthPort = await jsonpath('{.spec.healthCheckNodePort}', 'svc', 'loadbalancer');
  assert.match(healthPort, /^\d+$/);
  const health = await c.until('the health check node port', async () => {
    const r = await c.exec('curl', '-s', '--max-time', '3', `http://localhost:${healthPort}/healthz`);
    return r.code === 0 && r.out ? r.out : undefined;
  });
  const healthJson = JSON.parse(health) as { service: { namespace: string; name: string }; localEndpoints: number };
  assert.deepEqual([healthJson.service, healthJson.localEndpoints], [{ namespace: 'default', name: 'loadbalancer' }, 1], health);

  // minikube's hello-minikube: the pod that served, the request line, the Host the client sent.
  const minikubePod = await jsonpath('{.items[0].metadata.name}', 'pods', '-l', 'app=hello-minikube');
  const minikubePort = await jsonpath('{.spec.ports[0].nodePort}', 'svc', 'hello-minikube');
  const mk = await clientCurl(`http://${nodeIP}:${minikubePort}/`);
  assert.equal(mk.code, 0, mk.err);
  assert.match(mk.out, new RegExp(`^Request served by ${minikubePod}\n\nHTTP/1\\.1 GET /\n\nHost: ${nodeIP.replace(/\./g, '\\.')}:${minikubePort}\nAccept: \\*/\\*\nUser-Agent: curl/`));

  // hello-app: its pod's hostname, then the version of the new tag after a rolling update.
  const helloIP = await jsonpath('{.spec.clusterIP}', 'svc', 'hello-app');
  const hello = async () => (await c.exec('curl', '-s', '--max-time', '3', `http://${helloIP}/`)).out;
  const helloPod = await jsonpath('{.items[0].metadata.name}', 'pods', '-l', 'app=hello-app');
  assert.equal(await hello(), `Hello, world!\nVersion: 1.0.0\nHostname: ${helloPod}\n`);
  await kubectl('set', 'image', 'deployment/hello-app', 'hello-app=us-docker.pkg.dev/google-samples/containers/gke/hello-app:2.0');
  const v2 = await c.until('hello-app 2.0.0', async () => {
    const page = await hello();
    return /^Version: 2\.0\.0$/m.test(page) ? page : undefined;
  }, 60_000);
  assert.match(v2, /^Hello, world!\nVersion: 2\.0\.0\nHostname: hello-app-[a-z0-9]+-[a-z0-9]{5}\n$/);

  // nginxdemos/hello:plain-text: the pod that answered, on its own address and port 80.
  const helloDemo = await c.exec('curl', '-s', '--max-time', '3', `http://${await jsonpath('{.spec.clusterIP}', 'svc', 'hello')}/lb?x=1`);
  const demoPod = await jsonpath('{.items[0].metadata.name}', 'pods', '-l', 'app=hello');
  const demoIP = await jsonpath('{.items[0].status.podIP}', 'pods', '-l', 'app=hello');
  assert.match(helloDemo.out, new RegExp(`^Server address: ${demoIP.replace(/\./g, '\\.')}:80\nServer name: ${demoPod}\nDate: .+\nURI: /lb\\?x=1\nRequest ID: [0-9a-f]{32}\n$`), helloDemo.out);

  // Tool images, as the docs run them (without -it here): each reaches a Service by name.
  await kubectl('run', 'curl', '--image=curlimages/curl', '--restart=Never', '--', '-s', 'http://hello-app/');
  await kubectl('run', 'busyboxplus', '--image=radial/busyboxplus:curl', '--restart=Never', '--', 'sh', '-c', 'curl -s http://hello-app.default.svc.cluster.local/ && busybox | head -1');
  await kubectl('run', 'netshoot', '--image=nicolaka/netshoot', '--restart=Never', '--', 'dig', '+short', 'hello-app.default.svc.cluster.local');
  for (const pod of ['curl', 'busyboxplus', 'netshoot']) {
    await c.until(`${pod} to finish`, async () => ((await jsonpath('{.status.phase}', 'pod', pod)) === 'Succeeded' ? true : undefined), 60_000);
  }
  assert.match(await kubectl('logs', 'curl'), /^Hello, world!\nVersion: [12]\.0\.0\n/);
  assert.match(await kubectl('logs', 'busyboxplus'), /^Hello, world!\nVersion: [12]\.0\.0\nHostname: \S+\nBusyBox v/);
  assert.equal(await kubectl('logs', 'netshoot'), `${helloIP}\n`);
});
