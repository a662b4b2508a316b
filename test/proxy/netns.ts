// Throwaway network namespaces for kernel tests: a "node" namespace with a bridge and pods as
// namespaces on veths, agents as stand-in pods and clients. Everything is created under one random
// name prefix ("ksvc-t-" + hex) and removed by `destroy()`, also on a crash of the test process.
// Nothing here touches the host's own interfaces or ruleset: every command runs inside a test namespace.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { AGENT_SOURCE } from './agent.js';

export function kernelTestsSkipReason(): string | false {
  if (process.platform !== 'linux') return 'needs Linux';
  if (process.getuid?.() !== 0) return 'needs root';
  for (const cmd of ['ip', 'nft', 'conntrack']) {
    try {
      execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    } catch {
      return `needs ${cmd}`;
    }
  }
  return false;
}

export function iptablesSkipReason(): string | false {
  try {
    execFileSync('sh', ['-c', 'command -v iptables-restore && command -v iptables-save'], { stdio: 'ignore' });
    return false;
  } catch {
    return 'needs iptables';
  }
}

function run(args: string[], input?: string): string {
  return execFileSync(args[0], args.slice(1), { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
}

export interface AgentReply {
  id: number;
  ms: number;
  data?: string;
  err?: string;
  ok?: boolean;
}

export class Agent {
  private nextId = 1;
  private readonly waiting = new Map<number, (r: AgentReply) => void>();
  constructor(readonly child: ChildProcess) {
    createInterface({ input: child.stdout! }).on('line', (l) => {
      const r = JSON.parse(l) as AgentReply;
      this.waiting.get(r.id)?.(r);
      this.waiting.delete(r.id);
    });
  }
  send(cmd: Record<string, unknown>): Promise<AgentReply> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`agent did not answer ${JSON.stringify(cmd)}`)), 10_000);
      this.waiting.set(id, (r) => (clearTimeout(timer), resolve(r)));
      this.child.stdin!.write(JSON.stringify({ ...cmd, id }) + '\n');
    });
  }
  tcp(host: string, port: number, timeoutMs = 2000): Promise<AgentReply> {
    return this.send({ op: 'tcp', host, port, timeoutMs });
  }
  udp(host: string, port: number, sport = 0, timeoutMs = 1000): Promise<AgentReply> {
    return this.send({ op: 'udp', host, port, sport, timeoutMs });
  }
}

export interface Pod {
  readonly name: string;
  readonly ns: string;
  readonly ip: string;
  readonly agent: Agent;
}

export const GATEWAY = '10.244.0.1';

export class TestNode {
  readonly prefix = `ksvc-t-${randomBytes(3).toString('hex')}`;
  readonly ns = `${this.prefix}-node`;
  readonly pods: Pod[] = [];
  private readonly namespaces: string[] = [];
  private readonly children: ChildProcess[] = [];
  private readonly onExit = () => this.destroySync();
  agent!: Agent;

  /** The node namespace: lo, bridge kb0 (10.244.0.1/24), forwarding, a route for the service CIDR. */
  async create(serviceCIDR = '10.96.0.0/12'): Promise<void> {
    process.once('exit', this.onExit);
    this.addNs(this.ns);
    const n = ['ip', '-n', this.ns];
    run([...n, 'link', 'set', 'lo', 'up']);
    // A pod's packet to a Service leaves through the bridge it came in on: the kernel would answer
    // with an ICMP redirect, which spends the per-host ICMP rate-limit token that the "port
    // unreachable" of a rejected UDP packet needs. Real nodes turn redirects off for the same reason.
    for (const k of ['all', 'default']) run(['ip', 'netns', 'exec', this.ns, 'sysctl', '-qw', `net.ipv4.conf.${k}.send_redirects=0`]);
    run([...n, 'link', 'add', 'kb0', 'type', 'bridge']);
    run([...n, 'addr', 'add', `${GATEWAY}/24`, 'dev', 'kb0']);
    run([...n, 'link', 'set', 'kb0', 'up']);
    // Without a route the node's own packets to a ClusterIP fail before the nat output hook.
    run([...n, 'route', 'add', serviceCIDR, 'dev', 'kb0']);
    run(['ip', 'netns', 'exec', this.ns, 'sysctl', '-qw', 'net.ipv4.ip_forward=1']);
    // Bridged pod-to-pod replies must pass the ip hooks to be un-NATed.
    run(['ip', 'netns', 'exec', this.ns, 'sysctl', '-qw', 'net.bridge.bridge-nf-call-iptables=1']);
    this.agent = this.startAgent(this.ns);
  }

  /** A pod: its own namespace, a veth on the bridge (hairpin on), an agent serving TCP 8080 and UDP 5353. */
  async addPod(name: string, ip: string, serve = true): Promise<Pod> {
    const ns = `${this.prefix}-${name}`;
    this.addNs(ns);
    const host = `v${this.pods.length}`;
    run(['ip', '-n', this.ns, 'link', 'add', host, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
    run(['ip', '-n', this.ns, 'link', 'set', host, 'master', 'kb0', 'up']);
    run(['ip', '-n', this.ns, 'link', 'set', host, 'type', 'bridge_slave', 'hairpin', 'on']);
    run(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
    run(['ip', '-n', ns, 'addr', 'add', `${ip}/24`, 'dev', 'eth0']);
    run(['ip', '-n', ns, 'link', 'set', 'eth0', 'up']);
    run(['ip', '-n', ns, 'route', 'add', 'default', 'via', GATEWAY]);
    const agent = this.startAgent(ns);
    if (serve) {
      const r = await agent.send({ op: 'serve', name, tcpPort: 8080, udpPort: 5353 });
      if (!r.ok) throw new Error(`pod ${name} could not serve`);
    }
    const pod = { name, ns, ip, agent };
    this.pods.push(pod);
    return pod;
  }

  /** Runs a command inside the node namespace. */
  run(argv: string[], input?: string): string {
    return run(['ip', 'netns', 'exec', this.ns, ...argv], input);
  }

  nft(args: string[], input?: string): string {
    return run(['ip', 'netns', 'exec', this.ns, 'nft', ...args], input);
  }

  private addNs(ns: string): void {
    run(['ip', 'netns', 'add', ns]);
    this.namespaces.push(ns);
  }

  private startAgent(ns: string): Agent {
    const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', AGENT_SOURCE], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.children.push(child);
    return new Agent(child);
  }

  /** Kills the agents (by PID) and deletes every namespace (their veths, bridge and tables go with them). */
  async destroy(): Promise<void> {
    await Promise.all(
      this.children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve();
            c.once('exit', () => resolve());
            c.kill('SIGKILL');
          }),
      ),
    );
    this.destroySync();
  }

  private destroySync(): void {
    for (const c of this.children) if (c.exitCode === null && c.signalCode === null && c.pid) c.kill('SIGKILL');
    for (const ns of this.namespaces.splice(0).reverse()) {
      try {
        run(['ip', 'netns', 'del', ns]);
      } catch {
        // already gone
      }
    }
    process.removeListener('exit', this.onExit);
  }
}
