// Builds protobufjs reflection types from the schema table once, on first use.
import protobufjs from 'protobufjs';
import type { IField, IMapField, INamespace, Type } from 'protobufjs';
import { MESSAGES } from './schema.js';

const MAP_RE = /^map<string,(\w+)>$/;

function descriptor(): INamespace {
  const nested: Record<string, { edition: string; fields: Record<string, IField | IMapField> }> = {};
  for (const [msg, fields] of Object.entries(MESSAGES)) {
    const out: Record<string, IField | IMapField> = {};
    for (const [name, [id, type, flags = '']] of Object.entries(fields)) {
      const map = MAP_RE.exec(type);
      if (map) out[name] = { id, keyType: 'string', type: map[1] };
      else if (flags.includes('r')) out[name] = { id, type, rule: 'repeated' };
      else out[name] = { id, type };
    }
    // proto2, as Kubernetes' generated.proto: explicit presence (a zero value on the wire is kept)
    // and unpacked repeated scalars.
    nested[msg] = { edition: 'proto2', fields: out };
  }
  return { nested: { kubesvc: { nested } } };
}

let root: protobufjs.Root | undefined;

export function messageType(name: string): Type {
  if (!root) root = protobufjs.Root.fromJSON(descriptor());
  return root.lookupType(`kubesvc.${name}`);
}
