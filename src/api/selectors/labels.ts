// Label selectors: the `?labelSelector=` string syntax (apimachinery pkg/labels) and the
// metav1.LabelSelector object that workloads and controllers carry. Parse errors carry
// apimachinery's exact texts because kubectl prints them verbatim after "Error from server (BadRequest):".
import type { LabelSelector as LabelSelectorObject } from 'kubernetes-types/meta/v1.js';
import { badRequest } from '../errors.js';
import { isQualifiedName, isValidLabelValue } from '../validation/names.js';

export type Operator = '=' | '==' | '!=' | 'in' | 'notin' | 'exists' | '!' | 'gt' | 'lt';

export interface Requirement {
  key: string;
  op: Operator;
  /** Sorted and de-duplicated, as apimachinery keeps them. */
  values: string[];
}

export interface LabelSelector {
  matches(labels: Record<string, string> | undefined): boolean;
  /** True when the selector places no restriction (matches everything). */
  empty: boolean;
  /** Canonical form: requirements sorted by key, comma-joined. */
  toString(): string;
  readonly requirements: readonly Requirement[];
}

class SelectorImpl implements LabelSelector {
  readonly requirements: readonly Requirement[];
  constructor(reqs: Requirement[]) {
    // Stable sort by key: the order apimachinery prints and evaluates.
    this.requirements = [...reqs].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }
  get empty(): boolean {
    return this.requirements.length === 0;
  }
  matches(labels: Record<string, string> | undefined): boolean {
    return this.requirements.every((r) => requirementMatches(r, labels ?? {}));
  }
  toString(): string {
    return this.requirements.map(requirementString).join(',');
  }
}

/** metav1.LabelSelectorAsSelector(nil): a selector that matches nothing. */
class NothingSelector implements LabelSelector {
  readonly requirements: readonly Requirement[] = [];
  readonly empty = false;
  matches(): boolean {
    return false;
  }
  toString(): string {
    return '';
  }
}

const INT_RE = /^[+-]?\d+$/;

function requirementMatches(r: Requirement, labels: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  const v = has ? labels[r.key] : undefined;
  switch (r.op) {
    case '=':
    case '==':
    case 'in':
      return has && r.values.includes(v as string);
    case '!=':
    case 'notin':
      return !has || !r.values.includes(v as string);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt': {
      if (!has || !INT_RE.test(v as string) || r.values.length !== 1) return false;
      const lv = BigInt(v as string);
      const rv = BigInt(r.values[0]);
      return r.op === 'gt' ? lv > rv : lv < rv;
    }
  }
}

function requirementString(r: Requirement): string {
  const vals = [...r.values].sort().join(',');
  switch (r.op) {
    case 'exists':
      return r.key;
    case '!':
      return `!${r.key}`;
    case 'in':
      return `${r.key} in (${vals})`;
    case 'notin':
      return `${r.key} notin (${vals})`;
    case 'gt':
      return `${r.key}>${vals}`;
    case 'lt':
      return `${r.key}<${vals}`;
    default:
      return `${r.key}${r.op}${vals}`;
  }
}

// ---- validation with field.Error texts ----

/** field.Invalid(...).Error(): `<path>: Invalid value: <value>: <detail>`. */
function invalidText(path: string, value: unknown, detail: string): string {
  const shown = typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value ?? null);
  return `${path}: Invalid value: ${shown}: ${detail}`;
}

/** Aggregate of several errors prints "[a, b]"; one prints bare (utilerrors.NewAggregate). */
function aggregate(msgs: string[]): string {
  const uniq = [...new Set(msgs)];
  return uniq.length === 1 ? uniq[0] : `[${uniq.join(', ')}]`;
}

function keyError(key: string, path: string): string | undefined {
  const errs = isQualifiedName(key);
  return errs.length ? invalidText(path, key, errs.join('; ')) : undefined;
}

/**
 * labels.NewRequirement's checks. The path prefix is empty for the string parser (so the key
 * path is "key" and values "values[i][key]"), as apimachinery prints them with a nil root path.
 */
function newRequirement(key: string, op: Operator, values: string[]): Requirement {
  const errs: string[] = [];
  const ke = keyError(key, 'key');
  if (ke) errs.push(ke);
  switch (op) {
    case 'in':
    case 'notin':
      if (values.length === 0) errs.push(invalidText('values', values, "for 'in', 'notin' operators, values set can't be empty"));
      break;
    case '=':
    case '==':
    case '!=':
      if (values.length !== 1) errs.push(invalidText('values', values, 'exact-match compatibility requires one single value'));
      break;
    case 'exists':
    case '!':
      if (values.length !== 0) errs.push(invalidText('values', values, 'values set must be empty for exists and does not exist'));
      break;
    case 'gt':
    case 'lt':
      if (values.length !== 1) errs.push(invalidText('values', values, "for 'Gt', 'Lt' operators, exactly one value is required"));
      values.forEach((v, i) => {
        if (!INT_RE.test(v)) errs.push(invalidText(`values[${i}]`, v, "for 'Gt', 'Lt' operators, the value must be an integer"));
      });
      break;
  }
  values.forEach((v, i) => {
    const ve = isValidLabelValue(v);
    if (ve.length) errs.push(invalidText(`values[${i}][${key}]`, v, ve.join('; ')));
  });
  if (errs.length) throw new SelectorSyntaxError(aggregate(errs));
  return { key, op, values };
}

class SelectorSyntaxError extends Error {}

// ---- the string parser (same grammar and messages as apimachinery's lexer/parser) ----

type Tok =
  | 'error'
  | 'eos'
  | ')'
  | ','
  | '!'
  | '=='
  | '='
  | '>'
  | 'id'
  | 'in'
  | '<'
  | '!='
  | 'notin'
  | '(';

const KEYWORDS: Record<string, Tok> = {
  ')': ')',
  ',': ',',
  '!': '!',
  '==': '==',
  '=': '=',
  '>': '>',
  in: 'in',
  '<': '<',
  '!=': '!=',
  notin: 'notin',
  '(': '(',
};

const isWhitespace = (c: string) => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isSpecial = (c: string) => '=!(),><'.includes(c);

interface Item {
  tok: Tok;
  lit: string;
}

function lex(s: string): Item[] {
  const items: Item[] = [];
  let pos = 0;
  for (;;) {
    while (pos < s.length && isWhitespace(s[pos])) pos++;
    if (pos >= s.length) {
      items.push({ tok: 'eos', lit: '' });
      return items;
    }
    if (isSpecial(s[pos])) {
      // Longest run of special symbols that still forms a known operator.
      let buf = '';
      let last: Item | undefined;
      while (pos < s.length && isSpecial(s[pos])) {
        buf += s[pos];
        const t = Object.prototype.hasOwnProperty.call(KEYWORDS, buf) ? KEYWORDS[buf] : undefined;
        if (t) {
          last = { tok: t, lit: buf };
          pos++;
        } else if (last) {
          break;
        } else {
          pos++;
        }
      }
      items.push(last ?? { tok: 'error', lit: `error expected: keyword found '${buf}'` });
      if (!last) {
        items.push({ tok: 'eos', lit: '' });
        return items;
      }
      continue;
    }
    let buf = '';
    while (pos < s.length && !isSpecial(s[pos]) && !isWhitespace(s[pos])) buf += s[pos++];
    const kw = Object.prototype.hasOwnProperty.call(KEYWORDS, buf) ? KEYWORDS[buf] : undefined;
    items.push({ tok: kw ?? 'id', lit: buf });
  }
}

class Parser {
  private pos = 0;
  constructor(private readonly items: Item[]) {}

  // In the "values" context the keywords in/notin are plain identifiers.
  private peek(values = true): Item {
    const it = this.items[Math.min(this.pos, this.items.length - 1)];
    return values && (it.tok === 'in' || it.tok === 'notin') ? { tok: 'id', lit: it.lit } : it;
  }
  private next(values = true): Item {
    const it = this.peek(values);
    this.pos++;
    return it;
  }

  parse(): Requirement[] {
    const reqs: Requirement[] = [];
    for (;;) {
      const { tok, lit } = this.peek();
      if (tok === 'id' || tok === '!') {
        let r: Requirement;
        try {
          r = this.requirement();
        } catch (e) {
          if (e instanceof SelectorSyntaxError) throw new SelectorSyntaxError(`unable to parse requirement: ${e.message}`);
          throw e;
        }
        reqs.push(r);
        const t = this.next();
        if (t.tok === 'eos') return reqs;
        if (t.tok === ',') {
          const t2 = this.peek();
          if (t2.tok !== 'id' && t2.tok !== '!') throw new SelectorSyntaxError(`found '${t2.lit}', expected: identifier after ','`);
          continue;
        }
        throw new SelectorSyntaxError(`found '${t.lit}', expected: ',' or 'end of string'`);
      }
      if (tok === 'eos') return reqs;
      throw new SelectorSyntaxError(`found '${lit}', expected: !, identifier, or 'end of string'`);
    }
  }

  private requirement(): Requirement {
    let op: Operator | undefined;
    let t = this.next();
    if (t.tok === '!') {
      op = '!';
      t = this.next();
    }
    if (t.tok !== 'id') throw new SelectorSyntaxError(`found '${t.lit}', expected: identifier`);
    const key = t.lit;
    // The key is checked before the operator, with a nil field path (printed "<nil>").
    const ke = keyError(key, '<nil>');
    if (ke) throw new SelectorSyntaxError(ke);
    const after = this.peek().tok;
    if (after === 'eos' || after === ',') return newRequirement(key, op === '!' ? '!' : 'exists', []);
    // "!key" is complete by itself; whatever follows is reported by the caller ("!a=b" fails on '=').
    if (op === '!') return newRequirement(key, '!', []);
    const o = this.next(false);
    let bop: Operator;
    switch (o.tok) {
      case 'in':
        bop = 'in';
        break;
      case '=':
        bop = '=';
        break;
      case '==':
        bop = '==';
        break;
      case '>':
        bop = 'gt';
        break;
      case '<':
        bop = 'lt';
        break;
      case 'notin':
        bop = 'notin';
        break;
      case '!=':
        bop = '!=';
        break;
      default:
        throw new SelectorSyntaxError(`found '${o.lit}', expected: in, notin, =, ==, !=, gt, lt`);
    }
    const values = bop === 'in' || bop === 'notin' ? this.setValues() : this.exactValue();
    return newRequirement(key, bop, [...new Set(values)].sort());
  }

  private setValues(): string[] {
    let t = this.next();
    if (t.tok !== '(') throw new SelectorSyntaxError(`found '${t.lit}' expected: '('`);
    t = this.peek();
    if (t.tok === 'id' || t.tok === ',') {
      const s = this.identifiers();
      if (this.next().tok !== ')') throw new SelectorSyntaxError(`found '${t.lit}', expected: ')'`);
      return s;
    }
    if (t.tok === ')') {
      this.next();
      return [''];
    }
    throw new SelectorSyntaxError(`found '${t.lit}', expected: ',', ')' or identifier`);
  }

  private identifiers(): string[] {
    const s = new Set<string>();
    for (;;) {
      const t = this.next();
      if (t.tok === 'id') {
        s.add(t.lit);
        const t2 = this.peek();
        if (t2.tok === ',') continue;
        if (t2.tok === ')') return [...s];
        throw new SelectorSyntaxError(`found '${t2.lit}', expected: ',' or ')'`);
      } else if (t.tok === ',') {
        // Empty members are allowed: "(,a)", "(a,,b)", "(a,)".
        if (s.size === 0) s.add('');
        const t2 = this.peek();
        if (t2.tok === ')') {
          s.add('');
          return [...s];
        }
        if (t2.tok === ',') s.add('');
      } else {
        throw new SelectorSyntaxError(`found '${t.lit}', expected: ',', or identifier`);
      }
    }
  }

  private exactValue(): string[] {
    const t = this.peek();
    if (t.tok === 'eos' || t.tok === ',') return [''];
    const v = this.next();
    if (v.tok === 'id') return [v.lit];
    throw new SelectorSyntaxError(`found '${v.lit}', expected: identifier`);
  }
}

/** Parse a `labelSelector` query value. Throws a 400 BadRequest StatusError on bad syntax. */
export function parseLabelSelector(s: string): LabelSelector {
  try {
    return new SelectorImpl(new Parser(lex(s)).parse());
  } catch (e) {
    if (e instanceof SelectorSyntaxError) throw badRequest(e.message);
    throw e;
  }
}

/** labels.Everything(). */
export function everything(): LabelSelector {
  return new SelectorImpl([]);
}

/** labels.Nothing(). */
export function nothing(): LabelSelector {
  return new NothingSelector();
}

/** A selector matching exactly these labels (labels.SelectorFromSet); empty/undefined → everything. */
export function selectorFromSet(set: Record<string, string> | undefined): LabelSelector {
  return new SelectorImpl(Object.entries(set ?? {}).map(([key, v]) => ({ key, op: '=' as const, values: [v] })));
}

/**
 * metav1.LabelSelectorAsSelector: `null`/undefined selects nothing, `{}` selects everything.
 * Throws a 400 BadRequest StatusError for an unknown operator or invalid key/values.
 */
export function fromLabelSelectorObject(sel: LabelSelectorObject | null | undefined): LabelSelector {
  if (sel === null || sel === undefined) return nothing();
  const reqs: Requirement[] = [];
  try {
    for (const [k, v] of Object.entries(sel.matchLabels ?? {})) reqs.push(newRequirement(k, '=', [v]));
    for (const expr of sel.matchExpressions ?? []) {
      const op = EXPRESSION_OPS[expr.operator];
      if (!op) throw new SelectorSyntaxError(`${JSON.stringify(expr.operator)} is not a valid label selector operator`);
      // Values keep their order here (NewRequirement gets them as given); matching ignores order.
      reqs.push(newRequirement(expr.key, op, [...(expr.values ?? [])]));
    }
  } catch (e) {
    if (e instanceof SelectorSyntaxError) throw badRequest(e.message);
    throw e;
  }
  return new SelectorImpl(reqs);
}

const EXPRESSION_OPS: Record<string, Operator | undefined> = {
  In: 'in',
  NotIn: 'notin',
  Exists: 'exists',
  DoesNotExist: '!',
};
