// A small stand-in for the generic registry, for the Service unit tests: it drives a Strategy
// through the contract of src/registry/types.ts (default → prepare → validate → hook → one
// store transaction with the hook's extras → onCommit/onAbort, hook retried when only its own
// compares failed) against a real Store. Not used outside tests.
import type { Service } from 'kubernetes-types/core/v1.js';
import { StatusError, invalid } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import { clone } from '../../api/object.js';
import { findByPlural, storageKey, storagePrefix } from '../../api/resources.js';
import type { Store } from '../../store/types.js';
import { silentLogger } from '../../util/log.js';
import type { RegistryConfig, Strategy, TxnExtras, WriteContext } from '../types.js';
import { DEFAULT_REGISTRY_CONFIG } from '../types.js';
import type { Allocations } from './allocations.js';
import { createServiceStrategy } from './strategy.js';

export const SERVICES = findByPlural('', 'v1', 'services')!;
export const SERVICES_PREFIX = storagePrefix(SERVICES);
let uidCounter = 0;

export class ServiceHarness {
  /** Transactions that failed only on the hook's compares and were retried. */
  retries = 0;

  private constructor(
    readonly store: Store,
    readonly strategy: Strategy & { allocations: Allocations },
  ) {}

  static async open(store: Store, config: RegistryConfig = DEFAULT_REGISTRY_CONFIG, random?: (n: number) => number): Promise<ServiceHarness> {
    return new ServiceHarness(store, await createServiceStrategy(store, config, silentLogger, SERVICES_PREFIX, { random }));
  }

  key(name: string, ns = 'default'): string {
    return storageKey(SERVICES, ns, name);
  }

  async get(name: string, ns = 'default'): Promise<Service | null> {
    const kv = await this.store.get(this.key(name, ns));
    return kv ? (JSON.parse(kv.value) as Service) : null;
  }

  private async commit(key: string, expect: number, value: () => string | null, dryRun: boolean, hook?: (ctx: WriteContext) => Promise<TxnExtras>) {
    for (let attempt = 0; attempt < 8; attempt++) {
      const commits: (() => void)[] = [];
      const aborts: (() => void)[] = [];
      const ctx: WriteContext = { store: this.store, dryRun, onCommit: (f) => commits.push(f), onAbort: (f) => aborts.push(f) };
      const abort = () => aborts.splice(0).forEach((f) => f());
      let x: TxnExtras = { compares: [], ops: [] };
      try {
        if (hook) x = await hook(ctx);
      } catch (e) {
        abort();
        throw e;
      }
      if (dryRun) {
        abort();
        return;
      }
      const v = value();
      const r = await this.store.txn([{ key, modRevision: expect }, ...x.compares], [v === null ? { type: 'delete', key } : { type: 'put', key, value: v }, ...x.ops]);
      if (r.succeeded) {
        commits.forEach((f) => f());
        return;
      }
      abort();
      if ((r.current[0]?.modRevision ?? 0) !== expect) throw new StatusError(409, 'Conflict', `conflict on ${key}`);
      this.retries++;
    }
    throw new StatusError(409, 'Conflict', 'allocation kept conflicting');
  }

  async create(input: Service, opts: { dryRun?: boolean } = {}): Promise<Service> {
    const s = clone(input) as Service & KubeObject;
    s.metadata = { namespace: 'default', ...s.metadata, uid: `uid-${++uidCounter}` };
    this.strategy.default?.(s);
    this.strategy.prepareForCreate?.(s);
    const errs = this.strategy.validate?.(s) ?? [];
    if (errs.length) throw invalid('', 'Service', s.metadata.name ?? '', errs);
    const key = this.key(s.metadata.name ?? '', s.metadata.namespace);
    await this.commit(key, 0, () => JSON.stringify(s), Boolean(opts.dryRun), (ctx) => this.strategy.beforeCreate!(s, ctx));
    return s;
  }

  /** A PUT of `input` (or of the stored object changed by `input` when it is a function). */
  async update(name: string, input: Service | ((s: Service) => void), opts: { dryRun?: boolean; ns?: string } = {}): Promise<Service> {
    const ns = opts.ns ?? 'default';
    const key = this.key(name, ns);
    const kv = await this.store.get(key);
    if (!kv) throw new StatusError(404, 'NotFound', `services "${name}" not found`);
    const old = JSON.parse(kv.value) as Service & KubeObject;
    let s: Service & KubeObject;
    if (typeof input === 'function') {
      s = clone(old);
      input(s);
    } else {
      s = clone(input) as Service & KubeObject;
      s.metadata = { ...old.metadata, ...s.metadata };
    }
    if ('status' in old) (s as KubeObject).status = clone(old.status);
    this.strategy.default?.(s);
    this.strategy.prepareForUpdate?.(s, old);
    const errs = this.strategy.validateUpdate?.(s, old) ?? [];
    if (errs.length) throw invalid('', 'Service', name, errs);
    await this.commit(key, kv.modRevision, () => JSON.stringify(s), Boolean(opts.dryRun), (ctx) => this.strategy.beforeUpdate!(s, old, ctx));
    return s;
  }

  async updateStatus(name: string, input: Service): Promise<Service> {
    const key = this.key(name);
    const kv = await this.store.get(key);
    if (!kv) throw new StatusError(404, 'NotFound', `services "${name}" not found`);
    const old = JSON.parse(kv.value) as Service & KubeObject;
    const s = clone(old) as KubeObject;
    s.status = clone((input as KubeObject).status);
    s.spec = clone(input.spec);
    this.strategy.prepareForStatusUpdate?.(s, old);
    const errs = this.strategy.validateStatusUpdate?.(s, old) ?? [];
    if (errs.length) throw invalid('', 'Service', name, errs);
    await this.commit(key, kv.modRevision, () => JSON.stringify(s), false);
    return s as Service;
  }

  async delete(name: string, ns = 'default'): Promise<void> {
    const key = this.key(name, ns);
    const kv = await this.store.get(key);
    if (!kv) throw new StatusError(404, 'NotFound', `services "${name}" not found`);
    const old = JSON.parse(kv.value) as Service & KubeObject;
    await this.commit(key, kv.modRevision, () => null, false, (ctx) => this.strategy.beforeDelete!(old, ctx));
  }
}

/** The message a failed write produced (for table-driven expectations). */
export async function errorOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof Error) return e.message;
    return String(e);
  }
  return '(no error)';
}
