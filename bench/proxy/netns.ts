// Throwaway network namespaces for the proxy benchmark, shaped like a kubesvc node (src/node/sandbox.ts):
// a "node" namespace with bridge kb0 (10.244.0.1/16), forwarding on, the service CIDR routed onto
// the bridge, and pods as namespaces on veths (hairpin on). Every name starts with
// "ksvc-pb-<hex>"; destroy() (also run on exit and on SIGINT/SIGTERM) kills the processes this
// bench started, by PID, and deletes every namespace, which takes the veths, bridge and tables along.
// Nothing touches the host's interfaces: every command runs inside a namespace created here.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export const GATEWAY = '10.244.0.1';
export const SERVICE_CIDR = '10.96.0.0/12';

export function sh(argv: string[], input?: string): string {
  return execFileSync(argv[0], argv.slice(1), { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 1 << 30 });
}

export interface BenchPod {
  readonly name: string;
  readonly ns: string;
  readonly ip: string;
}

export class BenchNode {
  readonly prefix = `ksvc-pb-${randomBytes(3).toString('hex')}`;
  readonly ns = `${this.prefix}-node`;
  private readonly namespaces: string[] = [];
  private readonly children = new Set<ChildProcess>();
  private readonly onExit = () => this.destroy();
  private readonly onSignal = () => {
    this.destroy();
    process.exit(130);
  };

  create(): void {
    process.once('exit', this.onExit);
    process.once('SIGINT', this.onSignal);
    process.once('SIGTERM', this.onSignal);
    this.addNs(this.ns);
    const n = ['ip', '-n', this.ns];
    sh([...n, 'link', 'set', 'lo', 'up']);
    // As on real nodes (and the proxy's kernel tests): no ICMP redirects for pod traffic routed
    // back out of the bridge it came in on.
    for (const k of ['all', 'default']) this.sysctl(`net.ipv4.conf.${k}.send_redirects`, '0');
    sh([...n, 'link', 'add', 'kb0', 'type', 'bridge']);
    sh([...n, 'addr', 'add', `${GATEWAY}/16`, 'dev', 'kb0']);
    sh([...n, 'link', 'set', 'kb0', 'up']);
    sh([...n, 'route', 'add', SERVICE_CIDR, 'dev', 'kb0']);
    this.sysctl('net.ipv4.ip_forward', '1');
    // Bridged pod-to-pod replies must pass the IP hooks to be un-NATed (br_netfilter).
    this.sysctl('net.bridge.bridge-nf-call-iptables', '1');
  }

  /** A pod: its own namespace and a veth on kb0 with hairpin on, default route via the bridge. */
  addPod(name: string, ip: string): BenchPod {
    const ns = `${this.prefix}-${name}`;
    this.addNs(ns);
    const host = `v-${name}`.slice(0, 15);
    sh(['ip', '-n', this.ns, 'link', 'add', host, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
    sh(['ip', '-n', this.ns, 'link', 'set', host, 'master', 'kb0', 'up']);
    sh(['ip', '-n', this.ns, 'link', 'set', host, 'type', 'bridge_slave', 'hairpin', 'on']);
    sh(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
    sh(['ip', '-n', ns, 'addr', 'add', `${ip}/16`, 'dev', 'eth0']);
    sh(['ip', '-n', ns, 'link', 'set', 'eth0', 'up']);
    sh(['ip', '-n', ns, 'route', 'add', 'default', 'via', GATEWAY]);
    return { name, ns, ip };
  }

  sysctl(key: string, value: string, ns = this.ns): void {
    sh(['ip', 'netns', 'exec', ns, 'sysctl', '-qw', `${key}=${value}`]);
  }

  /** Runs a command in a namespace and returns stdout (throws on a non-zero exit). */
  exec(ns: string, argv: string[], input?: string): string {
    return sh(['ip', 'netns', 'exec', ns, ...argv], input);
  }

  /** Like exec, but returns stdout and stderr and never throws. */
  tryExec(ns: string, argv: string[]): { code: number; out: string; err: string } {
    const r = spawnSync('ip', ['netns', 'exec', ns, ...argv], { encoding: 'utf8', maxBuffer: 1 << 28 });
    return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
  }

  nft(script: string): void {
    const r = spawnSync('ip', ['netns', 'exec', this.ns, 'nft', '-f', '-'], { input: script, encoding: 'utf8', maxBuffer: 1 << 30 });
    if (r.status !== 0) throw new Error(`nft -f failed: ${r.stderr.slice(0, 2000)}`);
  }

  /** Starts a long-running process in a namespace; it is killed (by PID) in destroy(). */
  start(ns: string, argv: string[]): ChildProcess {
    const child = spawn('ip', ['netns', 'exec', ns, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    return child;
  }

  /** Waits until the child prints a line matching re on stdout. */
  static waitFor(child: ChildProcess, re: RegExp, timeoutMs = 15_000): Promise<string> {
    return new Promise((resolve, reject) => {
      let buf = '';
      let errBuf = '';
      const timer = setTimeout(() => reject(new Error(`no ${re} within ${timeoutMs} ms: ${buf}${errBuf}`)), timeoutMs);
      child.stderr?.on('data', (d: Buffer) => (errBuf += d.toString()));
      child.stdout?.on('data', (d: Buffer) => {
        buf += d.toString();
        const m = re.exec(buf);
        if (m) {
          clearTimeout(timer);
          resolve(m[0]);
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`exited (${code}) before ${re}: ${buf}${errBuf}`));
      });
    });
  }

  async stop(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  private addNs(ns: string): void {
    sh(['ip', 'netns', 'add', ns]);
    this.namespaces.push(ns);
  }

  /** Kills our processes by PID, then deletes every namespace we created (idempotent, synchronous). */
  destroy(): void {
    for (const c of this.children) {
      // `ip netns exec` execs the command, so the PID is the command's own.
      if (c.exitCode === null && c.signalCode === null && c.pid) c.kill('SIGKILL');
    }
    for (const ns of this.namespaces.splice(0).reverse()) {
      try {
        sh(['ip', 'netns', 'del', ns]);
      } catch {
        // already gone
      }
    }
    process.removeListener('exit', this.onExit);
    process.removeListener('SIGINT', this.onSignal);
    process.removeListener('SIGTERM', this.onSignal);
  }
}
