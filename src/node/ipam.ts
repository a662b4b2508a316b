// Pod IP allocation from the node's pod CIDR, persisted in the data dir so a restarted agent keeps
// the addresses of running pods (host-local IPAM's job in a CNI setup). The first address is the
// bridge gateway; network and broadcast addresses are never handed out.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { intToIPv4, ipv4ToInt, parseCidr } from './pod-cidr.js';

interface IpamState {
  cidr: string;
  /** ip → owner (pod UID). */
  allocations: Record<string, string>;
}

export class Ipam {
  private state: IpamState;
  private lastIndex = 0;
  private writing: Promise<void> = Promise.resolve();
  private next?: Promise<void>;

  private constructor(
    private readonly file: string,
    cidr: string,
    state?: IpamState,
  ) {
    // A file for another CIDR (the node was re-registered) cannot be trusted: start afresh.
    this.state = state && state.cidr === cidr ? state : { cidr, allocations: {} };
  }

  static async open(file: string, cidr: string): Promise<Ipam> {
    let state: IpamState | undefined;
    try {
      state = JSON.parse(await readFile(file, 'utf8')) as IpamState;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    return new Ipam(file, cidr, state);
  }

  gateway(): string {
    return intToIPv4(parseCidr(this.state.cidr).base + 1);
  }

  prefixLength(): number {
    return parseCidr(this.state.cidr).bits;
  }

  owners(): Map<string, string> {
    return new Map(Object.entries(this.state.allocations).map(([ip, owner]) => [owner, ip]));
  }

  /** The owner's address (the same one again if it already has one). Round-robin, so a freed address is not reused at once. */
  async allocate(owner: string): Promise<string> {
    for (const [ip, o] of Object.entries(this.state.allocations)) if (o === owner) return ip;
    const { base, bits } = parseCidr(this.state.cidr);
    const size = 2 ** (32 - bits);
    for (let n = 0; n < size; n++) {
      const i = ((this.lastIndex + n) % (size - 3)) + 2; // skip network, gateway; stop before broadcast
      const ip = intToIPv4(base + i);
      if (!(ip in this.state.allocations)) {
        this.state.allocations[ip] = owner;
        this.lastIndex = i - 1;
        await this.persist();
        return ip;
      }
    }
    throw new Error(`no free pod IP left in ${this.state.cidr}`);
  }

  async release(owner: string): Promise<void> {
    let changed = false;
    for (const [ip, o] of Object.entries(this.state.allocations)) {
      if (o === owner) {
        delete this.state.allocations[ip];
        changed = true;
      }
    }
    if (changed) await this.persist();
  }

  contains(ip: string): boolean {
    const { base, bits } = parseCidr(this.state.cidr);
    const n = ipv4ToInt(ip);
    return n >= base && n < base + 2 ** (32 - bits);
  }

  /**
   * Writes are serialised and atomic (temp file + rename): a crash leaves the old or the new state.
   * Changes made while a write runs share the next write (its text is taken when it begins), so a
   * burst of allocations costs a few writes, not one each; every caller still waits for a write
   * that contains its change.
   */
  private persist(): Promise<void> {
    if (!this.next) {
      const next = this.writing.then(async () => {
        this.next = undefined;
        const text = JSON.stringify(this.state);
        await mkdir(dirname(this.file), { recursive: true });
        await writeFile(`${this.file}.tmp`, text);
        await rename(`${this.file}.tmp`, this.file);
      });
      this.next = next;
      this.writing = next.catch(() => {});
    }
    return this.next;
  }
}
