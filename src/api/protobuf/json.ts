// Converts between protobufjs plain objects (what the wire held) and the JSON shape the API uses,
// following the schema's flags. Go's JSON rules are the reference: omitempty drops "", 0, false and
// empty lists/maps; structs always render (even empty); metav1.Time renders as RFC 3339 and a zero
// time as absent; IntOrString renders as a number or a string; Quantity as its string.
import { MESSAGES, type MessageSpec } from './schema.js';

export type Plain = Record<string, unknown>;

const MAP_RE = /^map<string,(\w+)>$/;
const SCALARS = new Set(['string', 'int32', 'int64', 'bool', 'bytes']);

function isZero(v: unknown): boolean {
  return v === '' || v === 0 || v === false;
}

function spec(name: string): MessageSpec {
  const s = MESSAGES[name];
  if (!s) throw new Error(`protobuf schema has no message ${name}`);
  return s;
}

function timeToJSON(v: Plain, micro: boolean): string | undefined {
  const seconds = Number(v.seconds ?? 0);
  const nanos = Number(v.nanos ?? 0);
  if (seconds === 0 && nanos === 0) return undefined;
  const iso = new Date(seconds * 1000).toISOString(); // 2026-11-21T20:48:53.000Z
  if (!micro) return `${iso.slice(0, 19)}Z`;
  const micros = String(Math.floor(nanos / 1000)).padStart(6, '0');
  return `${iso.slice(0, 19)}.${micros}Z`;
}

function valueToJSON(type: string, v: unknown): unknown {
  switch (type) {
    case 'Time':
      return timeToJSON(v as Plain, false);
    case 'MicroTime':
      return timeToJSON(v as Plain, true);
    case 'IntOrString': {
      const o = v as Plain;
      return Number(o.type ?? 0) === 1 ? String(o.strVal ?? '') : Number(o.intVal ?? 0);
    }
    case 'Quantity':
      return String((v as Plain).string ?? '');
    default:
      if (SCALARS.has(type)) return v;
      return messageToJSON(type, v as Plain);
  }
}

/** A protobufjs plain object of message `name` → the API's JSON object. */
export function messageToJSON(name: string, msg: Plain): Plain {
  const out: Plain = {};
  for (const [field, [, type, flags = '']] of Object.entries(spec(name))) {
    const v = msg[field];
    if (v === undefined || v === null) continue;
    const map = MAP_RE.exec(type);
    if (map) {
      const entries = Object.entries(v as Plain);
      if (entries.length === 0) continue;
      out[field] = Object.fromEntries(entries.map(([k, x]) => [k, valueToJSON(map[1], x)]));
    } else if (flags.includes('r')) {
      const list = v as unknown[];
      if (list.length === 0) continue;
      out[field] = list.map((x) => valueToJSON(type, x));
    } else if (flags.includes('i')) {
      Object.assign(out, messageToJSON(type, v as Plain));
    } else {
      if (SCALARS.has(type) && !flags.includes('k') && isZero(v)) continue;
      const j = valueToJSON(type, v);
      if (j !== undefined) out[field] = j;
    }
  }
  return out;
}

function timeFromJSON(v: unknown): Plain {
  const ms = Date.parse(String(v));
  if (Number.isNaN(ms)) throw new Error(`invalid time ${JSON.stringify(v)}`);
  const fraction = /\.(\d+)/.exec(String(v));
  const nanos = fraction ? Number(fraction[1].padEnd(9, '0').slice(0, 9)) : 0;
  return { seconds: Math.floor(ms / 1000), nanos };
}

function valueFromJSON(type: string, v: unknown): unknown {
  switch (type) {
    case 'Time':
    case 'MicroTime':
      return timeFromJSON(v);
    case 'IntOrString':
      return typeof v === 'string' ? { type: 1, strVal: v } : { type: 0, intVal: v };
    case 'Quantity':
      return { string: String(v) };
    case 'bytes':
      return typeof v === 'string' ? Buffer.from(v, 'base64') : v;
    default:
      if (SCALARS.has(type)) return v;
      return messageFromJSON(type, v as Plain);
  }
}

/** The API's JSON object → a protobufjs plain object of message `name` (used to encode). */
export function messageFromJSON(name: string, obj: Plain): Plain {
  const out: Plain = {};
  for (const [field, [, type, flags = '']] of Object.entries(spec(name))) {
    if (flags.includes('i')) {
      out[field] = messageFromJSON(type, obj);
      continue;
    }
    const v = obj[field];
    if (v === undefined || v === null) continue;
    const map = MAP_RE.exec(type);
    if (map) out[field] = Object.fromEntries(Object.entries(v as Plain).map(([k, x]) => [k, valueFromJSON(map[1], x)]));
    else if (flags.includes('r')) out[field] = (v as unknown[]).map((x) => valueFromJSON(type, x));
    else out[field] = valueFromJSON(type, v);
  }
  return out;
}
