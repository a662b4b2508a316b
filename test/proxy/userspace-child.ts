// Runs the userspace backend inside a test network namespace (its sockets must live there, so it
// cannot run in the test process): `ip netns exec NS node --import tsx test/proxy/userspace-child.ts`.
// JSON commands on stdin, one JSON answer per line on stdout:
//   {id, op:'service', key, obj|null} {id, op:'slice', obj, deleted} {id, op:'sync', full?}
//   {id, op:'cleanup'} → {id, ok, err?}
import { createInterface } from 'node:readline';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { ChangeTracker } from '../../src/proxy/change-tracker.js';
import { spawnExec } from '../../src/proxy/exec.js';
import { userspaceBackend } from '../../src/proxy/userspace/backend.js';
import { silentLogger } from '../../src/util/log.js';

interface Cmd {
  id: number;
  op: 'service' | 'slice' | 'sync' | 'cleanup';
  key?: string;
  obj?: Service | EndpointSlice | null;
  deleted?: boolean;
  full?: boolean;
  nodeName?: string;
}

const tracker = new ChangeTracker(() => Date.now());
const backend = userspaceBackend({ exec: spawnExec, ipCommand: ['ip'], udpIdleMs: Number(process.env.UDP_IDLE_MS ?? 250), logger: silentLogger });
const facts = { nodeName: process.env.NODE_NAME ?? 'node-a', serviceCIDRs: ['10.96.0.0/12'], podCIDR: '10.244.0.0/16', nodePortAddresses: [] };
const out = (o: object) => process.stdout.write(JSON.stringify(o) + '\n');
let chain = Promise.resolve();

createInterface({ input: process.stdin }).on('line', (line) => {
  const c = JSON.parse(line) as Cmd;
  // One command at a time, in order (sync is async).
  chain = chain.then(async () => {
    try {
      if (c.op === 'service') tracker.serviceChanged(c.key!, (c.obj as Service | null) ?? undefined);
      else if (c.op === 'slice') tracker.sliceChanged(c.obj as EndpointSlice, c.deleted ?? false);
      else if (c.op === 'sync') await backend.sync(tracker.checkout().state, facts, c.full ?? false);
      else if (c.op === 'cleanup') await backend.cleanup();
      out({ id: c.id, ok: true });
    } catch (e) {
      out({ id: c.id, ok: false, err: String(e) });
    }
  });
});
process.stdin.on('end', () => void chain.then(() => backend.cleanup()).finally(() => process.exit(0)));
