// The start-up repair pass (Kubernetes runs the same idea as its ClusterIP and NodePort repair
// controllers): make the allocation keys match the stored Services, then load the in-memory view
// from them. Keys naming no Service (leaks, e.g. from a crash of an older version) are freed;
// values a Service holds without a key are recorded; a value claimed by two Services stays with the
// one already recorded (or the first found) and the clash is logged.
import type { Service } from 'kubernetes-types/core/v1.js';
import type { Store } from '../../store/types.js';
import type { Logger } from '../../util/log.js';
import type { Allocations, Owner } from './allocations.js';
import { ALLOCATIONS_PREFIX, CLUSTER_IP_PREFIX, NODE_PORT_PREFIX, ipKey, parseOwner, portKey, sameOwner } from './allocations.js';
import { heldIPs, heldPorts } from './service-alloc.js';

export interface RepairReport {
  /** The revision the stored Services and keys were read at (follow changes after it). */
  revision: number;
  services: number;
  freed: string[];
  recorded: string[];
  conflicts: string[];
  outOfRange: string[];
}

interface Claim {
  key: string;
  owner: Owner;
  what: string;
}

export async function repairAllocations(store: Store, servicesPrefix: string, alloc: Allocations, logger: Logger): Promise<RepairReport> {
  const report: RepairReport = { revision: 0, services: 0, freed: [], recorded: [], conflicts: [], outOfRange: [] };
  // One consistent snapshot of keys and Services (both read at the same revision).
  const keys = await store.range(ALLOCATIONS_PREFIX);
  report.revision = keys.revision;
  const existing = new Map<string, { owner: Owner | null; modRevision: number }>();
  for (const kv of keys.items) {
    if (kv.key.startsWith(CLUSTER_IP_PREFIX) || kv.key.startsWith(NODE_PORT_PREFIX)) {
      existing.set(kv.key, { owner: parseOwner(kv.value), modRevision: kv.modRevision });
    }
  }

  // Which Service should hold each key.
  const wanted = new Map<string, Claim>();
  const claim = (c: Claim) => {
    const prev = wanted.get(c.key);
    if (!prev) {
      wanted.set(c.key, c);
      return;
    }
    if (sameOwner(prev.owner, c.owner)) return;
    // Two Services claim one value: keep whoever the store already names.
    const recorded = existing.get(c.key)?.owner ?? null;
    const keep = sameOwner(recorded, c.owner) ? c : prev;
    const lose = keep === c ? prev : c;
    wanted.set(c.key, keep);
    report.conflicts.push(`${c.what} claimed by ${keep.owner.namespace}/${keep.owner.name} and ${lose.owner.namespace}/${lose.owner.name}`);
  };
  for (const kv of (await store.range(servicesPrefix, { revision: report.revision })).items) {
    let svc: Service;
    try {
      svc = JSON.parse(kv.value) as Service;
    } catch {
      continue;
    }
    report.services++;
    const owner: Owner = { namespace: svc.metadata?.namespace ?? '', name: svc.metadata?.name ?? '', uid: svc.metadata?.uid };
    for (const ip of heldIPs(svc)) {
      if (alloc.ipRange.indexOf(ip) < 0) report.outOfRange.push(`clusterIP ${ip} of ${owner.namespace}/${owner.name}`);
      else claim({ key: ipKey(ip), owner, what: `clusterIP ${ip}` });
    }
    for (const p of heldPorts(svc)) {
      if (!alloc.portInRange(p)) report.outOfRange.push(`nodePort ${p} of ${owner.namespace}/${owner.name}`);
      else claim({ key: portKey(p), owner, what: `nodePort ${p}` });
    }
  }

  for (const [key, cur] of existing) {
    const w = wanted.get(key);
    if (w && sameOwner(cur.owner, w.owner)) continue;
    const ops = w
      ? [{ type: 'put' as const, key, value: JSON.stringify(w.owner) }]
      : [{ type: 'delete' as const, key }];
    const r = await store.txn([{ key, modRevision: cur.modRevision }], ops);
    if (r.succeeded) (w ? report.recorded : report.freed).push(key);
  }
  for (const [key, w] of wanted) {
    if (existing.has(key)) continue;
    const r = await store.txn([{ key, modRevision: 0 }], [{ type: 'put', key, value: JSON.stringify(w.owner) }]);
    if (r.succeeded) report.recorded.push(key);
  }

  const ips: string[] = [];
  const ports: number[] = [];
  for (const key of wanted.keys()) {
    if (key.startsWith(CLUSTER_IP_PREFIX)) ips.push(key.slice(CLUSTER_IP_PREFIX.length));
    else ports.push(Number(key.slice(NODE_PORT_PREFIX.length)));
  }
  alloc.load(ips, ports);

  const log = logger.with({ component: 'service-allocations' });
  for (const k of report.freed) log.info('repair: freed allocation no Service holds', { key: k });
  for (const k of report.recorded) log.info('repair: recorded allocation held by a Service', { key: k });
  for (const c of report.conflicts) log.error('repair: value allocated twice; recreate one of these Services', { detail: c });
  for (const o of report.outOfRange) log.warn('repair: value outside the configured range; recreate the Service', { detail: o });
  log.info('repair done', {
    services: report.services,
    clusterIPs: alloc.ips.count(),
    nodePorts: alloc.ports.count(),
    freed: report.freed.length,
    recorded: report.recorded.length,
    conflicts: report.conflicts.length,
  });
  return report;
}
