// What exec and attach need to know about one container, found by the agent (agent.ts) from its
// pod worker: the spec (stdin, stdinOnce, tty), the main process of the running container (from
// the pod's containers.json, where the worker records pids so a restarted agent can adopt them),
// the log of the current run, and the stdin FIFO.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { processStartTime } from '../container-process.js';
import { LogNotFound, type LogSource } from '../log-server.js';
import { stdinFifoPath } from './stdin.js';

export interface ContainerTarget {
  namespace: string;
  pod: string;
  spec: Container;
  /** The container's main process while it runs. */
  pid?: number;
  /** The current run's output (what attach follows). */
  log: LogSource;
  stdinFifo: string;
}

export type TargetLocator = (namespace: string, pod: string, container: string) => ContainerTarget;

/** The kubelet's text when a stream names a container that is not running here. */
export function containerNotFound(container: string): LogNotFound {
  return new LogNotFound(`container not found ("${container}")`, 404);
}

function runningPid(podDir: string, container: string): number | undefined {
  try {
    const saved = JSON.parse(readFileSync(join(podDir, 'containers.json'), 'utf8')) as Record<string, { pid?: number; startTicks?: string }>;
    const rec = saved[container];
    if (rec?.pid && rec.startTicks && processStartTime(rec.pid) === rec.startTicks) return rec.pid;
  } catch {
    // nothing recorded yet
  }
  return undefined;
}

/** Builds the target from what the agent's pod worker knows (`logs` is its logSource). */
export function containerTarget(pod: Pod, podDir: string, container: string, logs: (container: string) => LogSource): ContainerTarget {
  const spec = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? []), ...((pod.spec?.ephemeralContainers ?? []) as Container[])].find((c) => c.name === container);
  if (!spec) throw containerNotFound(container);
  let log: LogSource;
  try {
    log = logs(container);
  } catch {
    throw containerNotFound(container); // waiting to start
  }
  return { namespace: pod.metadata?.namespace ?? '', pod: pod.metadata?.name ?? '', spec, pid: runningPid(podDir, container), log, stdinFifo: stdinFifoPath(podDir, container) };
}

/** The environment a process started with (/proc/<pid>/environ): exec sees the container's env. */
export function processEnv(pid: number): Record<string, string> {
  const env: Record<string, string> = {};
  for (const kv of readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')) {
    const i = kv.indexOf('=');
    if (i > 0) env[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return env;
}
