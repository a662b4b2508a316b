// Selectors and patching come from src/api/; they are injected through RegistryDeps so unit tests
// can replace them and the registry depends only on these signatures.
import type { KubeObject } from '../api/object.js';
import type { ResourceInfo } from '../api/resources.js';
import { applyPatch, applyServerSideApply, recordUpdate } from '../api/patch/index.js';
import { parseFieldSelector } from '../api/selectors/fields.js';
import { parseLabelSelector } from '../api/selectors/labels.js';

export interface LabelSelector {
  matches(labels: Record<string, string> | undefined): boolean;
  empty: boolean;
}
export interface FieldSelector {
  matches(obj: KubeObject): boolean;
}

export interface RegistryDeps {
  parseLabelSelector(s: string): LabelSelector;
  parseFieldSelector(s: string, res: ResourceInfo): FieldSelector;
  applyPatch(contentType: string, original: KubeObject, patch: unknown, res: ResourceInfo): KubeObject;
  applyServerSideApply(
    live: KubeObject | undefined,
    applied: KubeObject,
    res: ResourceInfo,
    opts: { fieldManager: string; force: boolean },
  ): KubeObject;
  /** managedFields bookkeeping of a non-apply write by `manager`. */
  recordUpdate(old: KubeObject | undefined, updated: KubeObject, res: ResourceInfo, manager: string): KubeObject;
}

export const DEFAULT_REGISTRY_DEPS: RegistryDeps = { parseLabelSelector, parseFieldSelector, applyPatch, applyServerSideApply, recordUpdate };
