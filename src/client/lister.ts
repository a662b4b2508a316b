// Listers: read-only queries over an informer's cache (no API calls). Objects returned are the
// cache's own, frozen: clone before changing one (structuredClone) and write it through the client.
import { parseLabelSelector, type LabelSelector } from '../api/selectors/labels.js';
import { NAMESPACE_INDEX, type Indexer } from './cache.js';
import type { ApiObject } from './objects.js';

export interface Lister<T extends ApiObject> {
  /** All objects, or those in `namespace`; optionally only those matching a label selector. */
  list(namespace?: string, selector?: string | LabelSelector): T[];
  /** By namespace and name; pass namespace undefined for cluster-scoped objects. */
  get(namespace: string | undefined, name: string): T | undefined;
  /** Objects filed under `value` in a custom index. */
  byIndex(index: string, value: string): T[];
}

export function createLister<T extends ApiObject>(indexer: Indexer<T>): Lister<T> {
  return {
    list(namespace, selector) {
      const items = namespace === undefined ? indexer.list() : indexer.byIndex(NAMESPACE_INDEX, namespace);
      if (selector === undefined || selector === '') return items;
      const sel = typeof selector === 'string' ? parseLabelSelector(selector) : selector;
      return sel.empty ? items : items.filter((o) => sel.matches(o.metadata?.labels));
    },
    get(namespace, name) {
      return indexer.get(namespace ? `${namespace}/${name}` : name);
    },
    byIndex: (index, value) => indexer.byIndex(index, value),
  };
}
