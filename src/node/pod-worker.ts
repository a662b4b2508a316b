// One pod's life on this node: sandbox, containers started in order (init containers first, one at
// a time), restarts by restart policy with the kubelet's back-off (0, 10 s, 20 s ... 5 min), probes,
// status, and graceful termination. The agent calls `sync()` from its work queue; everything that
// happens in between (a process exits, a probe flips) only records state and asks for a sync.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { copyFile, mkdir, readFile, stat, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import type { ConfigMap, Container, Pod, Probe, Secret, Service } from 'kubernetes-types/core/v1.js';
import { isNotFound, PODS, type Client, type EventRecorder } from '../client/index.js';
import type { Logger } from '../util/log.js';
import { adoptProcess, processStartTime, reapGroup, sandboxCommand, signalProcess, type ContainerProcess, type ExitInfo, type ProcessLauncher } from './container-process.js';
import { ContainerConfigError, containerEnv } from './container-env.js';
import { resolveEntrypoint } from './images/catalog.js';
import { nativeArgv, type NativeRuntime } from './images/native.js';
import { runHook } from './lifecycle-hooks.js';
import { runProbe, type ExecInSandbox } from './probe.js';
import { podStatus, type ContainerView, type Terminated } from './pod-status.js';
import { CommandError, type Runner } from './exec.js';
import type { LogIndexer } from './log-index.js';
import { LogNotFound, type LogSource } from './log-server.js';
import type { Sandbox, SandboxManager } from './sandbox.js';
import { stdinFifoPath } from './streams/stdin.js';
import { processEnv } from './streams/target.js';

export interface PodWorkerDeps {
  client: Client;
  recorder: EventRecorder;
  logger: Logger;
  sandboxes: SandboxManager;
  launch: ProcessLauncher;
  hostIP: string;
  nodeNetnsPath?: string;
  busyboxPath?: string;
  /**
   * Runs exec probes and exec hooks (under `timeout`) instead of a fork of the agent: the fork
   * server's runner. Without it they are forked with execFile.
   */
  execRun?: Runner;
  /** Run nginx/httpd/pause as busybox programs instead of Node built-ins (images/native.ts). */
  native?: NativeRuntime;
  services(namespace: string): Service[];
  configMap(namespace: string, name: string): Promise<ConfigMap | undefined>;
  /** Secrets for env and envFrom (without it, every Secret counts as missing). */
  secret?(namespace: string, name: string): Promise<Secret | undefined>;
  /** Ask for another sync of this pod (now, or after a delay). */
  requeue(afterMs?: number): void;
  now(): Date;
  trace?: PodTrace;
}

/** Start-up stages of a pod on this node, in order (bench/node times each). */
export type PodStage = 'seen' | 'sync' | 'sandbox' | 'started' | 'status-sent' | 'status-written';
export type PodTrace = (uid: string, stage: PodStage) => void;

const BACKOFF_START_MS = 10_000;
const BACKOFF_MAX_MS = 300_000;
const rfc3339 = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

interface CState extends ContainerView {
  spec: Container;
  proc?: ContainerProcess;
  startTicks?: string;
  backoffMs: number;
  /** Epoch ms before which no restart happens (CrashLoopBackOff / ImagePullBackOff). */
  notBefore: number;
  /** Bumped on every start: probe loops and exit handlers of an older run stand down. */
  run: number;
  pullFailures: number;
}

interface Persisted {
  containerID?: string;
  pid?: number;
  startTicks?: string;
  startedAt?: string;
  restartCount: number;
  last?: Terminated;
  terminated?: Terminated;
  backoffMs: number;
}

export class PodWorker {
  pod: Pod;
  private sandbox?: Sandbox;
  private readonly containers = new Map<string, CState>();
  private startTime?: string;
  private lastWritten = '';
  private terminating?: Promise<void>;
  private loaded = false;
  private readonly timers = new Set<NodeJS.Timeout>();
  done = false;

  constructor(
    pod: Pod,
    private readonly deps: PodWorkerDeps,
  ) {
    this.pod = pod;
    for (const c of pod.spec?.initContainers ?? []) this.containers.set(c.name, newState(c, true));
    for (const c of pod.spec?.containers ?? []) this.containers.set(c.name, newState(c, false));
    this.addEphemeral();
  }

  /**
   * Ephemeral containers (kubectl debug) are added to a running pod through its
   * ephemeralcontainers subresource: each new one is started once in the pod's sandbox.
   */
  private addEphemeral(): void {
    for (const c of this.pod.spec?.ephemeralContainers ?? []) {
      if (this.containers.has(c.name)) continue;
      // The kubelet runs an EphemeralContainer as a Container (its fields are a subset).
      const { targetContainerName: _t, ...common } = c;
      this.containers.set(c.name, { ...newState(common as Container, false), ephemeral: true });
    }
  }

  get uid(): string {
    return this.pod.metadata?.uid ?? '';
  }

  private get log(): Logger {
    return this.deps.logger.with({ pod: `${this.pod.metadata?.namespace}/${this.pod.metadata?.name}` });
  }

  private get recordFile(): string {
    return join(this.deps.sandboxes.podDir(this.uid), 'containers.json');
  }

  /** Picks up processes a previous agent started (agent restart keeps pods running). */
  private async load(): Promise<void> {
    this.loaded = true;
    // A new pod has no record: a cheap stat spares a failed asynchronous open.
    if (!existsSync(this.recordFile)) return;
    let saved: Record<string, Persisted> = {};
    try {
      saved = JSON.parse(await readFile(this.recordFile, 'utf8')) as Record<string, Persisted>;
    } catch {
      return;
    }
    for (const [name, rec] of Object.entries(saved)) {
      const st = this.containers.get(name);
      if (!st) continue;
      Object.assign(st, { restartCount: rec.restartCount, last: rec.last, backoffMs: rec.backoffMs, containerID: rec.containerID });
      if (rec.terminated) {
        st.terminated = rec.terminated;
        st.final = !this.shouldRestart(st, rec.terminated.exitCode);
      }
      const proc = rec.pid && rec.startTicks ? adoptProcess(rec.pid, rec.startTicks) : undefined;
      if (proc && rec.startedAt) {
        this.log.info('adopted running container', { container: name, pid: rec.pid });
        this.attach(st, proc, rec.startedAt, rec.startTicks);
      }
    }
  }

  private async persist(): Promise<void> {
    // The pod's directory exists from sandbox setup on (and must not come back after teardown).
    // Small files are written synchronously: an asynchronous write costs more CPU (thread-pool
    // hand-offs) than the write itself (tens of µs), and the run's CPU is what a burst waits for.
    writeFileSync(this.recordFile, JSON.stringify(this.record()));
  }

  private record(): Record<string, Persisted> {
    const out: Record<string, Persisted> = {};
    for (const st of this.containers.values()) {
      out[st.name] = {
        containerID: st.containerID,
        pid: st.running ? st.proc?.pid : undefined,
        startTicks: st.running ? st.startTicks : undefined,
        startedAt: st.running?.startedAt,
        restartCount: st.restartCount,
        last: st.last,
        terminated: st.running ? undefined : st.terminated,
        backoffMs: st.backoffMs,
      };
    }
    return out;
  }

  private shouldRestart(st: CState, exitCode: number): boolean {
    if (st.ephemeral) return false;
    const policy = this.pod.spec?.restartPolicy ?? 'Always';
    if (st.init) return policy !== 'Never' && exitCode !== 0;
    return policy === 'Always' || (policy === 'OnFailure' && exitCode !== 0);
  }

  private podRef(): string {
    return `${this.pod.metadata?.name}_${this.pod.metadata?.namespace}(${this.uid})`;
  }

  private fieldRef(st: CState) {
    return { ...this.pod, fieldPath: `spec.${st.ephemeral ? 'ephemeralContainers' : st.init ? 'initContainers' : 'containers'}{${st.name}}` };
  }

  async sync(): Promise<void> {
    if (this.done) return;
    if (this.pod.metadata?.deletionTimestamp) return this.terminateAndDelete();
    this.addEphemeral();
    if (!this.loaded) await this.load();
    if (!this.sandbox) {
      this.deps.trace?.(this.uid, 'sync');
      // Log directories are made by the thread pool while the sandbox is set up (see setup).
      this.logDirs ??= this.makeLogDirs();
      try {
        [this.sandbox] = await Promise.all([this.deps.sandboxes.setup(this.pod), this.logDirs]);
      } catch (e) {
        this.deps.recorder.recordEvent(this.pod, 'Warning', 'FailedCreatePodSandBox', `Failed to create pod sandbox: ${(e as Error).message}`);
        throw e;
      }
      this.deps.trace?.(this.uid, 'sandbox');
      this.startTime ??= this.pod.status?.startTime ?? rfc3339(this.deps.now());
    }
    let initDone = true;
    for (const st of this.containers.values()) {
      if (!st.init) continue;
      if (st.terminated?.exitCode === 0 && !st.running) continue;
      initDone = false;
      if (!st.running && !st.final) await this.maybeStart(st);
      break;
    }
    if (initDone) for (const st of this.containers.values()) if (!st.init && !st.running && !st.final) await this.maybeStart(st);
    await this.writeStatus();
  }

  private async maybeStart(st: CState): Promise<void> {
    const now = Date.now();
    if (st.terminated && !this.shouldRestart(st, st.terminated.exitCode)) {
      st.final = true;
      return;
    }
    if (now < st.notBefore) {
      this.deps.requeue(st.notBefore - now);
      return;
    }
    await this.start(st);
  }

  private async start(st: CState): Promise<void> {
    const sb = this.sandbox!;
    let env: Map<string, string>;
    try {
      env = await containerEnv(this.pod, st.spec, sb.hostname, {
        services: this.pod.spec?.enableServiceLinks === false ? this.deps.services('default').filter((s) => s.metadata?.name === 'kubernetes') : this.deps.services(this.pod.metadata?.namespace ?? 'default'),
        configMap: this.deps.configMap,
        secret: this.deps.secret,
        podIP: sb.ip || this.deps.hostIP,
        hostIP: this.deps.hostIP,
        busyboxPath: this.deps.busyboxPath,
      });
    } catch (e) {
      if (!(e instanceof ContainerConfigError)) throw e;
      st.waiting = { reason: 'CreateContainerConfigError', message: e.message };
      this.deps.recorder.recordEvent(this.fieldRef(st), 'Warning', 'Failed', `Error: ${e.message}`);
      this.deps.requeue(10_000);
      return;
    }
    const resolved = resolveEntrypoint(st.spec, env);
    if (!resolved.ok) {
      st.pullFailures++;
      const image = st.spec.image ?? '';
      if (st.pullFailures === 1) {
        st.waiting = { reason: 'ErrImagePull', message: resolved.message };
        this.deps.recorder.recordEvent(this.fieldRef(st), 'Warning', 'Failed', `Failed to pull image "${image}": ${resolved.message}`);
      } else {
        st.waiting = { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}": ${resolved.message}` };
        this.deps.recorder.recordEvent(this.fieldRef(st), 'Normal', 'BackOff', `Back-off pulling image "${image}"`);
      }
      const delay = Math.min(BACKOFF_START_MS * 2 ** (st.pullFailures - 1), BACKOFF_MAX_MS);
      st.notBefore = Date.now() + delay;
      this.deps.requeue(delay);
      return;
    }
    let argv = resolved.argv;
    let builtin = resolved.builtin;
    if (builtin) {
      const ports = (st.spec.ports ?? []).filter((p) => (p.protocol ?? 'TCP') === 'TCP').map((p) => p.containerPort);
      env.set('KUBESVC_CONTAINER_PORTS', ports.join(','));
      const native = this.deps.native && nativeArgv(builtin, argv.slice(1), ports, this.deps.native);
      if (native) [argv, builtin] = [native, undefined];
    }
    const restarting = st.terminated !== undefined;
    if (restarting) {
      st.last = st.terminated;
      st.restartCount++;
    }
    // An ephemeral container came after the pod's log directories were made.
    if (!(await this.logDirs) || st.ephemeral) mkdirSync(join(this.deps.sandboxes.podDir(this.uid), 'logs', st.name), { recursive: true });
    if (!restarting || st.pullFailures > 0) this.deps.recorder.recordEvent(this.fieldRef(st), 'Normal', 'Pulled', `Container image "${st.image}" already present on machine`);
    st.pullFailures = 0;
    const proc = await this.deps.launch({
      sandbox: sb,
      argv,
      builtin,
      env: Object.fromEntries(env),
      workingDir: st.spec.workingDir,
      logFile: this.logFile(st, st.restartCount),
      nodeNetnsPath: this.deps.nodeNetnsPath,
      // attach (streams/) feeds stdin through a FIFO in the pod dir; tty runs it on a terminal.
      stdinFifo: st.spec.stdin ? stdinFifoPath(this.deps.sandboxes.podDir(this.uid), st.name) : undefined,
      tty: st.spec.tty || undefined,
    });
    st.containerID = `kubesvc://${randomBytes(16).toString('hex')}`;
    this.deps.recorder.recordEvent(this.fieldRef(st), 'Normal', 'Created', `Created container ${st.name}`);
    this.deps.recorder.recordEvent(this.fieldRef(st), 'Normal', 'Started', `Started container ${st.name}`);
    this.attach(st, proc, rfc3339(this.deps.now()), processStartTime(proc.pid));
    await this.persist();
    this.deps.trace?.(this.uid, 'started');
    // postStart runs before this sync goes on (the kubelet's startContainer waits for it too); on
    // failure the container is killed and restarts by its policy.
    if (st.spec.lifecycle?.postStart && !(await this.hook(st, 'postStart', 2 ** 31 - 1)) && st.proc === proc) {
      this.deps.recorder.recordEvent(this.fieldRef(st), 'Normal', 'Killing', 'FailedPostStartHook');
      await this.stopContainer(st, this.pod.spec?.terminationGracePeriodSeconds ?? 30);
    }
  }

  private attach(st: CState, proc: ContainerProcess, startedAt: string, startTicks: string | undefined): void {
    const run = ++st.run;
    st.proc = proc;
    st.startTicks = startTicks;
    st.running = { startedAt };
    st.waiting = undefined;
    st.terminated = undefined;
    st.started = !st.spec.startupProbe;
    st.ready = !st.init && !st.ephemeral && !st.spec.readinessProbe && st.started;
    void proc.exited.then((exit) => {
      void reapGroup(proc.pid);
      this.onExit(st, run, exit);
    });
    // Ephemeral containers have no probes (the API refuses them).
    if (!st.init && !st.ephemeral) this.startProbes(st, run);
  }

  private onExit(st: CState, run: number, exit: ExitInfo): void {
    if (st.run !== run) return;
    const finishedAt = rfc3339(this.deps.now());
    const startedAt = st.running?.startedAt ?? finishedAt;
    st.terminated = {
      exitCode: exit.exitCode,
      reason: exit.exitCode === 0 ? 'Completed' : 'Error',
      ...(exit.signal ? { signal: exit.exitCode - 128 } : {}),
      startedAt,
      finishedAt,
      containerID: st.containerID ?? '',
    };
    st.running = undefined;
    st.proc = undefined;
    st.ready = false;
    st.run++; // stops this run's probes
    if (this.terminating) return;
    if (this.shouldRestart(st, exit.exitCode)) {
      // A container that ran for 10 min (twice the cap) starts its back-off afresh, as the kubelet.
      if (Date.parse(finishedAt) - Date.parse(startedAt) > 2 * BACKOFF_MAX_MS) st.backoffMs = 0;
      const wait = st.backoffMs;
      st.backoffMs = st.backoffMs === 0 ? BACKOFF_START_MS : Math.min(st.backoffMs * 2, BACKOFF_MAX_MS);
      if (wait > 0) {
        st.notBefore = Date.now() + wait;
        st.waiting = { reason: 'CrashLoopBackOff', message: `back-off ${wait / 1000 >= 60 ? `${wait / 60_000}m0s` : `${wait / 1000}s`} restarting failed container=${st.name} pod=${this.podRef()}` };
        this.deps.recorder.recordEvent(this.fieldRef(st), 'Warning', 'BackOff', 'Back-off restarting failed container');
      }
    } else {
      st.final = true;
    }
    void this.persist().catch(() => {});
    this.deps.requeue();
  }

  /**
   * Runs a command in the container's sandbox with the running container's environment (exec
   * probes and exec hooks), as the kubelet's ExecSync does: its PATH finds the image's tools (the
   * busybox applets) and its variables are set. Read from /proc, so it holds after an agent restart.
   */
  private execIn(st: CState): ExecInSandbox {
    const c = st.spec;
    const argvFor = (argv: string[]): string[] => {
      const cmd = sandboxCommand(this.sandbox!, this.deps.nodeNetnsPath, c.workingDir, argv, runningEnv(st));
      // The exec chain takes its environment from its caller: set it with env -i, as container starts do.
      return cmd.env ? ['env', '-i', ...Object.entries(cmd.env).map(([k, v]) => `${k}=${v}`), ...cmd.argv] : cmd.argv;
    };
    const run = this.deps.execRun;
    if (run) {
      return async (argv, timeoutMs) => {
        const inner = argvFor(argv);
        try {
          const r = await run('timeout', ['-s', 'KILL', String(Math.max(1, Math.ceil(timeoutMs / 1000))), ...inner]);
          return { exitCode: 0, output: `${r.stdout}${r.stderr}`, stderr: r.stderr };
        } catch (e) {
          if (!(e instanceof CommandError)) return { exitCode: 1, output: String(e) };
          return { exitCode: e.code ?? 1, output: `${e.stdout}${e.stderr}`, stderr: e.stderr };
        }
      };
    }
    return (argv, timeoutMs) =>
      new Promise((resolve) => {
        const [cmd, ...args] = argvFor(argv);
        execFile(cmd, args, { timeout: timeoutMs, encoding: 'utf8' }, (err, stdout, stderr) => {
          const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
          resolve({ exitCode: code, output: `${stdout}${stderr}`, stderr });
        });
      });
  }

  /** postStart/preStop of one container; a failure is recorded as the kubelet's event. Resolves true on success. */
  private async hook(st: CState, which: 'postStart' | 'preStop', timeoutMs: number): Promise<boolean> {
    const h = st.spec.lifecycle?.[which];
    if (!h) return true;
    const msg = await runHook(h, st.spec, this.podRef(), this.sandbox?.ip || this.deps.hostIP, this.execIn(st), timeoutMs);
    if (msg === undefined) return true;
    this.deps.recorder.recordEvent(this.fieldRef(st), 'Warning', which === 'postStart' ? 'FailedPostStartHook' : 'FailedPreStopHook', msg);
    return false;
  }

  /**
   * Stops one container as the kubelet's killContainer: its preStop hook first (it uses up the
   * grace period, but SIGTERM still gets at least 2 s), then SIGTERM, then SIGKILL when the rest
   * of the grace period is over. Resolves when the process is gone.
   */
  private async stopContainer(st: CState, graceSeconds: number): Promise<void> {
    const proc = st.proc;
    if (!proc) return;
    let grace = graceSeconds * 1000;
    if (grace > 0 && st.spec.lifecycle?.preStop) {
      const began = Date.now();
      const ran = this.hook(st, 'preStop', grace);
      await Promise.race([ran, proc.exited]);
      grace = Math.max(grace - (Date.now() - began), 2000);
    }
    signalProcess(proc.pid, grace > 0 ? 'SIGTERM' : 'SIGKILL');
    const t = setTimeout(() => signalProcess(proc.pid, 'SIGKILL'), grace);
    await proc.exited;
    clearTimeout(t);
    await reapGroup(proc.pid);
  }

  private startProbes(st: CState, run: number): void {
    const c = st.spec;
    const exec = this.execIn(st);
    const loop = (probe: Probe, kind: 'Startup' | 'Liveness' | 'Readiness', onResult: (ok: boolean, streak: number, message?: string) => boolean) => {
      let successes = 0;
      let failures = 0;
      const tick = async () => {
        if (st.run !== run || this.done) return;
        const r = await runProbe(probe, this.sandbox?.ip || '127.0.0.1', c, exec);
        if (st.run !== run || this.done) return;
        if (r.ok) {
          successes++;
          failures = 0;
        } else {
          failures++;
          successes = 0;
          this.deps.recorder.recordEvent(this.fieldRef(st), 'Warning', 'Unhealthy', `${kind} probe failed: ${r.message}`);
        }
        const keepGoing = onResult(r.ok, r.ok ? successes : failures, r.ok ? undefined : r.message);
        if (keepGoing) schedule((probe.periodSeconds ?? 10) * 1000);
      };
      const schedule = (ms: number) => {
        const t = setTimeout(() => {
          this.timers.delete(t);
          void tick();
        }, ms);
        t.unref();
        this.timers.add(t);
      };
      schedule((probe.initialDelaySeconds ?? 0) * 1000);
    };
    const kill = (why: string) => {
      this.deps.recorder.recordEvent(this.fieldRef(st), 'Normal', 'Killing', `Container ${st.name} ${why}, will be restarted`);
      void this.stopContainer(st, this.pod.spec?.terminationGracePeriodSeconds ?? 30);
    };
    const afterStarted = () => {
      if (c.livenessProbe) {
        loop(c.livenessProbe, 'Liveness', (ok, streak) => {
          if (!ok && streak >= (c.livenessProbe!.failureThreshold ?? 3)) {
            kill('failed liveness probe');
            return false;
          }
          return true;
        });
      }
      if (c.readinessProbe) {
        loop(c.readinessProbe, 'Readiness', (ok, streak) => {
          const threshold = ok ? (c.readinessProbe!.successThreshold ?? 1) : (c.readinessProbe!.failureThreshold ?? 3);
          if (streak >= threshold && st.ready !== ok) {
            st.ready = ok;
            this.deps.requeue();
          }
          return true;
        });
      }
    };
    if (c.startupProbe) {
      loop(c.startupProbe, 'Startup', (ok, streak) => {
        if (ok) {
          st.started = true;
          if (!c.readinessProbe) st.ready = true;
          this.deps.requeue();
          afterStarted();
          return false;
        }
        if (streak >= (c.startupProbe!.failureThreshold ?? 3)) {
          kill('failed startup probe');
          return false;
        }
        return true;
      });
    } else afterStarted();
  }

  private async writeStatus(): Promise<void> {
    const status = podStatus(
      this.pod,
      { hostIP: this.deps.hostIP, podIP: this.sandbox?.ip || (this.pod.spec?.hostNetwork ? this.deps.hostIP : ''), startTime: this.startTime ?? rfc3339(this.deps.now()), sandboxReady: this.sandbox !== undefined, containers: [...this.containers.values()] },
      rfc3339(this.deps.now()),
    );
    // Compare without transition times so an unchanged status is not rewritten.
    const key = JSON.stringify({ ...status, conditions: status.conditions?.map((c) => ({ ...c, lastTransitionTime: undefined })) });
    if (key === this.lastWritten) return;
    try {
      this.deps.trace?.(this.uid, 'status-sent');
      this.pod = await this.deps.client.resource(PODS).patch(this.pod.metadata?.namespace, this.pod.metadata?.name ?? '', 'application/merge-patch+json', { status }, { subresource: 'status' });
      this.lastWritten = key;
      this.deps.trace?.(this.uid, 'status-written');
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  /** Stops every running container (preStop, SIGTERM, SIGKILL after `graceSeconds`); resolves when all are gone. */
  async killAll(graceSeconds: number): Promise<void> {
    const running = [...this.containers.values()].filter((st) => st.proc);
    for (const st of running) this.deps.recorder.recordEvent(this.fieldRef(st), 'Normal', 'Killing', `Stopping container ${st.name}`);
    // Referenced timer: whoever waits for a pod to die keeps the process alive until it has
    // (adopted processes are followed by an unreferenced poll).
    const keepAlive = setInterval(() => {}, 1000);
    try {
      await Promise.all(running.map((st) => this.stopContainer(st, graceSeconds)));
    } finally {
      clearInterval(keepAlive);
    }
  }

  private terminateAndDelete(): Promise<void> {
    this.terminating ??= (async () => {
      if (!this.loaded) await this.load();
      const grace = this.pod.metadata?.deletionGracePeriodSeconds ?? this.pod.spec?.terminationGracePeriodSeconds ?? 30;
      await this.killAll(grace);
      for (const st of this.containers.values()) st.final = true;
      this.stopTimers();
      await this.writeStatus().catch(() => {});
      await this.deps.sandboxes.teardown(this.uid);
      try {
        await this.deps.client.resource(PODS).delete(this.pod.metadata?.namespace, this.pod.metadata?.name ?? '', { gracePeriodSeconds: 0, preconditions: { uid: this.uid } });
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
      this.done = true;
    })();
    return this.terminating;
  }

  /** The pod is gone from the API (force delete): stop everything at once and clean up. */
  async destroy(): Promise<void> {
    this.terminating ??= Promise.resolve();
    if (!this.loaded) await this.load();
    await this.killAll(0);
    this.stopTimers();
    await this.deps.sandboxes.teardown(this.uid);
    this.done = true;
  }

  /** Resolves true once every container's log directory exists (false: make it when starting). */
  private logDirs?: Promise<boolean>;

  private makeLogDirs(): Promise<boolean> {
    const logs = join(this.deps.sandboxes.podDir(this.uid), 'logs');
    return Promise.all([...this.containers.keys()].map((c) => mkdir(join(logs, c), { recursive: true }))).then(
      () => true,
      () => false,
    );
  }

  private logFile(st: CState, restart: number): string {
    return join(this.deps.sandboxes.podDir(this.uid), 'logs', st.name, `${restart}.log`);
  }

  /** The log of a container's current run, or of the one before (`previous`), as the kubelet finds them. */
  logSource(container: string, previous: boolean): LogSource {
    const st = this.containers.get(container);
    const pod = this.pod.metadata?.name;
    if (!st) throw new LogNotFound(`container ${container} is not valid for pod ${pod}`);
    if (previous) {
      if (st.restartCount === 0 || !st.last) throw new LogNotFound(`previous terminated container "${container}" in pod "${pod}" not found`);
      const f = this.logFile(st, st.restartCount - 1);
      return { files: [`${f}.1`, f], live: () => false };
    }
    if (!st.running && !st.terminated) {
      throw new LogNotFound(`container "${container}" in pod "${pod}" is waiting to start: ${st.waiting?.reason ?? 'ContainerCreating'}`);
    }
    const run = st.run;
    const f = this.logFile(st, st.restartCount);
    return { files: [`${f}.1`, f], live: () => st.run === run && st.running !== undefined };
  }

  /** Copy-and-truncate rotation (the writers hold O_APPEND descriptors): one older part is kept. */
  async rotateLogs(maxBytes: number, indexer: LogIndexer): Promise<void> {
    for (const st of this.containers.values()) {
      if (!st.running) continue;
      const f = this.logFile(st, st.restartCount);
      const size = (await stat(f).catch(() => ({ size: 0 }))).size;
      if (size <= maxBytes) continue;
      await copyFile(f, `${f}.1`);
      await copyFile(`${f}.idx`, `${f}.1.idx`).catch(() => {});
      await truncate(f, 0);
      await truncate(`${f}.idx`, 0).catch(() => {});
      indexer.reset(f);
    }
  }

  /** The log files of running containers (for timestamp checkpoints). */
  liveLogFiles(): string[] {
    return [...this.containers.values()].filter((st) => st.running).map((st) => this.logFile(st, st.restartCount));
  }

  stopTimers(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const st of this.containers.values()) st.run++;
  }
}

function newState(c: Container, isInit: boolean): CState {
  return {
    spec: c,
    name: c.name,
    image: c.image ?? '',
    init: isInit,
    restartCount: 0,
    ready: false,
    started: false,
    final: false,
    backoffMs: 0,
    notBefore: 0,
    run: 0,
    pullFailures: 0,
  };
}

/** The environment of a container's running process, or undefined when there is none to read. */
function runningEnv(st: CState): Record<string, string> | undefined {
  if (!st.proc) return undefined;
  try {
    return processEnv(st.proc.pid);
  } catch {
    return undefined;
  }
}
