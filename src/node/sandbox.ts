// Pod sandboxes: one network namespace per pod (named `<prefix><pod uid>` under /run/netns), a
// veth pair whose node end sits on the bridge `kubesvc0` with hairpin on, a pod IP from the node's
// pod CIDR, a default route via the bridge, and the pod's resolv.conf/hosts/hostname files in the
// data dir. hostNetwork pods get only the files. Everything is found again by name after a restart.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Logger } from '../util/log.js';
import { podnetHelper, preparePodnetHelper } from './enter/helper.js';
import { CommandError, type Runner } from './exec.js';
import { Ipam } from './ipam.js';
import { parseResolvConf, podHostname, podHostsFile, podResolvConf, type ClusterDNS } from './pod-dns.js';

export const BRIDGE = 'kubesvc0';

export interface SandboxConfig {
  run: Runner;
  logger: Logger;
  /** Holds `ipam.json` and `pods/<uid>/`. */
  dataDir: string;
  podCIDR: string;
  bridge?: string;
  /** Names of this node's pod namespaces start with it (unique per node on one machine). */
  netnsPrefix: string;
  clusterDNS: ClusterDNS;
  /** The host's resolv.conf text (dnsPolicy Default). */
  hostResolvConf: string;
  /** The node's hostname and hosts file (hostNetwork pods). */
  nodeHostname: string;
  hostHostsFile: string;
  /**
   * Service CIDRs routed onto the bridge. A node without a default route (kubesvc up --isolated)
   * could not send to ClusterIPs at all otherwise: routing happens before the proxy's DNAT.
   */
  serviceCIDRs?: string[];
}

export interface Sandbox {
  uid: string;
  /** undefined for hostNetwork pods. */
  netns?: string;
  netnsPath?: string;
  ip: string;
  hostname: string;
  resolvConf: string;
  hostsFile: string;
}

const ignoreMissing = (e: unknown) => {
  if (e instanceof CommandError && /Cannot find device|No such file|does not exist|Invalid argument/i.test(e.stderr)) return;
  throw e;
};

export class SandboxManager {
  private constructor(
    private readonly cfg: Required<SandboxConfig>,
    private readonly ipam: Ipam,
  ) {}

  static async create(config: SandboxConfig): Promise<SandboxManager> {
    const cfg = { ...config, bridge: config.bridge ?? BRIDGE, serviceCIDRs: config.serviceCIDRs ?? [] };
    const ipam = await Ipam.open(join(cfg.dataDir, 'ipam.json'), cfg.podCIDR);
    const m = new SandboxManager(cfg, ipam);
    await Promise.all([m.ensureBridge(), preparePodnetHelper(cfg.logger)]);
    return m;
  }

  gateway(): string {
    return this.ipam.gateway();
  }

  netnsName(uid: string): string {
    return `${this.cfg.netnsPrefix}${uid}`;
  }

  /** Interface names are limited to 15 bytes: a hash of the namespace name keeps them unique. */
  vethName(uid: string): string {
    return `veth${createHash('sha1').update(this.netnsName(uid)).digest('hex').slice(0, 11)}`;
  }

  podDir(uid: string): string {
    return join(this.cfg.dataDir, 'pods', uid);
  }

  private async ensureBridge(): Promise<void> {
    const { run, bridge } = this.cfg;
    await run('ip', ['link', 'add', bridge, 'type', 'bridge']).catch((e: unknown) => {
      if (!(e instanceof CommandError && /File exists/.test(e.stderr))) throw e;
    });
    await run('ip', ['addr', 'replace', `${this.gateway()}/${this.ipam.prefixLength()}`, 'dev', bridge]);
    await run('ip', ['link', 'set', bridge, 'up']);
    // Source = the bridge address, so replies from pods come straight back to the node.
    for (const cidr of this.cfg.serviceCIDRs) await run('ip', ['route', 'replace', cidr, 'dev', bridge, 'src', this.gateway()]);
    // Pod → ClusterIP → other pod is routed through the node: forwarding must be on in its namespace.
    await run('sh', ['-c', 'echo 1 > /proc/sys/net/ipv4/ip_forward']);
  }

  /** Creates (or finds again) the pod's sandbox. Idempotent: a half-made sandbox is rebuilt. */
  async setup(pod: Pod): Promise<Sandbox> {
    const uid = pod.metadata?.uid ?? '';
    if (!uid) throw new Error('pod has no uid');
    const dir = this.podDir(uid);
    const hostNetwork = pod.spec?.hostNetwork === true;
    const ip = hostNetwork ? '' : this.ipam.allocate(uid);
    const netns = hostNetwork ? undefined : this.netnsName(uid);
    const sb: Sandbox = {
      uid,
      netns,
      netnsPath: netns ? `/run/netns/${netns}` : undefined,
      ip,
      hostname: hostNetwork ? this.cfg.nodeHostname : podHostname(pod),
      resolvConf: join(dir, 'resolv.conf'),
      hostsFile: join(dir, 'hosts'),
    };
    // The pod's directory and DNS files are written by the thread pool while the network is made
    // (that waits for host commands anyway): under a burst, synchronous creates of new files and
    // directories held the busy event loop ~0.5-1 ms each.
    const files = (async () => {
      await mkdir(dir, { recursive: true });
      await Promise.all([
        writeFile(sb.resolvConf, podResolvConf(pod, this.cfg.clusterDNS, parseResolvConf(this.cfg.hostResolvConf))),
        writeFile(sb.hostsFile, hostNetwork ? this.cfg.hostHostsFile : podHostsFile(pod, ip, this.cfg.clusterDNS.clusterDomain)),
      ]);
    })();
    const network = (async () => {
      if (!netns) return;
      // A new pod (no namespace yet) needs no health check or removal: three fewer host commands.
      if (!existsSync(`/run/netns/${netns}`)) {
        await this.createNetwork(uid, ip);
      } else if (!(await this.healthy(uid, ip))) {
        await this.removeNetwork(uid);
        await this.createNetwork(uid, ip);
      }
    })();
    // Both settle before anything goes on, so no file write can land after a teardown.
    for (const r of await Promise.allSettled([network, files])) if (r.status === 'rejected') throw r.reason;
    // The address is on disk before any container uses it (a restarted agent finds the same one
    // for the same pod). One write covers every pod allocated meanwhile in a burst.
    await this.ipam.flush();
    return sb;
  }

  private async healthy(uid: string, ip: string): Promise<boolean> {
    try {
      const { stdout } = await this.cfg.run('ip', ['-n', this.netnsName(uid), '-o', '-4', 'addr', 'show', 'dev', 'eth0']);
      return stdout.includes(` ${ip}/`);
    } catch {
      return false;
    }
  }

  private async createNetwork(uid: string, ip: string): Promise<void> {
    const ns = this.netnsName(uid);
    const veth = this.vethName(uid);
    await this.nodeSide(uid, [`netns add ${ns}`, `link add ${veth} type veth peer name eth0 netns ${ns}`, `link set ${veth} master ${this.cfg.bridge} up`, `link set ${veth} type bridge_slave hairpin on`]);
    await this.podSide(ns, ip);
  }

  private podQueued: { ns: string; ip: string; done: (e?: unknown) => void }[] = [];
  private podFlushing = false;

  /**
   * The pod's end (lo and eth0 up, the address, the default route) needs a process inside the
   * pod's namespace. The podnet helper (enter/kubesvc-podnet.c) does every pod queued meanwhile in
   * one run: the pods of one node-side batch arrive together and share it. Without the helper,
   * one `ip -n <ns> -batch` per pod (~3 ms of CPU each: ip's start-up, its mount namespace and
   * /sys remount). A pod the helper did not answer for is done that way too.
   */
  private podSide(ns: string, ip: string): Promise<void> {
    if (!podnetHelper()) return this.podSideByIp(ns, ip);
    return new Promise((resolve, reject) => {
      this.podQueued.push({ ns, ip, done: (e) => (e === undefined ? resolve() : reject(e)) });
      // After the current microtasks: every pod released by the same node-side batch is queued by then.
      if (!this.podFlushing) {
        this.podFlushing = true;
        queueMicrotask(() => void this.flushPods());
      }
    });
  }

  private async podSideByIp(ns: string, ip: string): Promise<void> {
    await this.cfg.run(
      'ip',
      ['-n', ns, '-batch', '-'],
      ['link set lo up', `addr add ${ip}/${this.ipam.prefixLength()} dev eth0`, 'link set eth0 up', `route add default via ${this.gateway()}`, ''].join('\n'),
    );
  }

  private async flushPods(): Promise<void> {
    while (this.podQueued.length) {
      const batch = this.podQueued.splice(0);
      const helper = podnetHelper();
      let answers: string[] = [];
      if (helper) {
        const input = [...batch.map((b) => `/run/netns/${b.ns} eth0 ${b.ip}/${this.ipam.prefixLength()} ${this.gateway()}`), ''].join('\n');
        try {
          answers = (await this.cfg.run(helper, [], input)).stdout.split('\n');
        } catch (e) {
          // Exit status 1: some lines failed, and stdout still says which.
          answers = e instanceof CommandError ? e.stdout.split('\n') : [];
        }
      }
      await Promise.all(
        batch.map(async (b, i) => {
          const answer = answers[i];
          if (answer === 'ok') return b.done();
          if (answer?.startsWith('error ')) return b.done(new Error(`pod network: ${answer.slice(6)}`));
          try {
            await this.podSideByIp(b.ns, b.ip);
            b.done();
          } catch (e) {
            b.done(e);
          }
        }),
      );
    }
    this.podFlushing = false;
  }

  private queued: { uid: string; lines: string[]; done: (e?: unknown) => void }[] = [];
  private flushing = false;

  /**
   * The node's side of every sandbox requested meanwhile goes into one `ip -batch` run: a separate
   * `ip` process per pod cost ~10x more (process start, and `netns add` preparing /run/netns each
   * time). If the shared batch fails, each pod's lines run again on their own, so only the pod
   * whose step failed sees the error.
   */
  private nodeSide(uid: string, lines: string[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queued.push({ uid, lines, done: (e) => (e === undefined ? resolve() : reject(e)) });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    while (this.queued.length) {
      const batch = this.queued.splice(0);
      try {
        await this.cfg.run('ip', ['-batch', '-'], [...batch.flatMap((b) => b.lines), ''].join('\n'));
        for (const b of batch) b.done();
      } catch (e) {
        if (batch.length === 1) {
          batch[0].done(e);
          continue;
        }
        // Part of the batch may have been applied: each pod starts again from nothing, on its own.
        await Promise.all(
          batch.map(async (b) => {
            try {
              await this.removeNetwork(b.uid);
              await this.cfg.run('ip', ['-batch', '-'], [...b.lines, ''].join('\n'));
              b.done();
            } catch (err) {
              b.done(err);
            }
          }),
        );
      }
    }
    this.flushing = false;
  }

  private async removeNetwork(uid: string): Promise<void> {
    await this.cfg.run('ip', ['link', 'del', this.vethName(uid)]).catch(ignoreMissing);
    await this.cfg.run('ip', ['netns', 'del', this.netnsName(uid)]).catch(ignoreMissing);
  }

  /** Removes the pod's namespace, veth, address and files. Safe to call for a sandbox that is gone. */
  async teardown(uid: string): Promise<void> {
    await this.removeNetwork(uid);
    await this.ipam.release(uid);
    await rm(this.podDir(uid), { recursive: true, force: true });
  }

  /** UIDs of every sandbox this node has anything of (namespace, address or directory). */
  async known(): Promise<Set<string>> {
    const uids = new Set<string>(this.ipam.owners().keys());
    const { stdout } = await this.cfg.run('ip', ['netns', 'list']);
    for (const line of stdout.split('\n')) {
      const name = line.split(' ')[0];
      if (name.startsWith(this.cfg.netnsPrefix)) uids.add(name.slice(this.cfg.netnsPrefix.length));
    }
    try {
      for (const d of await readdir(join(this.cfg.dataDir, 'pods'))) uids.add(d);
    } catch {
      // no pods yet
    }
    return uids;
  }

  /** Start-up cleanup: tears down every sandbox whose pod is not in `keep`. */
  async removeStale(keep: ReadonlySet<string>): Promise<string[]> {
    const removed: string[] = [];
    for (const uid of await this.known()) {
      if (keep.has(uid)) continue;
      this.cfg.logger.info('removing stale pod sandbox', { uid });
      await this.teardown(uid);
      removed.push(uid);
    }
    return removed;
  }

  /** Deletes the bridge (cluster stop in isolated mode, tests). */
  async removeBridge(): Promise<void> {
    await this.cfg.run('ip', ['link', 'del', this.cfg.bridge]).catch(ignoreMissing);
  }
}

export async function readTextOr(path: string, fallback: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return fallback;
  }
}
