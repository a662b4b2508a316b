// kube-controller-manager's serviceaccount-controller: every live namespace has a ServiceAccount
// named "default". A namespace that appears (or changes) and a "default" ServiceAccount that is
// deleted both queue the namespace; the reconcile creates the account when the namespace is
// active and the account is missing from the cache. Nothing else about the account is managed
// (no token Secrets: kubesvc issues no tokens).
import type { Namespace, ServiceAccount } from 'kubernetes-types/core/v1.js';
import { StatusError } from '../api/errors.js';
import { NAMESPACES, SERVICEACCOUNTS, deletedObject, isAlreadyExists, isNotFound, type WorkQueue } from '../client/index.js';
import { fill, fromContext, queueController, type WorkloadControllerConfig } from './controller-base.js';
import type { Controller, ControllerDescriptor } from './index.js';

/** The accounts every namespace gets (the controller's ServiceAccounts option). */
export const DEFAULT_SERVICE_ACCOUNTS = ['default'];

const terminating = (ns: Namespace) => Boolean(ns.metadata?.deletionTimestamp) || ns.status?.phase === 'Terminating';

export function createServiceAccountController(config: WorkloadControllerConfig): Controller {
  const f = fill('serviceaccount', config);
  const namespaces = f.factory.informerFor(NAMESPACES);
  const accounts = f.factory.informerFor(SERVICEACCOUNTS);
  const client = f.client.resource(SERVICEACCOUNTS);

  function register(queue: WorkQueue<string>): void {
    const byName = (ns: Namespace) => ns.metadata?.name && queue.add(ns.metadata.name);
    namespaces.addEventHandler({ onAdd: byName, onUpdate: (_old, ns) => byName(ns) });
    accounts.addEventHandler({
      onDelete: (x) => {
        const sa = deletedObject(x) as ServiceAccount;
        if (sa.metadata?.namespace && DEFAULT_SERVICE_ACCOUNTS.includes(sa.metadata.name ?? '')) queue.add(sa.metadata.namespace);
      },
    });
  }

  async function reconcile(name: string) {
    const ns = namespaces.lister.get(undefined, name);
    if (!ns || terminating(ns)) return;
    for (const account of DEFAULT_SERVICE_ACCOUNTS) {
      if (accounts.lister.get(name, account)) continue;
      try {
        await client.create(name, { metadata: { name: account } });
        f.logger.info('created service account', { namespace: name, name: account });
      } catch (e) {
        // Someone else made it, or the namespace went away or began terminating meanwhile.
        if (isAlreadyExists(e) || isNotFound(e)) continue;
        if (e instanceof StatusError && e.code === 403) continue;
        throw e;
      }
    }
  }

  return queueController('serviceaccount', f, register, reconcile);
}

export const serviceAccountController: ControllerDescriptor = {
  name: 'serviceaccount-controller',
  create: (ctx) => createServiceAccountController(fromContext(ctx, 'serviceaccount-controller')),
};
