// The pods' side of the network (root, Linux): the podnet helper (one process, rtnetlink, a whole
// burst per run) and the `ip -n` per pod it replaces must leave each pod namespace the same — lo
// and eth0 up, the address, the default route via the bridge — and pods reach each other. Sandboxes
// are made in a throwaway node namespace (node-netns.ts); nothing leaves it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { podnetHelper, preparePodnetHelper } from '../../src/node/enter/helper.js';
import { findOnPath } from '../../src/node/host-check.js';
import { SandboxManager } from '../../src/node/sandbox.js';
import { silentLogger } from '../../src/util/log.js';
import { canRunPods, createNodeNetns } from './node-netns.js';

const pod = (uid: string): Pod => ({ metadata: { name: `p-${uid}`, namespace: 'team', uid }, spec: { containers: [{ name: 'c' }] } });
const inPod = (ns: string, ...cmd: string[]) => execFileSync('ip', ['-n', ns, ...cmd], { encoding: 'utf8' });

test('pod side of the network: podnet helper and ip -n give the same pod namespaces', { skip: !canRunPods && 'needs root on Linux', timeout: 60_000 }, async (t) => {
  const outer = process.env.KUBESVC_ENTER;
  delete process.env.KUBESVC_ENTER;
  t.after(() => {
    if (outer !== undefined) process.env.KUBESVC_ENTER = outer;
  });
  const helper = await preparePodnetHelper(silentLogger);
  // setup-host and CI install gcc; without one only `ip -n` can be tested.
  const noHelper = !helper && findOnPath('cc', process.env.PATH ?? '') === undefined && 'no C compiler (apt-get install gcc libc6-dev)';

  for (const [mode, setting, cidr] of [['podnet helper', 'auto', '10.244.8.0/24'], ['ip -n per pod', 'chain', '10.244.9.0/24']] as const) {
    await t.test(mode, { skip: setting === 'auto' && noHelper }, async () => {
      assert.ok(setting === 'chain' || helper, 'with a C compiler the helper must build');
      process.env.KUBESVC_ENTER = setting;
      const node = createNodeNetns();
      const dir = mkdtempSync(join(tmpdir(), 'ksvc-podnet-'));
      try {
        assert.equal(podnetHelper() !== undefined, setting === 'auto');
        const m = await SandboxManager.create({
          run: node.run,
          logger: silentLogger,
          dataDir: dir,
          podCIDR: cidr,
          netnsPrefix: node.prefix,
          clusterDNS: { nameservers: ['10.96.0.10'], clusterDomain: 'cluster.local' },
          hostResolvConf: 'nameserver 192.0.2.53\n',
          nodeHostname: 'node-a',
          hostHostsFile: '127.0.0.1 localhost\n',
        });
        // A burst: twelve at once share node-side and pod-side batches.
        const sandboxes = await Promise.all(Array.from({ length: 12 }, (_, i) => m.setup(pod(`u${i}`))));
        const base = cidr.slice(0, cidr.lastIndexOf('.'));
        assert.deepEqual(sandboxes.map((s) => s.ip).sort(), Array.from({ length: 12 }, (_, i) => `${base}.${i + 2}`).sort());
        for (const s of sandboxes) {
          assert.match(inPod(s.netns!, '-4', '-o', 'addr', 'show', 'dev', 'eth0'), new RegExp(`inet ${s.ip.replace(/\./g, '\\.')}/24 `));
          assert.match(inPod(s.netns!, 'link', 'show', 'lo'), /<LOOPBACK,UP,LOWER_UP>/);
          assert.match(inPod(s.netns!, 'link', 'show', 'eth0'), /state UP/);
          // `-d` shows the protocol: boot, as `ip route add` sets it.
          assert.equal(inPod(s.netns!, '-d', '-4', 'route', 'show', 'default').trim(), `unicast default via ${base}.1 dev eth0 proto boot scope global`);
        }
        // Pod to pod over the bridge (busybox ping inside the first pod's namespace).
        const ping = execFileSync('ip', ['netns', 'exec', sandboxes[0].netns!, 'busybox', 'ping', '-c', '1', '-W', '2', sandboxes[11].ip], { encoding: 'utf8' });
        assert.match(ping, /1 packets received/);
        for (const s of sandboxes) await m.teardown(s.uid);
        await m.removeBridge();
      } finally {
        delete process.env.KUBESVC_ENTER;
        node.remove();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
