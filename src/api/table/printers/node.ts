// Node rows (printNode): STATUS from the Ready condition plus SchedulingDisabled, ROLES from
// node-role.kubernetes.io/<role> and kubernetes.io/role labels.
import type { Node } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../object.js';
import { since } from '../duration.js';
import { ageColumn, col, nameColumn, type Printer } from '../types.js';

const ROLE_PREFIX = 'node-role.kubernetes.io/';
const ROLE_LABEL = 'kubernetes.io/role';

function roles(node: Node): string {
  const set = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata?.labels ?? {})) {
    if (k.startsWith(ROLE_PREFIX)) {
      const r = k.slice(ROLE_PREFIX.length);
      if (r) set.add(r);
    } else if (k === ROLE_LABEL && v !== '') set.add(v);
  }
  return [...set].sort().join(',') || '<none>';
}

const address = (node: Node, type: string) => node.status?.addresses?.find((a) => a.type === type)?.address ?? '<none>';

const ADDRESSES = 'List of addresses reachable to the node. Queried from cloud provider, if available. More info: https://kubernetes.io/docs/reference/node/node-status/#addresses';

export const nodePrinter: Printer = {
  columns: [
    nameColumn(),
    col('Status', 'string', 'The status of the node'),
    col('Roles', 'string', 'The roles of the node'),
    ageColumn(),
    col('Version', 'string', 'Kubelet Version reported by the node.'),
    col('Internal-IP', 'string', ADDRESSES, 1),
    col('External-IP', 'string', ADDRESSES, 1),
    col('OS-Image', 'string', 'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).', 1),
    col('Kernel-Version', 'string', "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", 1),
    col('Container-Runtime', 'string', 'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).', 1),
  ],
  print(obj: KubeObject, now: Date) {
    const node = obj as unknown as Node;
    const status: string[] = [];
    const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
    if (ready) status.push(ready.status === 'True' ? 'Ready' : 'NotReady');
    if (status.length === 0) status.push('Unknown');
    if (node.spec?.unschedulable) status.push('SchedulingDisabled');
    const info = node.status?.nodeInfo;
    return {
      cells: [
        node.metadata?.name ?? '',
        status.join(','),
        roles(node),
        since(node.metadata?.creationTimestamp, now),
        info?.kubeletVersion ?? '',
        address(node, 'InternalIP'),
        address(node, 'ExternalIP'),
        info?.osImage || '<unknown>',
        info?.kernelVersion || '<unknown>',
        info?.containerRuntimeVersion || '<unknown>',
      ],
    };
  },
};
