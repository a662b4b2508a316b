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
  /** Changes made / changes on disk: allocations are written in batches (flush). */
  private changes = 0;
  private persisted = 0;

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

  /**
   * The owner's address (the same one again if it already has one). Round-robin, so a freed
   * address is not reused at once. In memory only: the caller must `flush()` before anything
   * uses the address (a container starts in the sandbox). Many pods of a burst then share one
   * write of the file instead of one atomic replace each (~1 ms apiece on this disk under load).
   */
  allocate(owner: string): string {
    for (const [ip, o] of Object.entries(this.state.allocations)) if (o === owner) return ip;
    const { base, bits } = parseCidr(this.state.cidr);
    const size = 2 ** (32 - bits);
    for (let n = 0; n < size; n++) {
      const i = ((this.lastIndex + n) % (size - 3)) + 2; // skip network, gateway; stop before broadcast
      const ip = intToIPv4(base + i);
      if (!(ip in this.state.allocations)) {
        this.state.allocations[ip] = owner;
        this.lastIndex = i - 1;
        this.changes++;
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
    if (changed) {
      this.changes++;
      await this.flush();
    }
  }

  /**
   * Resolves once every change made so far is on disk (rejects if the write fails; the next flush
   * tries again). A flush during a write waits for it, then writes what came meanwhile in one go:
   * a burst's allocations share a few writes, and the file work runs off the event loop (an ext4
   * create or rename blocked it ~1 ms each under load, waiting on the journal).
   */
  async flush(): Promise<void> {
    while (this.persisted < this.changes) {
      this.writing ??= this.persist().finally(() => (this.writing = undefined));
      await this.writing;
    }
  }

  private writing?: Promise<void>;

  /** True when every allocation so far is on disk. */
  get clean(): boolean {
    return this.persisted === this.changes;
  }

  contains(ip: string): boolean {
    const { base, bits } = parseCidr(this.state.cidr);
    const n = ipv4ToInt(ip);
    return n >= base && n < base + 2 ** (32 - bits);
  }

  /** Atomic (temp file + rename): a crash leaves the old or the new state. */
  private async persist(): Promise<void> {
    const upTo = this.changes;
    const text = JSON.stringify(this.state);
    if (!this.dirMade) {
      await mkdir(dirname(this.file), { recursive: true });
      this.dirMade = true;
    }
    await writeFile(`${this.file}.tmp`, text);
    await rename(`${this.file}.tmp`, this.file);
    this.persisted = upTo;
  }

  private dirMade = false;
}
