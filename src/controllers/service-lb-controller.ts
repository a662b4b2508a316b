// The load balancer for a cluster with no cloud: what kube-controller-manager's service-lb-controller
// does with a cloud provider, done with an address pool. A `type: LoadBalancer` Service (without a
// spec.loadBalancerClass, which would name another implementation) gets an ingress IP from the
// pool in status.loadBalancer, so `kubectl get svc` shows an EXTERNAL-IP instead of <pending> and
// the proxy carries <ip>:<port> to the Service's endpoints. Leaving the type releases the address.
// The events are the cloud service controller's (EnsuringLoadBalancer, EnsuredLoadBalancer,
// DeletingLoadBalancer, DeletedLoadBalancer, SyncLoadBalancerFailed).
import type { LoadBalancerStatus, Service } from 'kubernetes-types/core/v1.js';
import { SERVICES, deletedObject, isNotFound, objectKey, splitKey, type WorkQueue } from '../client/index.js';
import { fill, fromContext, queueController, type WorkloadControllerConfig } from './controller-base.js';
import type { Controller, ControllerDescriptor } from './index.js';
import { createLbPool, type LbPool } from './lb-pool.js';

/** The pool a cluster gets when none is configured: routed only inside the node. */
export const DEFAULT_LOAD_BALANCER_CIDRS = ['10.250.0.0/24'];

/** A Service that cannot get an address now is retried this often (the pool may free up). */
const RETRY_MS = 30_000;

export interface ServiceLbConfig extends WorkloadControllerConfig {
  /** IPv4 CIDRs ingress addresses come from (default DEFAULT_LOAD_BALANCER_CIDRS). */
  cidrs?: readonly string[];
}

function wantsLoadBalancer(svc: Service): boolean {
  return svc.spec?.type === 'LoadBalancer' && !svc.spec.loadBalancerClass;
}

function ingressIPs(svc: Service): string[] {
  return (svc.status?.loadBalancer?.ingress ?? []).flatMap((i) => (i.ip ? [i.ip] : []));
}

function sameStatus(a: LoadBalancerStatus | undefined, b: LoadBalancerStatus): boolean {
  return JSON.stringify(a?.ingress ?? []) === JSON.stringify(b.ingress ?? []);
}

export function createServiceLbController(config: ServiceLbConfig): Controller {
  const f = fill('service-lb', config);
  const pool: LbPool = createLbPool(config.cidrs ?? DEFAULT_LOAD_BALANCER_CIDRS);
  const services = f.factory.informerFor(SERVICES);
  const client = f.client.resource(SERVICES);
  // Services that found the pool full: retried as soon as an address is freed.
  const waiting = new Set<string>();
  let queueRef: WorkQueue<string> | undefined;
  const release = (key: string) => {
    if (pool.heldBy(key).length === 0) return;
    pool.release(key);
    for (const k of waiting) queueRef?.add(k);
    waiting.clear();
  };

  function register(queue: WorkQueue<string>): void {
    queueRef = queue;
    services.addEventHandler({
      onAdd: (svc) => queue.add(objectKey(svc)),
      onUpdate: (old, svc) => {
        if (wantsLoadBalancer(old) || wantsLoadBalancer(svc) || ingressIPs(svc).length > 0) queue.add(objectKey(svc));
      },
      onDelete: (x) => {
        const key = objectKey(deletedObject(x));
        waiting.delete(key);
        release(key);
      },
    });
  }

  async function writeStatus(svc: Service, loadBalancer: LoadBalancerStatus): Promise<void> {
    await client.updateStatus(svc.metadata?.namespace, { ...svc, status: { ...svc.status, loadBalancer } });
  }

  /** The address this Service should have, claimed in the pool; a string explains why there is none. */
  function address(key: string, svc: Service): { ip: string } | { error: string } {
    const families = svc.spec?.ipFamilies ?? ['IPv4'];
    if (!families.includes('IPv4')) return { error: `the load balancer pool ${pool.cidrs.join(',')} has no ${families.join(',')} addresses` };
    const requested = svc.spec?.loadBalancerIP;
    if (requested) {
      if (!pool.contains(requested)) return { error: `requested loadBalancerIP ${requested} is not in the load balancer pool ${pool.cidrs.join(',')}` };
      if (!pool.claim(requested, key)) return { error: `requested loadBalancerIP ${requested} is already in use by service ${pool.holder(requested)}` };
      if (pool.heldBy(key).some((ip) => ip !== requested)) {
        release(key);
        pool.claim(requested, key);
      }
      return { ip: requested };
    }
    const held = pool.heldBy(key);
    if (held.length > 0) return { ip: held[0]! };
    const ip = pool.allocate(key);
    return ip ? { ip } : { error: `no addresses left in the load balancer pool ${pool.cidrs.join(',')}` };
  }

  async function reconcile(key: string) {
    const { namespace, name } = splitKey(key);
    const svc = services.lister.get(namespace, name);
    if (!svc) {
      waiting.delete(key);
      release(key);
      return;
    }
    if (svc.spec?.loadBalancerClass) return; // another implementation's Service
    if (!wantsLoadBalancer(svc)) {
      waiting.delete(key);
      const held = pool.heldBy(key).length > 0;
      // Only an address of ours is taken back (another controller may have written the status).
      const ours = ingressIPs(svc).some((ip) => pool.contains(ip));
      release(key);
      if (!held && !ours) return;
      f.recorder?.recordEvent(svc, 'Normal', 'DeletingLoadBalancer', 'Deleting load balancer');
      try {
        if (ours) await writeStatus(svc, {});
      } catch (e) {
        if (isNotFound(e)) return;
        throw e;
      }
      f.recorder?.recordEvent(svc, 'Normal', 'DeletedLoadBalancer', 'Deleted load balancer');
      return;
    }
    const got = address(key, svc);
    if ('error' in got) {
      f.recorder?.recordEvent(svc, 'Warning', 'SyncLoadBalancerFailed', `Error syncing load balancer: failed to ensure load balancer: ${got.error}`);
      f.logger.warn('cannot give the service a load balancer address', { service: key, reason: got.error });
      waiting.add(key);
      return { requeueAfterMs: RETRY_MS };
    }
    waiting.delete(key);
    const want: LoadBalancerStatus = { ingress: [{ ip: got.ip, ipMode: 'VIP' }] };
    if (sameStatus(svc.status?.loadBalancer, want)) return;
    f.recorder?.recordEvent(svc, 'Normal', 'EnsuringLoadBalancer', 'Ensuring load balancer');
    try {
      await writeStatus(svc, want);
    } catch (e) {
      if (isNotFound(e)) {
        release(key);
        return;
      }
      throw e;
    }
    f.recorder?.recordEvent(svc, 'Normal', 'EnsuredLoadBalancer', 'Ensured load balancer');
    f.logger.info('load balancer address assigned', { service: key, ip: got.ip });
  }

  const controller = queueController('service-lb', f, register, reconcile);
  return {
    run() {
      // Addresses already in statuses are taken before anything new is handed out.
      for (const svc of services.lister.list()) {
        if (!wantsLoadBalancer(svc)) continue;
        const key = objectKey(svc);
        for (const ip of ingressIPs(svc)) pool.claim(ip, key);
      }
      controller.run();
    },
    stop: () => controller.stop(),
  };
}

export const serviceLbController: ControllerDescriptor = {
  name: 'service-lb-controller',
  create: (ctx) => createServiceLbController({ ...fromContext(ctx, 'service-controller'), cidrs: ctx.config.loadBalancerCIDRs }),
};
