// Pod IP allocation from the node's pod CIDR, persisted in the data dir so a restarted agent keeps
// the addresses of running pods (host-local IPAM's job in a CNI setup). The first address is the
// bridge gateway; network and broadcast addresses are never handed out.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
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
      this.flush();
    }
  }

  /** Writes the allocations if anything changed since the last write (synchronously; throws on failure). */
  flush(): void {
    if (this.persisted === this.changes) return;
    const upTo = this.changes;
    this.persist();
    this.persisted = upTo;
  }

  /** True when every allocation so far is on disk. */
  get clean(): boolean {
    return this.persisted === this.changes;
  }

  contains(ip: string): boolean {
    const { base, bits } = parseCidr(this.state.cidr);
    const n = ipv4ToInt(ip);
    return n >= base && n < base + 2 ** (32 - bits);
  }

  /**
   * Atomic (temp file + rename): a crash leaves the old or the new state. Synchronous on purpose:
   * the file is a few KiB, and under a burst of pods each asynchronous step waited for a turn of a
   * busy event loop (~60 ms per allocation measured), while the write itself takes ~0.1 ms.
   */
  private persist(): void {
    if (!this.dirMade) {
      mkdirSync(dirname(this.file), { recursive: true });
      this.dirMade = true;
    }
    writeFileSync(`${this.file}.tmp`, JSON.stringify(this.state));
    renameSync(`${this.file}.tmp`, this.file);
  }

  private dirMade = false;
}
