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
  /** The last checkout's state and each port's place in it (port id + "/" + protocol). */
  private sorted: ServicePortState[] | undefined;
  private position = new Map<string, number>();

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
    return { state: this.sortedState(changed), changed, staleUDP: { removedEndpoints, newlyServing }, endpointChangeTimes };
  }

  /**
   * Every port, sorted by id. When the changed Services kept their ports (the common case: an
   * endpoint change) the last array is patched in place of a copy instead of re-sorting 10,000.
   */
  private sortedState(changed: ReadonlySet<string>): ServicePortState[] {
    if (this.sorted) {
      const next = this.sorted.slice();
      let ok = true;
      for (const key of changed) {
        for (const st of this.current.get(key) ?? []) {
          const i = this.position.get(st.svc.id + '/' + st.svc.protocol);
          if (i === undefined) ok = false;
          else next[i] = st;
        }
        if (!ok) break;
      }
      // Same length and every slot refilled from `current` means the same set of ports.
      if (ok && next.length === this.portCount()) {
        this.sorted = next;
        return next;
      }
    }
    const state = [...this.current.values()].flat().sort((a, b) => (a.svc.id < b.svc.id ? -1 : a.svc.id > b.svc.id ? 1 : 0));
    this.sorted = state;
    this.position = new Map(state.map((st, i) => [st.svc.id + '/' + st.svc.protocol, i]));
    return state;
  }

  private portCount(): number {
    let n = 0;
    for (const l of this.current.values()) n += l.length;
    return n;
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
