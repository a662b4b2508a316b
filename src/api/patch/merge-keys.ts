// The merge table: for each served kind, which list fields merge element-wise and by which key.
// Derived from the `patchStrategy`/`patchMergeKey` struct tags (strategic merge patch) and the
// `+listType=map`/`+listMapKey` markers (server-side apply) in k8s.io/api for core/v1, apps/v1,
// discovery/v1 and coordination/v1. Anything not listed here behaves like an untagged field:
// objects merge key by key, lists are replaced whole (atomic).

export interface FieldSchema {
  /** Schema of the nested object, or of each element for lists of objects. */
  type?: TypeSchema;
  /**
   * List behaviour: 'merge' = element-wise by `mergeKey` (lists of objects);
   * 'set' = union of primitive values (patchStrategy merge on a []string, SSA listType=set).
   * Absent = atomic (replaced whole).
   */
  list?: 'merge' | 'set';
  /** Strategic merge patch key (patchMergeKey). */
  mergeKey?: string;
  /** Server-side apply list-map keys (listMapKey); defaults to [mergeKey]. */
  keys?: string[];
  /** Values a list-map key takes when an element omits it (SSA uses the schema default). */
  keyDefaults?: Record<string, string | number>;
  /** patchStrategy "merge,retainKeys": clients may send $retainKeys for these elements. */
  retainKeys?: boolean;
}

export type TypeSchema = Record<string, FieldSchema>;

const byKey = (mergeKey: string, type?: TypeSchema, extra: Partial<FieldSchema> = {}): FieldSchema => ({
  list: 'merge',
  mergeKey,
  type,
  ...extra,
});

const CONDITIONS = byKey('type');

export const OBJECT_META: TypeSchema = {
  ownerReferences: byKey('uid'),
  finalizers: { list: 'set' },
};

const CONTAINER: TypeSchema = {
  ports: byKey('containerPort', undefined, { keys: ['containerPort', 'protocol'], keyDefaults: { protocol: 'TCP' } }),
  env: byKey('name'),
  volumeMounts: byKey('mountPath'),
  volumeDevices: byKey('devicePath'),
  resizePolicy: {},
};

export const POD_SPEC: TypeSchema = {
  volumes: byKey('name', undefined, { retainKeys: true }),
  initContainers: byKey('name', CONTAINER),
  containers: byKey('name', CONTAINER),
  ephemeralContainers: byKey('name', CONTAINER),
  imagePullSecrets: byKey('name'),
  hostAliases: byKey('ip'),
  topologySpreadConstraints: byKey('topologyKey', undefined, { keys: ['topologyKey', 'whenUnsatisfiable'] }),
  schedulingGates: byKey('name'),
  resourceClaims: byKey('name', undefined, { retainKeys: true }),
};

const POD_STATUS: TypeSchema = {
  conditions: CONDITIONS,
  podIPs: byKey('ip'),
  hostIPs: byKey('ip'),
  resourceClaimStatuses: byKey('name', undefined, { retainKeys: true }),
};

const POD_TEMPLATE: TypeSchema = { metadata: { type: OBJECT_META }, spec: { type: POD_SPEC } };

const withStatusConditions = (spec: TypeSchema): TypeSchema => ({
  metadata: { type: OBJECT_META },
  spec: { type: spec },
  status: { type: { conditions: CONDITIONS } },
});

/** Keyed by Kind (all served kinds have a single version). */
export const KIND_SCHEMAS: Record<string, TypeSchema> = {
  Pod: { metadata: { type: OBJECT_META }, spec: { type: POD_SPEC }, status: { type: POD_STATUS } },
  Service: withStatusConditions({
    ports: byKey('port', undefined, { keys: ['port', 'protocol'], keyDefaults: { protocol: 'TCP' } }),
  }),
  Endpoints: { metadata: { type: OBJECT_META } },
  Node: {
    metadata: { type: OBJECT_META },
    spec: { type: { podCIDRs: { list: 'set' } } },
    status: { type: { conditions: CONDITIONS, addresses: byKey('type') } },
  },
  Namespace: withStatusConditions({}),
  ConfigMap: { metadata: { type: OBJECT_META } },
  Secret: { metadata: { type: OBJECT_META } },
  ServiceAccount: { metadata: { type: OBJECT_META }, secrets: byKey('name') },
  Event: { metadata: { type: OBJECT_META } },
  Deployment: withStatusConditions({ template: { type: POD_TEMPLATE } }),
  ReplicaSet: withStatusConditions({ template: { type: POD_TEMPLATE } }),
  StatefulSet: withStatusConditions({ template: { type: POD_TEMPLATE } }),
  EndpointSlice: { metadata: { type: OBJECT_META } },
  Lease: { metadata: { type: OBJECT_META } },
};

/** The schema for a kind; unknown kinds get only ObjectMeta's tags. */
export function schemaForKind(kind: string | undefined): TypeSchema {
  return (kind && KIND_SCHEMAS[kind]) || { metadata: { type: OBJECT_META } };
}

/** SSA list-map keys of a list field (listMapKey), if it is a keyed list. */
export function listKeys(f: FieldSchema | undefined): string[] | undefined {
  if (!f || f.list !== 'merge' || !f.mergeKey) return undefined;
  return f.keys ?? [f.mergeKey];
}
