// Deployment, ReplicaSet and StatefulSet rows (printDeployment, printReplicaSet, printStatefulSet).
// spec.replicas is defaulted to 1 by the apps/v1 defaults, as the internal object always has it.
import type { Deployment, ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { Container } from 'kubernetes-types/core/v1.js';
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import type { KubeObject } from '../../object.js';
import { fromLabelSelectorObject } from '../../selectors/labels.js';
import { since } from '../duration.js';
import { ageColumn, col, nameColumn, type Printer } from '../types.js';

const CONTAINERS = col('Containers', 'string', 'Names of each container in the template.', 1);
const IMAGES = col('Images', 'string', 'Images referenced by each container in the template.', 1);

function containerCells(cs: Container[] | undefined): [string, string] {
  return [(cs ?? []).map((c) => c.name).join(','), (cs ?? []).map((c) => c.image ?? '').join(',')];
}

/** metav1.LabelSelectorAsSelector(sel).String(), "<invalid>" when it does not convert. */
function selectorString(sel: LabelSelector | undefined): string {
  try {
    return fromLabelSelectorObject(sel).toString();
  } catch {
    return '<invalid>';
  }
}

export const deploymentPrinter: Printer = {
  columns: [
    nameColumn(),
    col('Ready', 'string', 'Number of the pod with ready state'),
    col('Up-to-date', 'string', 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.'),
    col('Available', 'string', 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.'),
    ageColumn(),
    CONTAINERS,
    IMAGES,
    col('Selector', 'string', "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment. It must match the pod template's labels.", 1),
  ],
  print(obj: KubeObject, now: Date) {
    const d = obj as unknown as Deployment;
    const st = d.status ?? {};
    return {
      cells: [
        d.metadata?.name ?? '',
        `${st.readyReplicas ?? 0}/${d.spec?.replicas ?? 1}`,
        st.updatedReplicas ?? 0,
        st.availableReplicas ?? 0,
        since(d.metadata?.creationTimestamp, now),
        ...containerCells(d.spec?.template?.spec?.containers),
        selectorString(d.spec?.selector),
      ],
    };
  },
};

export const replicaSetPrinter: Printer = {
  columns: [
    nameColumn(),
    col('Desired', 'integer', 'Replicas is the number of desired replicas. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller/#what-is-a-replicationcontroller'),
    col('Current', 'integer', 'Replicas is the most recently observed number of replicas. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller/#what-is-a-replicationcontroller'),
    col('Ready', 'integer', 'readyReplicas is the number of pods targeted by this ReplicaSet with a Ready Condition.'),
    ageColumn(),
    CONTAINERS,
    IMAGES,
    col('Selector', 'string', "Selector is a label query over pods that should match the replica count. Label keys and values that must match in order to be controlled by this replica set. It must match the pod template's labels. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors", 1),
  ],
  print(obj: KubeObject, now: Date) {
    const rs = obj as unknown as ReplicaSet;
    const st = rs.status ?? { replicas: 0 };
    return {
      cells: [
        rs.metadata?.name ?? '',
        rs.spec?.replicas ?? 1,
        st.replicas ?? 0,
        st.readyReplicas ?? 0,
        since(rs.metadata?.creationTimestamp, now),
        ...containerCells(rs.spec?.template?.spec?.containers),
        selectorString(rs.spec?.selector),
      ],
    };
  },
};

export const statefulSetPrinter: Printer = {
  columns: [nameColumn(), col('Ready', 'string', 'Number of the pod with ready state'), ageColumn(), CONTAINERS, IMAGES],
  print(obj: KubeObject, now: Date) {
    const s = obj as unknown as StatefulSet;
    return {
      cells: [
        s.metadata?.name ?? '',
        `${s.status?.readyReplicas ?? 0}/${s.spec?.replicas ?? 1}`,
        since(s.metadata?.creationTimestamp, now),
        ...containerCells(s.spec?.template?.spec?.containers),
      ],
    };
  },
};
