// The facts about Kubernetes types that the TypeScript declarations in `kubernetes-types` cannot
// carry: list semantics and strategic-merge keys (the Go `patchStrategy`/`patchMergeKey` tags and
// `+listType`/`+listMapKey` markers), which numbers are 64-bit, and the formats of the few types
// that are strings or unions on the wire. The OpenAPI generator combines these with the
// declarations; nothing else in kubesvc should need them.

export type Extension = Record<string, unknown>;

/** Component-name prefix of each `kubernetes-types` module (path without `.d.ts`). */
export function packageOf(modulePath: string): string {
  switch (modulePath) {
    case 'meta/v1':
      return 'io.k8s.apimachinery.pkg.apis.meta.v1';
    case 'api/resource':
      return 'io.k8s.apimachinery.pkg.api.resource';
    case 'runtime':
      return 'io.k8s.apimachinery.pkg.runtime';
    case 'version':
      return 'io.k8s.apimachinery.pkg.version';
    case 'apiextensions/v1':
      return 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1';
    default:
      return `io.k8s.api.${modulePath.replace(/\//g, '.')}`;
  }
}

/** The `kubernetes-types` module of an API group-version ('' is core, 'discovery.k8s.io' is discovery). */
export function moduleOf(group: string, version: string): string {
  return `${group === '' ? 'core' : group.split('.')[0]}/${version}`;
}

export const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';

/**
 * Types that are not objects on the wire. IntOrString has no declaration of its own in
 * `kubernetes-types` (it is `number | string` there), so its description is ours.
 */
export const SPECIAL_COMPONENTS: Record<string, Extension> = {
  [INT_OR_STRING]: {
    description:
      'IntOrString holds either a 32-bit integer or a string. In JSON and YAML it is written as whichever of the two it holds, so a field of this type accepts a number (e.g. a port) or a name (e.g. a named port).',
    format: 'int-or-string',
    oneOf: [{ type: 'integer' }, { type: 'string' }],
    'x-kubernetes-int-or-string': true,
  },
  'io.k8s.apimachinery.pkg.api.resource.Quantity': { oneOf: [{ type: 'string' }, { type: 'number' }] },
  'io.k8s.apimachinery.pkg.apis.meta.v1.Time': { type: 'string', format: 'date-time' },
  'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime': { type: 'string', format: 'date-time' },
};

/** Integer fields that are int64 in Kubernetes wherever they appear; every other integer is int32. */
export const INT64_FIELDS: ReadonlySet<string> = new Set([
  'activeDeadlineSeconds',
  'deletionGracePeriodSeconds',
  'expirationSeconds',
  'fsGroup',
  'generation',
  'gracePeriodSeconds',
  'observedGeneration',
  'remainingItemCount',
  'runAsGroup',
  'runAsUser',
  'sizeBytes',
  'supplementalGroups',
  'terminationGracePeriodSeconds',
  'tolerationSeconds',
]);

const mapList = (keys: string[], patchKey?: string, strategy = 'merge'): Extension => ({
  'x-kubernetes-list-map-keys': keys,
  'x-kubernetes-list-type': 'map',
  ...(patchKey ? { 'x-kubernetes-patch-merge-key': patchKey, 'x-kubernetes-patch-strategy': strategy } : {}),
});
const atomic: Extension = { 'x-kubernetes-list-type': 'atomic' };
const byType = mapList(['type'], 'type');
const byName = mapList(['name'], 'name');

const CORE = 'io.k8s.api.core.v1';
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const APPS = 'io.k8s.api.apps.v1';
const DISCOVERY = 'io.k8s.api.discovery.v1';

const containerLists: Record<string, Extension> = {
  ports: mapList(['containerPort', 'protocol'], 'containerPort'),
  env: byName,
  envFrom: atomic,
  volumeMounts: mapList(['mountPath'], 'mountPath'),
  volumeDevices: mapList(['devicePath'], 'devicePath'),
  command: atomic,
  args: atomic,
  resizePolicy: atomic,
};

/** Extensions on properties, by component name, then property name. */
export const PROPERTY_EXTENSIONS: Record<string, Record<string, Extension>> = {
  [`${META}.ObjectMeta`]: {
    finalizers: { 'x-kubernetes-list-type': 'set', 'x-kubernetes-patch-strategy': 'merge' },
    ownerReferences: mapList(['uid'], 'uid'),
    managedFields: atomic,
  },
  [`${META}.LabelSelector`]: { matchExpressions: atomic },
  [`${META}.LabelSelectorRequirement`]: { values: atomic },
  [`${META}.StatusDetails`]: { causes: atomic },
  [`${CORE}.ServiceSpec`]: {
    ports: mapList(['port', 'protocol'], 'port'),
    clusterIPs: atomic,
    externalIPs: atomic,
    ipFamilies: atomic,
    loadBalancerSourceRanges: atomic,
    selector: { 'x-kubernetes-map-type': 'atomic' },
  },
  [`${CORE}.ServiceStatus`]: { conditions: mapList(['type'], 'type') },
  [`${CORE}.LoadBalancerStatus`]: { ingress: atomic },
  [`${CORE}.LoadBalancerIngress`]: { ports: atomic },
  [`${CORE}.PodSpec`]: {
    containers: byName,
    initContainers: byName,
    ephemeralContainers: byName,
    volumes: mapList(['name'], 'name', 'merge,retainKeys'),
    imagePullSecrets: byName,
    hostAliases: mapList(['ip'], 'ip'),
    tolerations: atomic,
    readinessGates: atomic,
    resourceClaims: mapList(['name'], 'name', 'merge,retainKeys'),
    schedulingGates: byName,
    topologySpreadConstraints: mapList(['topologyKey', 'whenUnsatisfiable'], 'topologyKey'),
    nodeSelector: { 'x-kubernetes-map-type': 'atomic' },
  },
  [`${CORE}.ServiceAccount`]: { secrets: mapList(['name'], 'name'), imagePullSecrets: atomic },
  [`${CORE}.PodSecurityContext`]: { supplementalGroups: atomic, sysctls: atomic },
  [`${CORE}.Container`]: containerLists,
  [`${CORE}.EphemeralContainer`]: containerLists,
  [`${CORE}.PodStatus`]: {
    conditions: byType,
    podIPs: mapList(['ip'], 'ip'),
    // atomic, yet merged by ip in strategic merge patches.
    hostIPs: { ...atomic, 'x-kubernetes-patch-merge-key': 'ip', 'x-kubernetes-patch-strategy': 'merge' },
    containerStatuses: atomic,
    initContainerStatuses: atomic,
    ephemeralContainerStatuses: atomic,
    resourceClaimStatuses: mapList(['name'], 'name', 'merge,retainKeys'),
  },
  [`${CORE}.NodeSpec`]: {
    podCIDRs: { 'x-kubernetes-list-type': 'set', 'x-kubernetes-patch-strategy': 'merge' },
    taints: atomic,
  },
  [`${CORE}.NodeStatus`]: {
    conditions: byType,
    addresses: byType,
    images: atomic,
    volumesAttached: atomic,
    volumesInUse: atomic,
  },
  [`${CORE}.NamespaceSpec`]: { finalizers: atomic },
  [`${CORE}.NamespaceStatus`]: { conditions: byType },
  [`${CORE}.Endpoints`]: { subsets: atomic },
  [`${CORE}.EndpointSubset`]: { addresses: atomic, notReadyAddresses: atomic, ports: atomic },
  [`${CORE}.NodeSelector`]: { nodeSelectorTerms: atomic },
  [`${CORE}.NodeSelectorTerm`]: { matchExpressions: atomic, matchFields: atomic },
  [`${CORE}.PodAffinityTerm`]: { namespaces: atomic, matchLabelKeys: atomic, mismatchLabelKeys: atomic },
  [`${CORE}.TopologySpreadConstraint`]: { matchLabelKeys: atomic },
  [`${CORE}.Capabilities`]: { add: atomic, drop: atomic },
  [`${APPS}.DeploymentStatus`]: { conditions: byType },
  [`${APPS}.ReplicaSetStatus`]: { conditions: byType },
  [`${APPS}.StatefulSetStatus`]: { conditions: byType },
  [`${APPS}.StatefulSetSpec`]: { volumeClaimTemplates: atomic },
  [`${DISCOVERY}.EndpointSlice`]: { endpoints: atomic, ports: atomic },
  [`${DISCOVERY}.Endpoint`]: { addresses: { 'x-kubernetes-list-type': 'set' } },
  [`${DISCOVERY}.EndpointHints`]: { forZones: atomic },
};

/** Closed sets of string values (Go `+enum` types), by component then property; kubectl explain prints them. */
export const ENUMS: Record<string, Record<string, string[]>> = {
  [`${CORE}.ServiceSpec`]: {
    type: ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'],
    sessionAffinity: ['ClientIP', 'None'],
    externalTrafficPolicy: ['Cluster', 'Local'],
    internalTrafficPolicy: ['Cluster', 'Local'],
    ipFamilyPolicy: ['PreferDualStack', 'RequireDualStack', 'SingleStack'],
  },
  [`${CORE}.ServicePort`]: { protocol: ['SCTP', 'TCP', 'UDP'] },
  [`${CORE}.ContainerPort`]: { protocol: ['SCTP', 'TCP', 'UDP'] },
  [`${CORE}.EndpointPort`]: { protocol: ['SCTP', 'TCP', 'UDP'] },
  [`${DISCOVERY}.EndpointPort`]: { protocol: ['SCTP', 'TCP', 'UDP'] },
  [`${DISCOVERY}.EndpointSlice`]: { addressType: ['FQDN', 'IPv4', 'IPv6'] },
  [`${CORE}.Container`]: {
    imagePullPolicy: ['Always', 'IfNotPresent', 'Never'],
    terminationMessagePolicy: ['FallbackToLogsOnError', 'File'],
  },
  [`${CORE}.PodSpec`]: {
    restartPolicy: ['Always', 'Never', 'OnFailure'],
    dnsPolicy: ['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None'],
    preemptionPolicy: ['Never', 'PreemptLowerPriority'],
  },
  [`${CORE}.PodStatus`]: {
    phase: ['Failed', 'Pending', 'Running', 'Succeeded', 'Unknown'],
    qosClass: ['BestEffort', 'Burstable', 'Guaranteed'],
  },
  [`${CORE}.NamespaceStatus`]: { phase: ['Active', 'Terminating'] },
  [`${CORE}.NodeAddress`]: { type: ['ExternalDNS', 'ExternalIP', 'Hostname', 'InternalDNS', 'InternalIP'] },
  [`${CORE}.Taint`]: { effect: ['NoExecute', 'NoSchedule', 'PreferNoSchedule'] },
  [`${CORE}.Toleration`]: { effect: ['NoExecute', 'NoSchedule', 'PreferNoSchedule'], operator: ['Equal', 'Exists'] },
  [`${CORE}.HTTPGetAction`]: { scheme: ['HTTP', 'HTTPS'] },
  [`${APPS}.DeploymentStrategy`]: { type: ['Recreate', 'RollingUpdate'] },
  [`${APPS}.StatefulSetSpec`]: { podManagementPolicy: ['OrderedReady', 'Parallel'] },
  [`${APPS}.StatefulSetUpdateStrategy`]: { type: ['OnDelete', 'RollingUpdate'] },
};

/** Extensions on whole components (Go `+structType=atomic`). */
export const COMPONENT_EXTENSIONS: Record<string, Extension> = {
  [`${META}.LabelSelector`]: { 'x-kubernetes-map-type': 'atomic' },
  [`${CORE}.LocalObjectReference`]: { 'x-kubernetes-map-type': 'atomic' },
  [`${CORE}.ObjectReference`]: { 'x-kubernetes-map-type': 'atomic' },
  [`${CORE}.NodeSelector`]: { 'x-kubernetes-map-type': 'atomic' },
  [`${CORE}.NodeSelectorTerm`]: { 'x-kubernetes-map-type': 'atomic' },
  [`${CORE}.ConfigMapKeySelector`]: { 'x-kubernetes-map-type': 'atomic' },
  [`${CORE}.SecretKeySelector`]: { 'x-kubernetes-map-type': 'atomic' },
  [`${CORE}.ObjectFieldSelector`]: { 'x-kubernetes-map-type': 'atomic' },
  [`${CORE}.ResourceFieldSelector`]: { 'x-kubernetes-map-type': 'atomic' },
};

/**
 * Types every group-version document needs besides the served kinds: the request and response
 * bodies of the generic operations, and the kinds subresources take or return. `gvk` marks the
 * kinds that are top-level API objects. `everyGroupVersion` kinds (DeleteOptions, WatchEvent) are
 * registered in every served group-version, as kube-apiserver does.
 */
export interface ExtraRoot {
  module: string;
  name: string;
  gvk?: { group: string; version: string; kind: string };
  everyGroupVersion?: boolean;
}

export const EXTRA_ROOTS: readonly ExtraRoot[] = [
  { module: 'meta/v1', name: 'DeleteOptions', everyGroupVersion: true },
  { module: 'meta/v1', name: 'WatchEvent', everyGroupVersion: true },
  { module: 'meta/v1', name: 'Status', gvk: { group: '', version: 'v1', kind: 'Status' } },
  { module: 'meta/v1', name: 'Patch' },
  { module: 'autoscaling/v1', name: 'Scale', gvk: { group: 'autoscaling', version: 'v1', kind: 'Scale' } },
  { module: 'policy/v1', name: 'Eviction', gvk: { group: 'policy', version: 'v1', kind: 'Eviction' } },
  { module: 'core/v1', name: 'Binding', gvk: { group: '', version: 'v1', kind: 'Binding' } },
];
