// A read-mostly map made of its parent plus this generation's own changes. Each sync derives the
// next ruleset's indexes (fragments by key, IP reference counts...) from the last one; copying
// 10,000-entry maps every sync cost more than the change itself. Reads walk up the layers; every
// MAX_DEPTH generations the layers are folded into one map, so the copy is paid once in a while.
const GONE = Symbol('gone');
const MAX_DEPTH = 16;

const ASK_PARENT = Symbol('ask-parent');

/** The value for k seen from layer `start`, or GONE. */
function find<K, V>(start: LayeredMap<K, V>, k: K): V | typeof GONE {
  let m: LayeredMap<K, V> | undefined = start;
  while (m) {
    const v: V | typeof GONE | typeof ASK_PARENT = m.layerLookup(k);
    if (v !== ASK_PARENT) return v;
    m = m.parentLayer;
  }
  return GONE;
}

export class LayeredMap<K, V> implements ReadonlyMap<K, V> {
  private parent: LayeredMap<K, V> | undefined;
  private own = new Map<K, V | typeof GONE>();
  private depth: number;
  private count: number;
  private folded: Map<K, V> | undefined;

  constructor(parent?: LayeredMap<K, V>) {
    this.parent = parent;
    this.depth = parent ? parent.depth + 1 : 0;
    this.count = parent ? parent.count : 0;
    if (this.depth >= MAX_DEPTH) this.fold();
  }

  /** A child layer for the next generation (this one must not change afterwards). */
  derive(): LayeredMap<K, V> {
    return new LayeredMap(this);
  }

  get size(): number {
    return this.count;
  }

  get(k: K): V | undefined {
    const v = find(this, k);
    return v === GONE ? undefined : v;
  }

  has(k: K): boolean {
    return find(this, k) !== GONE;
  }

  /** This layer's own answer: the value, GONE (deleted here, or absent from a folded layer), or ASK_PARENT. */
  layerLookup(k: K): V | typeof GONE | typeof ASK_PARENT {
    if (this.folded) return this.folded.has(k) ? (this.folded.get(k) as V) : GONE;
    if (this.own.has(k)) return this.own.get(k) as V | typeof GONE;
    return ASK_PARENT;
  }

  get parentLayer(): LayeredMap<K, V> | undefined {
    return this.parent;
  }

  set(k: K, v: V): this {
    if (!this.has(k)) this.count++;
    if (this.folded) this.folded.set(k, v);
    else this.own.set(k, v);
    return this;
  }

  delete(k: K): boolean {
    if (!this.has(k)) return false;
    this.count--;
    if (this.folded) this.folded.delete(k);
    else if (this.parent?.has(k)) this.own.set(k, GONE);
    else this.own.delete(k);
    return true;
  }

  /**
   * Everything in one map (iteration needs it; cached). One copy of the nearest folded ancestor,
   * then each layer's own changes oldest first; the ancestors themselves are left as they are.
   */
  private fold(): Map<K, V> {
    if (this.folded) return this.folded;
    if (!this.parent) {
      // The root layer holds plain entries only (a delete there removes the key).
      this.folded = this.own as Map<K, V>;
    } else {
      const layers: Map<K, V | typeof GONE>[] = [this.own];
      let p: LayeredMap<K, V> | undefined = this.parent;
      while (p && !p.folded && p.parent) {
        layers.push(p.own);
        p = p.parent;
      }
      const out = new Map<K, V>(p ? (p.folded ?? (p.own as Map<K, V>)) : undefined);
      for (let i = layers.length - 1; i >= 0; i--) {
        for (const [k, v] of layers[i]) {
          if (v === GONE) out.delete(k);
          else out.set(k, v);
        }
      }
      this.folded = out;
    }
    this.parent = undefined;
    this.own = new Map();
    this.depth = 0;
    return this.folded;
  }

  entries(): MapIterator<[K, V]> {
    return this.fold().entries();
  }

  keys(): MapIterator<K> {
    return this.fold().keys();
  }

  values(): MapIterator<V> {
    return this.fold().values();
  }

  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries();
  }

  forEach(cb: (value: V, key: K, map: ReadonlyMap<K, V>) => void): void {
    for (const [k, v] of this.fold()) cb(v, k, this);
  }
}
