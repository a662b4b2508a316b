// Strategy for Services: defaulting, validation, the update and status rules of
// pkg/registry/core/service, and ClusterIP/NodePort allocation committed atomically with the
// Service through allocation keys (see README.md).
import type { Service } from 'kubernetes-types/core/v1.js';
import { setServiceDefaults } from '../../api/defaults/services.js';
import type { FieldError } from '../../api/field-errors.js';
import type { KubeObject } from '../../api/object.js';
import { clone } from '../../api/object.js';
import { findByPlural, storageKey, storagePrefix } from '../../api/resources.js';
import { validateClusterIPFields, validateService } from '../../api/validation/service.js';
import { validateServiceStatus } from '../../api/validation/service-status.js';
import { validateServiceUpdate } from '../../api/validation/service-update.js';
import type { Store } from '../../store/types.js';
import type { Logger } from '../../util/log.js';
import type { RegistryConfig, Strategy, StrategyFactory, TxnExtras, WriteContext } from '../types.js';
import { Allocations } from './allocations.js';
import { initIPFamilies, ipFamilyErrors } from './ip-families.js';
import { dropTypeDependentFields, normalizeClusterIPs, patchAllocatedValues } from './prepare.js';
import { repairAllocations } from './repair.js';
import { allocateCreate, allocateUpdate, allocationRefusals, releaseAll } from './service-alloc.js';

const ENDPOINTS = findByPlural('', 'v1', 'endpoints');

type Writable = Service & { status?: Record<string, unknown> };
const svcOf = (o: KubeObject) => o as unknown as Writable;

/**
 * Kubernetes allocates before it validates: it checks clusterIP-related fields and IP families,
 * then claims requested values, and answers with the first of those problems alone; the rest of
 * validation only runs when they pass.
 */
function staged(alloc: Allocations, svc: Service, old: Service | undefined, rest: () => FieldError[]): FieldError[] {
  const pre = validateClusterIPFields(svc);
  if (pre.length) return pre;
  const fam = ipFamilyErrors(svc, 'IPv4');
  if (fam.length) return fam;
  const refused = allocationRefusals(alloc, svc, old);
  if (refused.length) return refused;
  return rest();
}

export interface ServiceStrategyOptions {
  /** Random source for dynamic picks (tests make it deterministic). */
  random?: (n: number) => number;
}

/** The Service strategy; resolves once the start-up repair has loaded the allocation view from the store. */
export async function createServiceStrategy(
  store: Store,
  config: RegistryConfig,
  logger: Logger,
  servicesPrefix: string,
  opts: ServiceStrategyOptions = {},
): Promise<Strategy & { allocations: Allocations }> {
  const alloc = new Allocations(store, config, opts.random);
  const report = await repairAllocations(store, servicesPrefix, alloc, logger);
  // Keep the view current with allocations other apiservers make or release (repair's own writes
  // replay harmlessly). If the watch ends, the view only goes stale: every claim still checks the
  // store, so nothing is handed out twice.
  try {
    alloc.follow(report.revision, (err) => logger.debug('allocation watch ended', { err }));
  } catch (err) {
    logger.warn('cannot follow allocation changes; relying on store checks', { err });
  }

  const owner = (s: Service) => ({ namespace: s.metadata?.namespace ?? '', name: s.metadata?.name ?? '', uid: s.metadata?.uid });

  async function withOp(s: Service, ctx: WriteContext, run: (op: ReturnType<Allocations['begin']>) => Promise<void> | void): Promise<TxnExtras> {
    const op = alloc.begin(owner(s), ctx);
    // The hook fills spec fields; if this attempt is aborted (e.g. another writer took a value and
    // the registry retries), those fields must not look like the user's requests next time.
    const before = clone(s.spec);
    const undo = () => {
      op.abort();
      if (before === undefined) delete s.spec;
      else s.spec = clone(before);
    };
    // In dry-run the filled-in values are the answer, and nothing was marked to give back.
    if (!ctx.dryRun) ctx.onAbort(undo);
    try {
      await run(op);
    } catch (e) {
      if (!ctx.dryRun) undo();
      throw e;
    }
    return op.finish();
  }

  return {
    allocations: alloc,
    default(obj) {
      setServiceDefaults(svcOf(obj));
    },
    prepareForCreate(obj) {
      const s = svcOf(obj);
      s.status = { loadBalancer: {} };
      const spec = (s.spec ??= {});
      // The apiserver's own `kubernetes` Service always takes the range's first address.
      if (s.metadata?.namespace === 'default' && s.metadata.name === 'kubernetes' && !spec.clusterIP && !spec.clusterIPs?.length) {
        spec.clusterIP = alloc.ipRange.ipAt(0);
      }
      normalizeClusterIPs(s);
      initIPFamilies(s, undefined, 'IPv4');
    },
    prepareForUpdate(obj, old) {
      const s = svcOf(obj);
      const o = svcOf(old);
      if (o.status) s.status = clone(o.status);
      else delete s.status;
      patchAllocatedValues(s, o);
      normalizeClusterIPs(s, o);
      dropTypeDependentFields(s, o);
      initIPFamilies(s, o, 'IPv4');
    },
    validate(obj) {
      const s = svcOf(obj);
      return staged(alloc, s, undefined, () => validateService(s));
    },
    validateUpdate(obj, old) {
      const s = svcOf(obj);
      const o = svcOf(old);
      return staged(alloc, s, o, () => validateServiceUpdate(s, o));
    },
    prepareForStatusUpdate(obj, old) {
      const s = svcOf(obj);
      const o = svcOf(old);
      // Only status may change here; the spec stays as stored.
      if (o.spec) s.spec = clone(o.spec);
      const ingress = (s.status?.loadBalancer as { ingress?: { ip?: string; ipMode?: string }[] } | undefined)?.ingress;
      if (s.spec?.type === 'LoadBalancer') for (const ing of ingress ?? []) if (ing.ip && !ing.ipMode) ing.ipMode = 'VIP';
    },
    validateStatusUpdate(obj) {
      return validateServiceStatus(svcOf(obj));
    },
    beforeCreate(obj, ctx) {
      const s = svcOf(obj);
      return withOp(s, ctx, (op) => allocateCreate(op, s));
    },
    beforeUpdate(obj, old, ctx) {
      const s = svcOf(obj);
      return withOp(s, ctx, (op) => allocateUpdate(op, s, svcOf(old)));
    },
    beforeDelete(old, ctx) {
      const s = svcOf(old);
      return withOp(s, ctx, (op) => {
        releaseAll(op, s);
        // As kube-apiserver's Service REST does after a delete: the same-named Endpoints go too
        // (here in the same transaction). EndpointSlices are left to garbage collection.
        if (ENDPOINTS) op.addOp({ type: 'delete', key: storageKey(ENDPOINTS, s.metadata?.namespace, s.metadata?.name ?? '') });
      });
    },
  };
}

export const createStrategy: StrategyFactory = (ctx) =>
  createServiceStrategy(ctx.store, ctx.config, ctx.logger, storagePrefix(ctx.resource));
