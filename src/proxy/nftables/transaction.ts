// Rulesets → `nft -f` scripts. One script is one atomic transaction: the kernel applies all of it or
// none. A full script replaces the table; an incremental script touches only chains whose rules
// changed and map elements that were added or removed, so a change to one Service costs the same
// at 10 Services as at 10,000.
import { renderChainSpec, renderElement, renderRule, renderSetSpec, type Chain, type NamedSet, type Ruleset } from './ir.js';
import { CLUSTER_IPS, FAMILY, HAIRPIN, TABLE } from './names.js';
import { lbChainFor, type FragmentEntry, type GeneratedRuleset } from './ruleset.js';

const T = `${FAMILY} ${TABLE}`;

/** Writes the table from scratch (first sync, after a failure, periodically). */
export function fullScript(rs: Ruleset): string {
  // "add" first so "delete" succeeds whether or not the table exists.
  const out = [`add table ${T}`, `delete table ${T}`, `add table ${T}`];
  for (const c of rs.chains.values()) out.push(`add chain ${T} ${c.name}${renderChainSpec(c)}`);
  for (const s of rs.sets.values()) out.push(`add ${s.map ? 'map' : 'set'} ${T} ${s.name} ${renderSetSpec(s)}`);
  for (const c of rs.chains.values()) for (const r of c.rules) out.push(`add rule ${T} ${c.name} ${renderRule(r)}`);
  for (const s of rs.sets.values()) for (const e of s.elements) out.push(`add element ${T} ${s.name} { ${renderElement(e)} }`);
  return out.join('\n') + '\n';
}

/**
 * Rewrites every chain and map in place, from what we know the kernel holds (`prev`, the last
 * applied ruleset) — the periodic full resync. Unlike `fullScript` it keeps the table and the
 * dynamic sets, so clients' session affinity survives it. Returns undefined when a set's type
 * changed (only a full replace can do that). Chains flushed first, so removed ones lose their
 * references before they are deleted.
 */
export function refreshScript(prev: Ruleset, next: Ruleset): string | undefined {
  const out = [`add table ${T}`];
  for (const [name, s] of next.sets) {
    const old = prev.sets.get(name);
    if (old && !sameSpec(old, s)) return undefined;
    out.push(`add ${s.map ? 'map' : 'set'} ${T} ${name} ${renderSetSpec(s)}`);
  }
  for (const c of next.chains.values()) out.push(`add chain ${T} ${c.name}${renderChainSpec(c)}`);
  for (const c of next.chains.values()) {
    const old = prev.chains.get(c.name);
    if (old && chainSpecChanged(old, c)) return undefined;
  }
  for (const name of new Set([...prev.chains.keys(), ...next.chains.keys()])) out.push(`flush chain ${T} ${name}`);
  for (const s of next.sets.values()) if (s.timeoutSeconds === undefined) out.push(`flush ${s.map ? 'map' : 'set'} ${T} ${s.name}`);
  for (const c of next.chains.values()) for (const r of c.rules) out.push(`add rule ${T} ${c.name} ${renderRule(r)}`);
  for (const s of next.sets.values()) for (const e of s.elements) out.push(`add element ${T} ${s.name} { ${renderElement(e)} }`);
  for (const n of prev.chains.keys()) if (!next.chains.has(n)) out.push(`delete chain ${T} ${n}`);
  for (const [n, s] of prev.sets) if (!next.sets.has(n)) out.push(`delete ${s.map ? 'map' : 'set'} ${T} ${n}`);
  return out.join('\n') + '\n';
}

/** Removes the table (clean shutdown). */
export function deleteScript(): string {
  return `add table ${T}\ndelete table ${T}\n`;
}

function sameRules(a: Chain, b: Chain): boolean {
  if (a.rules.length !== b.rules.length) return false;
  return a.rules.every((r, i) => renderRule(r) === renderRule(b.rules[i]));
}

function sameSpec(a: NamedSet, b: NamedSet): boolean {
  return a.map === b.map && renderSetSpec(a) === renderSetSpec(b);
}

function chainSpecChanged(a: Chain, b: Chain): boolean {
  return renderChainSpec(a) !== renderChainSpec(b);
}

/**
 * The script that turns `prev` (what the kernel holds) into `next`, or undefined when only a full
 * rewrite can (a base chain or a set's type changed). Returns "" when nothing changed.
 *
 * Order matters inside the transaction: new chains and sets exist before rules and elements refer
 * to them; removed chains are flushed (dropping their references) before any is deleted.
 */
export function incrementalScript(prev: Ruleset, next: Ruleset): string | undefined {
  if (isGenerated(prev) && isGenerated(next)) return fragmentScript(prev, next);
  const out: string[] = [];
  for (const [name, c] of next.chains) {
    const old = prev.chains.get(name);
    if (old && chainSpecChanged(old, c)) return undefined;
    if (!old) out.push(`add chain ${T} ${name}${renderChainSpec(c)}`);
  }
  for (const [name, s] of next.sets) {
    const old = prev.sets.get(name);
    if (old && !sameSpec(old, s)) return undefined;
    if (!old) out.push(`add ${s.map ? 'map' : 'set'} ${T} ${name} ${renderSetSpec(s)}`);
  }
  for (const [name, c] of next.chains) {
    const old = prev.chains.get(name);
    if (old && sameRules(old, c)) continue;
    if (old) out.push(`flush chain ${T} ${name}`);
    for (const r of c.rules) out.push(`add rule ${T} ${name} ${renderRule(r)}`);
  }
  for (const [name, s] of next.sets) {
    // Dynamic sets are filled by the kernel (affinity); their elements are not ours to diff.
    if (s.timeoutSeconds !== undefined) continue;
    const old = new Map((prev.sets.get(name)?.elements ?? []).map((e) => [e.key.join(' . '), renderElement(e)]));
    const del: string[] = [];
    const add: string[] = [];
    const seen = new Set<string>();
    for (const e of s.elements) {
      const k = e.key.join(' . ');
      seen.add(k);
      const r = renderElement(e);
      const was = old.get(k);
      if (was === r) continue;
      if (was !== undefined) del.push(k);
      add.push(r);
    }
    for (const k of old.keys()) if (!seen.has(k)) del.push(k);
    for (const k of del) out.push(`delete element ${T} ${name} { ${k} }`);
    for (const r of add) out.push(`add element ${T} ${name} { ${r} }`);
  }
  const goneChains = [...prev.chains.keys()].filter((n) => !next.chains.has(n));
  for (const n of goneChains) out.push(`flush chain ${T} ${n}`);
  for (const n of goneChains) out.push(`delete chain ${T} ${n}`);
  for (const n of prev.sets.keys()) if (!next.sets.has(n)) out.push(`delete ${prev.sets.get(n)!.map ? 'map' : 'set'} ${T} ${n}`);
  return out.length ? out.join('\n') + '\n' : '';
}

function isGenerated(r: Ruleset): r is GeneratedRuleset {
  return (r as Partial<GeneratedRuleset>).fragments !== undefined;
}

/**
 * The fast path between two generated rulesets: only fragments whose input object changed are
 * looked at (unchanged Services are skipped by identity), so the cost follows the change, not
 * the number of Services. Same ordering rules as the generic diff.
 */
function fragmentScript(prev: GeneratedRuleset, next: GeneratedRuleset): string | undefined {
  // Shared chains and sets are a function of the node facts alone: same facts, same shared part.
  if (prev.factsKey !== next.factsKey) return undefined;
  const oldChains = new Map<string, Chain>();
  const newChains = new Map<string, Chain>();
  const oldSets = new Map<string, NamedSet>();
  const newSets = new Map<string, NamedSet>();
  const oldEls = new Map<string, Map<string, string>>();
  const newEls = new Map<string, Map<string, string>>();
  const collect = (
    f: FragmentEntry,
    chains: Map<string, Chain>,
    sets: Map<string, NamedSet>,
    els: Map<string, Map<string, string>>,
  ) => {
    for (const c of f.frag.chains) chains.set(c.name, c);
    for (const x of f.frag.sets) sets.set(x.name, x);
    for (const [m, list] of f.frag.elements) {
      let byKey = els.get(m);
      if (!byKey) els.set(m, (byKey = new Map()));
      for (const e of list) byKey.set(e.key.join(' . '), renderElement(e));
    }
  };
  // Generated from prev: the changed keys are known. Otherwise compare every fragment by identity.
  const known = next.changes?.from === prev ? next.changes : undefined;
  if (known) {
    for (const k of known.keys) {
      const f = prev.fragments.get(k);
      const n = next.fragments.get(k);
      if (f === n) continue;
      if (f) collect(f, oldChains, oldSets, oldEls);
      if (n) collect(n, newChains, newSets, newEls);
    }
  } else {
    for (const [k, f] of prev.fragments) if (next.fragments.get(k) !== f) collect(f, oldChains, oldSets, oldEls);
    for (const [k, f] of next.fragments) if (prev.fragments.get(k) !== f) collect(f, newChains, newSets, newEls);
  }
  const gone = (a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>) => [...a.keys()].filter((k) => !b.has(k));
  // Shared lb chains come and go with the first / last port that uses them (a count, not a diff).
  const lbAdd = known ? known.lbChainsAdded : gone(next.lbChains, prev.lbChains);
  const lbDel = known ? known.lbChainsRemoved : gone(prev.lbChains, next.lbChains);
  const out: string[] = [];
  for (const [name, x] of newSets) {
    const old = oldSets.get(name);
    if (old && !sameSpec(old, x)) return undefined;
    if (!old) out.push(`add ${x.map ? 'map' : 'set'} ${T} ${name} ${renderSetSpec(x)}`);
  }
  for (const name of lbAdd) {
    out.push(`add chain ${T} ${name}`);
    for (const r of lbChainFor(name, next.facts).rules) out.push(`add rule ${T} ${name} ${renderRule(r)}`);
  }
  for (const [name, c] of newChains) if (!oldChains.has(name)) out.push(`add chain ${T} ${name}${renderChainSpec(c)}`);
  for (const [name, c] of newChains) {
    const old = oldChains.get(name);
    if (old && sameRules(old, c)) continue;
    if (old) out.push(`flush chain ${T} ${name}`);
    for (const r of c.rules) out.push(`add rule ${T} ${name} ${renderRule(r)}`);
  }
  const maps = new Set([...oldEls.keys(), ...newEls.keys()]);
  for (const m of maps) {
    const before = oldEls.get(m) ?? new Map<string, string>();
    const after = newEls.get(m) ?? new Map<string, string>();
    for (const [k, r] of before) if (after.get(k) !== r) out.push(`delete element ${T} ${m} { ${k} }`);
    for (const [k, r] of after) if (before.get(k) !== r) out.push(`add element ${T} ${m} { ${r} }`);
  }
  const cDel = known ? known.clusterIPsRemoved : gone(prev.clusterIPs, next.clusterIPs);
  const cAdd = known ? known.clusterIPsAdded : gone(next.clusterIPs, prev.clusterIPs);
  const eDel = known ? known.endpointIPsRemoved : gone(prev.endpointIPs, next.endpointIPs);
  const eAdd = known ? known.endpointIPsAdded : gone(next.endpointIPs, prev.endpointIPs);
  for (const ip of cDel) out.push(`delete element ${T} ${CLUSTER_IPS} { ${ip} }`);
  for (const ip of cAdd) out.push(`add element ${T} ${CLUSTER_IPS} { ${ip} }`);
  for (const ip of eDel) out.push(`delete element ${T} ${HAIRPIN} { ${ip} . ${ip} }`);
  for (const ip of eAdd) out.push(`add element ${T} ${HAIRPIN} { ${ip} . ${ip} }`);
  const goneChains = [...oldChains.keys()].filter((n) => !newChains.has(n));
  goneChains.push(...lbDel);
  for (const n of goneChains) out.push(`flush chain ${T} ${n}`);
  for (const n of goneChains) out.push(`delete chain ${T} ${n}`);
  for (const [n, x] of oldSets) if (!newSets.has(n)) out.push(`delete ${x.map ? 'map' : 'set'} ${T} ${n}`);
  return out.length ? out.join('\n') + '\n' : '';
}
