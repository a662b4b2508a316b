// Which ClusterIPs and NodePorts a Service write claims and gives back, following
// pkg/registry/core/service/storage/alloc.go (allocateCreate, allocateUpdate and the release on
// delete), and the error each failure becomes.
import type { Service, ServicePort } from 'kubernetes-types/core/v1.js';
import type { FieldError } from '../../api/field-errors.js';
import { invalid } from '../../api/field-errors.js';
import { goStrings } from '../../api/validation/service-net.js';
import { isHeadless, needsHealthCheck } from '../../api/validation/service.js';
import type { AllocationOp, Allocations } from './allocations.js';
import { AllocationError, allocationInternal, allocationInvalid } from './allocations.js';
import { canHaveNodePorts, needsClusterIP, shouldAllocateNodePorts } from './prepare.js';

const nameOf = (s: Service) => s.metadata?.name ?? '';

/** The IPs a stored Service holds (none for ExternalName or headless). */
export function heldIPs(svc: Service): string[] {
  if (!needsClusterIP(svc) || isHeadless(svc)) return [];
  return (svc.spec?.clusterIPs ?? (svc.spec?.clusterIP ? [svc.spec.clusterIP] : [])).filter((ip) => ip && ip !== 'None');
}

/** The node port numbers a stored Service holds, health-check port included; each number once. */
export function heldPorts(svc: Service): number[] {
  const out = new Set<number>();
  if (canHaveNodePorts(svc)) for (const p of svc.spec?.ports ?? []) if (p.nodePort) out.add(p.nodePort);
  if (svc.spec?.healthCheckNodePort) out.add(svc.spec.healthCheckNodePort);
  return [...out];
}

async function allocClusterIPs(op: AllocationOp, svc: Service): Promise<void> {
  const spec = svc.spec!;
  if (!needsClusterIP(svc) || isHeadless(svc)) return;
  const wanted = spec.clusterIPs?.[0] ?? spec.clusterIP ?? '';
  if (!wanted) {
    let ip: string;
    try {
      ip = await op.allocateNextIP();
    } catch (e) {
      throw e instanceof AllocationError ? allocationInternal('failed to allocate a serviceIP', e) : e;
    }
    spec.clusterIP = ip;
    spec.clusterIPs = [ip, ...(spec.clusterIPs ?? []).slice(1)];
    return;
  }
  try {
    await op.allocateIP(wanted);
  } catch (e) {
    if (!(e instanceof AllocationError)) throw e;
    throw allocationInvalid(nameOf(svc), [invalid('spec.clusterIPs', goStrings(spec.clusterIPs), `failed to allocate IP ${wanted}: ${e.message}`)]);
  }
  spec.clusterIP = wanted;
  if (!spec.clusterIPs?.length) spec.clusterIPs = [wanted];
}

function nodePortInvalid(svc: Service, i: number, port: number, e: unknown): unknown {
  if (!(e instanceof AllocationError)) return e;
  return allocationInvalid(nameOf(svc), [invalid(`spec.ports[${i}].nodePort`, port, e.message)]);
}

/** initNodePorts: one node port per service port number, so TCP and UDP of a port share it. */
async function allocNodePortsCreate(op: AllocationOp, svc: Service): Promise<void> {
  const ports = svc.spec?.ports ?? [];
  const byPort = new Map<number, number>();
  for (let i = 0; i < ports.length; i++) {
    const sp = ports[i];
    if (!sp.nodePort && !shouldAllocateNodePorts(svc)) continue;
    const have = byPort.get(sp.port) ?? 0;
    if (!have) {
      // A later port with the same number may carry the user's request.
      const requested = sp.nodePort || ports.slice(i).find((p) => p.port === sp.port && p.nodePort)?.nodePort || 0;
      if (requested) {
        try {
          await op.allocatePort(requested);
        } catch (e) {
          throw nodePortInvalid(svc, i, requested, e);
        }
        sp.nodePort = requested;
      } else {
        try {
          sp.nodePort = await op.allocateNextPort();
        } catch (e) {
          throw e instanceof AllocationError ? allocationInternal('failed to allocate a nodePort', e) : e;
        }
      }
      byPort.set(sp.port, sp.nodePort);
    } else if (sp.nodePort !== have) {
      if (!sp.nodePort) sp.nodePort = have;
      else {
        try {
          await op.allocatePort(sp.nodePort);
        } catch (e) {
          throw nodePortInvalid(svc, i, sp.nodePort, e);
        }
      }
    }
  }
}

/** updateNodePorts: keep what the old object held, claim new numbers, release dropped ones. */
async function allocNodePortsUpdate(op: AllocationOp, svc: Service, old: Service): Promise<void> {
  const oldNumbers = new Set(canHaveNodePorts(old) ? (old.spec?.ports ?? []).map((p) => p.nodePort ?? 0).filter((n) => n) : []);
  const claimed = new Set<number>();
  const ports: ServicePort[] = svc.spec?.ports ?? [];
  for (let i = 0; i < ports.length; i++) {
    const sp = ports[i];
    if (!sp.nodePort && !shouldAllocateNodePorts(svc)) continue;
    if (sp.nodePort) {
      if (!oldNumbers.has(sp.nodePort) && !claimed.has(sp.nodePort)) {
        try {
          await op.allocatePort(sp.nodePort);
        } catch (e) {
          throw nodePortInvalid(svc, i, sp.nodePort, e);
        }
        claimed.add(sp.nodePort);
      }
    } else {
      try {
        sp.nodePort = await op.allocateNextPort();
      } catch (e) {
        throw e instanceof AllocationError ? allocationInternal('failed to allocate a nodePort', e) : e;
      }
    }
  }
}

async function allocHealthCheckPort(op: AllocationOp, svc: Service): Promise<void> {
  const spec = svc.spec!;
  const hc = spec.healthCheckNodePort ?? 0;
  try {
    if (hc) await op.allocatePort(hc);
    else spec.healthCheckNodePort = await op.allocateNextPort();
  } catch (e) {
    if (!(e instanceof AllocationError)) throw e;
    throw allocationInternal(hc ? `failed to allocate requested HealthCheck NodePort ${hc}` : 'failed to allocate a HealthCheck NodePort 0', e);
  }
}

export async function allocateCreate(op: AllocationOp, svc: Service): Promise<void> {
  await allocClusterIPs(op, svc);
  if (canHaveNodePorts(svc)) await allocNodePortsCreate(op, svc);
  if (needsHealthCheck(svc)) await allocHealthCheckPort(op, svc);
}

export async function allocateUpdate(op: AllocationOp, svc: Service, old: Service): Promise<void> {
  const spec = svc.spec!;
  // ClusterIPs: allocate when leaving ExternalName, release when entering it; otherwise immutable.
  if (old.spec?.type === 'ExternalName' && spec.type !== 'ExternalName') {
    await allocClusterIPs(op, svc);
  } else if (!isHeadless(old) && old.spec?.type !== 'ExternalName' && spec.type === 'ExternalName') {
    for (const ip of heldIPs(old)) op.releaseIP(ip);
  }

  const oldNumbers = canHaveNodePorts(old) ? (old.spec?.ports ?? []).map((p) => p.nodePort ?? 0).filter((n) => n) : [];
  if (canHaveNodePorts(svc)) {
    await allocNodePortsUpdate(op, svc, old);
    const keep = new Set((spec.ports ?? []).map((p) => p.nodePort ?? 0));
    for (const n of new Set(oldNumbers)) if (!keep.has(n)) op.releasePort(n);
  } else {
    for (const n of new Set(oldNumbers)) op.releasePort(n);
  }

  const had = needsHealthCheck(old);
  const needs = needsHealthCheck(svc);
  const oldHC = old.spec?.healthCheckNodePort ?? 0;
  if (!had && needs) {
    await allocHealthCheckPort(op, svc);
  } else if (had && !needs) {
    if (oldHC) op.releasePort(oldHC);
  } else if (had && needs && oldHC !== (spec.healthCheckNodePort ?? 0)) {
    throw allocationInvalid(nameOf(svc), [
      invalid('spec.healthCheckNodePort', spec.healthCheckNodePort ?? 0, 'cannot change healthCheckNodePort on loadBalancer service with externalTraffic=Local during update'),
    ]);
  }
}

/** Everything a Service holds, given back when it is deleted. */
export function releaseAll(op: AllocationOp, svc: Service): void {
  for (const ip of heldIPs(svc)) op.releaseIP(ip);
  for (const n of heldPorts(svc)) op.releasePort(n);
}

/**
 * Kubernetes allocates before it validates, so a refused requested value is reported alone, ahead
 * of any validation error. This replays those refusals (in Kubernetes' order: clusterIP, then node
 * ports by index) against the in-memory view, so validation can answer the same way; the hooks
 * check again, authoritatively, when they claim.
 */
export function allocationRefusals(alloc: Allocations, svc: Service, old?: Service): FieldError[] {
  const spec = svc.spec ?? {};
  const ipNeeded = old ? old.spec?.type === 'ExternalName' && spec.type !== 'ExternalName' : true;
  const wanted = spec.clusterIPs?.[0] ?? spec.clusterIP ?? '';
  if (ipNeeded && needsClusterIP(svc) && !isHeadless(svc) && wanted && wanted !== 'None') {
    const problem = alloc.ipProblem(wanted);
    if (problem) return [invalid('spec.clusterIPs', goStrings(spec.clusterIPs), `failed to allocate IP ${wanted}: ${problem}`)];
  }
  if (!canHaveNodePorts(svc)) return [];
  const held = new Set(old && canHaveNodePorts(old) ? (old.spec?.ports ?? []).map((p) => p.nodePort ?? 0) : []);
  const seen = new Set<number>();
  const ports = spec.ports ?? [];
  for (let i = 0; i < ports.length; i++) {
    let n = ports[i].nodePort ?? 0;
    // On create, a port without a node port takes one a later port of the same number asks for.
    if (!n && !old && shouldAllocateNodePorts(svc)) n = ports.slice(i).find((p) => p.port === ports[i].port && p.nodePort)?.nodePort ?? 0;
    if (!n || held.has(n) || seen.has(n)) continue;
    seen.add(n);
    const problem = alloc.portProblem(n);
    if (problem) return [invalid(`spec.ports[${i}].nodePort`, n, problem)];
  }
  return [];
}
