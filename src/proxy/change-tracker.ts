// Change tracking (kube-proxy's ServiceChangeTracker + EndpointsChangeTracker, in one): informer
// handlers only record which Service changed (habit 2); the sync loop checks the changes out,
// recomputing just those Services, and learns what it must clean up (stale UDP conntrack entries)
// and how long each EndpointSlice change waited (programming latency).
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { endpointsByPort, portKey, sliceServiceKey } from './endpoints-info.js';
import { usableEndpoints, type EndpointInfo, type ServicePortState } from './model.js';
import { servicePorts } from './service-info.js';

/** UDP conntrack entries that would pin clients to a gone endpoint or to a former "no endpoints". */
export interface StaleUDP {
  /** Delete entries to these service addresses and port whose reply comes from `endpointIP`. */
  readonly removedEndpoints: { readonly addrs: readonly string[]; readonly port: number; readonly nodePort?: number; readonly endpointIP: string }[];
  /** Delete every entry to these service addresses and port (the Service had no endpoints before). */
  readonly newlyServing: { readonly addrs: readonly string[]; readonly port: number; readonly nodePort?: number }[];
}

export interface Checkout {
  /** Every Service port, sorted by id (the whole desired state). */
  readonly state: readonly ServicePortState[];
  /** Keys ("ns/name") of the Services that changed since the last checkout. */
  readonly changed: ReadonlySet<string>;
  readonly staleUDP: StaleUDP;
  /** When each pending EndpointSlice change arrived (clock ms), for the programming-latency metric. */
  readonly endpointChangeTimes: readonly number[];
}

export class ChangeTracker {
  private readonly services = new Map<string, Service>();
  /** svcKey → sliceKey → slice */
  private readonly slices = new Map<string, Map<string, EndpointSlice>>();
  private readonly dirty = new Set<string>();
  private endpointTimes: number[] = [];
  /** svcKey → the state last checked out for it. */
  private readonly current = new Map<string, ServicePortState[]>();

  constructor(private readonly now: () => number) {}

  serviceChanged(key: string, svc: Service | undefined): void {
    if (svc) this.services.set(key, svc);
    else this.services.delete(key);
    this.dirty.add(key);
  }

  sliceChanged(slice: EndpointSlice, deleted: boolean): void {
    const svcKey = sliceServiceKey(slice);
    if (!svcKey) return;
    const sliceKey = `${slice.metadata?.namespace}/${slice.metadata?.name}`;
    let bySlice = this.slices.get(svcKey);
    if (deleted) {
      bySlice?.delete(sliceKey);
      if (bySlice?.size === 0) this.slices.delete(svcKey);
    } else {
      if (!bySlice) this.slices.set(svcKey, (bySlice = new Map()));
      bySlice.set(sliceKey, slice);
    }
    this.dirty.add(svcKey);
    this.endpointTimes.push(this.now());
  }

  /** Are there changes not yet checked out? */
  pending(): boolean {
    return this.dirty.size > 0;
  }

  checkout(): Checkout {
    const changed = new Set(this.dirty);
    this.dirty.clear();
    const endpointChangeTimes = this.endpointTimes;
    this.endpointTimes = [];
    const removedEndpoints: StaleUDP['removedEndpoints'][number][] = [];
    const newlyServing: StaleUDP['newlyServing'][number][] = [];
    for (const key of changed) {
      const before = new Map((this.current.get(key) ?? []).map((s) => [s.svc.id + '/' + s.svc.protocol, s]));
      const after = this.compute(key);
      if (after.length > 0) this.current.set(key, after);
      else this.current.delete(key);
      for (const now of after) {
        if (now.svc.protocol !== 'UDP') continue;
        const was = before.get(now.svc.id + '/UDP');
        const addrs = [...now.svc.clusterIPs, ...now.svc.externalIPs, ...now.svc.loadBalancerIPs];
        const oldEps = was ? usableEndpoints(was.endpoints) : [];
        const newEps = usableEndpoints(now.endpoints);
        if (oldEps.length === 0 && newEps.length > 0) newlyServing.push({ addrs, port: now.svc.port, nodePort: now.svc.nodePort });
        const keep = new Set(newEps.map((e) => e.ip));
        for (const e of oldEps) {
          if (keep.has(e.ip)) continue;
          removedEndpoints.push({ addrs, port: now.svc.port, nodePort: now.svc.nodePort, endpointIP: e.ip });
        }
      }
    }
    const state = [...this.current.values()].flat().sort((a, b) => (a.svc.id < b.svc.id ? -1 : a.svc.id > b.svc.id ? 1 : 0));
    return { state, changed, staleUDP: { removedEndpoints, newlyServing }, endpointChangeTimes };
  }

  private compute(svcKey: string): ServicePortState[] {
    const svc = this.services.get(svcKey);
    if (!svc) return [];
    const slash = svcKey.indexOf('/');
    const eps = endpointsByPort(svcKey.slice(0, slash), svcKey.slice(slash + 1), this.slices.get(svcKey)?.values() ?? []);
    return servicePorts(svc).map((p): ServicePortState => ({
      svc: p,
      endpoints: eps.get(portKey(p.id, p.protocol)) ?? ([] as EndpointInfo[]),
    }));
  }
}
