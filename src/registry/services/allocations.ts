// ClusterIP and NodePort allocations: a fast in-memory view (two bitmaps) backed by one store key
// per allocated value, written in the same transaction as the Service that owns it. The key's
// existence is the truth; the bitmaps only avoid asking the store for a free value. A compare
// "modRevision 0" on every newly claimed key makes a race with another writer fail the whole
// transaction instead of handing a value out twice.
import { StatusError, internalError, invalid as invalidStatus } from '../../api/errors.js';
import type { FieldError } from '../../api/field-errors.js';
import type { Compare, Op, Store, Watch, WatchEvent } from '../../store/types.js';
import type { RegistryConfig, TxnExtras, WriteContext } from '../types.js';
import { Bitmap, staticBand } from './bitmap.js';
import type { IPRange } from './ip-range.js';
import { parseServiceCIDR } from './ip-range.js';

export const ALLOCATIONS_PREFIX = '/registry/allocations/';
export const CLUSTER_IP_PREFIX = '/registry/allocations/clusterips/';
export const NODE_PORT_PREFIX = '/registry/allocations/nodeports/';

/** What an allocation key's value names: the Service holding the value. */
export interface Owner {
  namespace: string;
  name: string;
  uid?: string;
}

export function parseOwner(value: string): Owner | null {
  try {
    const o = JSON.parse(value) as Partial<Owner>;
    return typeof o.namespace === 'string' && typeof o.name === 'string' ? { namespace: o.namespace, name: o.name, uid: o.uid } : null;
  } catch {
    return null;
  }
}

export function sameOwner(a: Owner | null, b: Owner): boolean {
  return !!a && a.namespace === b.namespace && a.name === b.name;
}

export const ipKey = (ip: string) => `${CLUSTER_IP_PREFIX}${ip}`;
export const portKey = (port: number) => `${NODE_PORT_PREFIX}${port}`;

/** portallocator's ErrAllocated / ErrNotInRange / ErrFull and ipallocator's equivalents. */
export const PORT_ALLOCATED = 'provided port is already allocated';
export const IP_ALLOCATED = 'provided IP is already allocated';
export const RANGE_FULL = 'range is full';

/** A failure inside an allocation, before it is turned into the Service's Status error. */
export class AllocationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AllocationError';
  }
}

export class Allocations {
  readonly ipRange: IPRange;
  readonly ips: Bitmap;
  readonly ports: Bitmap;
  readonly portBase: number;
  readonly portSize: number;

  constructor(
    readonly store: Store,
    config: RegistryConfig,
    random?: (n: number) => number,
  ) {
    this.ipRange = parseServiceCIDR(config.serviceCIDR);
    this.ips = new Bitmap(this.ipRange.size, this.ipRange.offset, random);
    this.portBase = config.nodePortRange.base;
    this.portSize = config.nodePortRange.size;
    this.ports = new Bitmap(this.portSize, staticBand(this.portSize, 16, 128, 32), random);
  }

  /** "30000-32767", as PortRange.String(). */
  portRangeText(): string {
    return `${this.portBase}-${this.portBase + this.portSize - 1}`;
  }

  portInRange(port: number): boolean {
    return Number.isInteger(port) && port >= this.portBase && port < this.portBase + this.portSize;
  }

  /** Forget everything and mark exactly these values used (start-up, after repair). */
  load(ips: Iterable<string>, ports: Iterable<number>): void {
    for (let i = 0; i < this.ips.size; i++) this.ips.clear(i);
    for (let i = 0; i < this.ports.size; i++) this.ports.clear(i);
    for (const ip of ips) this.ips.set(this.ipRange.indexOf(ip));
    for (const p of ports) this.ports.set(p - this.portBase);
  }

  /**
   * Follows allocation keys written by anyone (another apiserver included), so values released
   * elsewhere become free here without a restart. Own writes arrive too and change nothing.
   */
  follow(afterRevision: number, onError: (err: Error) => void): Watch {
    return this.store.watch(ALLOCATIONS_PREFIX, {
      afterRevision,
      onEvents: (events) => {
        for (const ev of events) this.applyEvent(ev);
      },
      onError,
    });
  }

  private applyEvent(ev: WatchEvent): void {
    const { key } = ev.kv;
    const set = ev.type === 'put';
    if (key.startsWith(CLUSTER_IP_PREFIX)) {
      const i = this.ipRange.indexOf(key.slice(CLUSTER_IP_PREFIX.length));
      if (set) this.ips.set(i);
      else this.ips.clear(i);
    } else if (key.startsWith(NODE_PORT_PREFIX)) {
      const i = Number(key.slice(NODE_PORT_PREFIX.length)) - this.portBase;
      if (set) this.ports.set(i);
      else this.ports.clear(i);
    }
  }

  /** Why `ip` cannot be claimed as far as this view knows (null: it looks free). */
  ipProblem(ip: string): string | null {
    const i = this.ipRange.indexOf(ip);
    if (i < 0) return `the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${this.ipRange.cidr}`;
    return this.ips.has(i) ? IP_ALLOCATED : null;
  }

  /** Why `port` cannot be claimed as far as this view knows (null: it looks free). */
  portProblem(port: number): string | null {
    if (!this.portInRange(port)) return `provided port is not in the valid range. The range of valid ports is ${this.portRangeText()}`;
    return this.ports.has(port - this.portBase) ? PORT_ALLOCATED : null;
  }

  begin(owner: Owner, ctx: WriteContext): AllocationOp {
    return new AllocationOp(this, owner, ctx);
  }
}

/**
 * The allocations of one write attempt. Newly claimed values are marked in memory at once (so
 * concurrent writers do not pick them too) and given back on abort; released values stay marked
 * until the transaction committed. In dry-run nothing is marked or written, but requested values
 * are still checked.
 */
export class AllocationOp {
  private readonly compares: Compare[] = [];
  private readonly ops: Op[] = [];
  private readonly claimedIPs: number[] = [];
  private readonly claimedPorts: number[] = [];
  private readonly releasedIPs: number[] = [];
  private readonly releasedPorts: number[] = [];
  /** Values picked in this op (dry-run marks nothing, so it must remember them here). */
  private readonly localIPs = new Set<number>();
  private readonly localPorts = new Set<number>();
  private readonly value: string;

  constructor(
    private readonly a: Allocations,
    readonly owner: Owner,
    private readonly ctx: WriteContext,
  ) {
    this.value = JSON.stringify(owner);
  }

  private async takenInStore(key: string): Promise<boolean> {
    return (await this.a.store.get(key)) !== null;
  }

  /** Claims a specific IP; throws AllocationError with ipallocator's text when it cannot. */
  async allocateIP(ip: string): Promise<void> {
    const i = this.a.ipRange.indexOf(ip);
    const problem = this.a.ipProblem(ip);
    if (problem) throw new AllocationError(problem);
    if (this.localIPs.has(i)) throw new AllocationError(IP_ALLOCATED);
    if (!this.ctx.dryRun) this.a.ips.set(i);
    this.localIPs.add(i);
    if (await this.takenInStore(ipKey(ip))) {
      // Someone else (another apiserver) holds it; our view was stale and stays corrected.
      this.localIPs.delete(i);
      throw new AllocationError(IP_ALLOCATED);
    }
    this.claimIP(i, ip);
  }

  async allocateNextIP(): Promise<string> {
    for (let tries = 0; tries < 64; tries++) {
      const i = this.pickFree(this.a.ips, this.localIPs);
      if (i < 0) break;
      if (!this.ctx.dryRun) this.a.ips.set(i);
      this.localIPs.add(i);
      const ip = this.a.ipRange.ipAt(i);
      if (await this.takenInStore(ipKey(ip))) continue;
      this.claimIP(i, ip);
      return ip;
    }
    throw new AllocationError(RANGE_FULL);
  }

  async allocatePort(port: number): Promise<void> {
    const problem = this.a.portProblem(port);
    if (problem) throw new AllocationError(problem);
    const i = port - this.a.portBase;
    if (this.localPorts.has(i)) throw new AllocationError(PORT_ALLOCATED);
    if (!this.ctx.dryRun) this.a.ports.set(i);
    this.localPorts.add(i);
    if (await this.takenInStore(portKey(port))) {
      this.localPorts.delete(i);
      throw new AllocationError(PORT_ALLOCATED);
    }
    this.claimPort(i, port);
  }

  async allocateNextPort(): Promise<number> {
    for (let tries = 0; tries < 64; tries++) {
      const i = this.pickFree(this.a.ports, this.localPorts);
      if (i < 0) break;
      if (!this.ctx.dryRun) this.a.ports.set(i);
      this.localPorts.add(i);
      const port = this.a.portBase + i;
      if (await this.takenInStore(portKey(port))) continue;
      this.claimPort(i, port);
      return port;
    }
    throw new AllocationError(RANGE_FULL);
  }

  /** Gives an IP back when the write commits (and deletes its key in the same transaction). */
  releaseIP(ip: string): void {
    const i = this.a.ipRange.indexOf(ip);
    this.ops.push({ type: 'delete', key: ipKey(ip) });
    if (i >= 0) this.releasedIPs.push(i);
  }

  releasePort(port: number): void {
    this.ops.push({ type: 'delete', key: portKey(port) });
    if (this.a.portInRange(port)) this.releasedPorts.push(port - this.a.portBase);
  }

  /** Any other write that must commit with the Service (e.g. deleting its Endpoints). */
  addOp(op: Op): void {
    this.ops.push(op);
  }

  /** Hands the guarded writes to the registry; releases take effect in memory on commit. The caller registers abort(). */
  finish(): TxnExtras {
    const { ips, ports } = this.a;
    if (this.ctx.dryRun) return { compares: [], ops: [] };
    this.ctx.onCommit(() => {
      for (const i of this.releasedIPs) ips.clear(i);
      for (const i of this.releasedPorts) ports.clear(i);
    });
    return { compares: this.compares, ops: this.ops };
  }

  /** Gives back what this op claimed in memory (on failure before or inside the transaction). */
  abort(): void {
    if (this.ctx.dryRun) return;
    for (const i of this.claimedIPs.splice(0)) this.a.ips.clear(i);
    for (const i of this.claimedPorts.splice(0)) this.a.ports.clear(i);
  }

  private pickFree(bm: Bitmap, local: Set<number>): number {
    if (!this.ctx.dryRun || local.size === 0) return bm.pickFree();
    // Dry-run marks nothing, so skip what this op already picked.
    for (let tries = 0; tries < 16; tries++) {
      const i = bm.pickFree();
      if (i < 0 || !local.has(i)) return i;
    }
    for (let i = 0; i < bm.size; i++) if (!bm.has(i) && !local.has(i)) return i;
    return -1;
  }

  private claimIP(i: number, ip: string): void {
    if (this.ctx.dryRun) return;
    this.claimedIPs.push(i);
    this.compares.push({ key: ipKey(ip), modRevision: 0 });
    this.ops.push({ type: 'put', key: ipKey(ip), value: this.value });
  }

  private claimPort(i: number, port: number): void {
    if (this.ctx.dryRun) return;
    this.claimedPorts.push(i);
    this.compares.push({ key: portKey(port), modRevision: 0 });
    this.ops.push({ type: 'put', key: portKey(port), value: this.value });
  }
}

/** The Status error Kubernetes returns for a field-level allocation failure. */
export function allocationInvalid(name: string, errs: FieldError[]): StatusError {
  return invalidStatus('', 'Service', name, errs);
}

export function allocationInternal(what: string, err: unknown): StatusError {
  return internalError(new Error(`${what}: ${err instanceof Error ? err.message : String(err)}`));
}
