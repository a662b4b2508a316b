// Runs src/proxy's userspace backend (--proxy-mode userspace) for one Service inside the network
// namespace it is started in, for bench/proxy's userspace-vs-haproxy section. Prints "ready" once
// the backend's first sync is done; on SIGTERM it cleans up (removes its addresses) and exits.
// Usage (inside the node namespace): node --import tsx bench/proxy/userspace-child.ts '<Target JSON>'
import { ChangeTracker } from '../../src/proxy/change-tracker.js';
import type { Backend } from '../../src/proxy/backend.js';
import { spawnExec, type Exec } from '../../src/proxy/exec.js';
import { silentLogger, type Logger } from '../../src/util/log.js';
import { endpointSlice, FACTS, service, type Target } from './rulesets.js';

type Factory = (o: { exec: Exec; ipCommand: readonly string[]; udpIdleMs: number; logger: Logger }) => Backend;

const target = JSON.parse(process.argv[2]) as Target;
// Loaded by path at run time: the bench must build and run whether or not the backend exists yet.
const modulePath = '../../src/proxy/userspace/backend.js';
const mod = (await import(modulePath)) as { userspaceBackend: Factory };
const backend = mod.userspaceBackend({ exec: spawnExec, ipCommand: ['ip'], udpIdleMs: 250, logger: silentLogger });
const tracker = new ChangeTracker(() => 0);
tracker.serviceChanged(`default/${target.name}`, service(target.name, target.clusterIP, target.port));
tracker.sliceChanged(endpointSlice(target.name, target.targetPort, target.endpoints), false);
await backend.sync(tracker.checkout().state, FACTS, true);
console.log('ready');
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await backend.cleanup();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
// Keeps the process alive until SIGTERM (the listeners would too; this does not depend on them).
setInterval(() => {}, 1 << 30);
