import type { KubeObject, OwnerReference } from '../types.js';
import type { ResourceInfo } from '../resources.js';
import { apiVersionOf, findResource } from '../resources.js';
import type { LabelSelector } from 'kubernetes-types/meta/v1';
import { labelSelectorFromObject } from '../selectors/labels.js';

/** metav1.GetControllerOf: the owner reference with controller: true. */
export function controllerRef(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata?.ownerReferences?.find((r) => r.controller === true);
}

/** metav1.NewControllerRef: what a controller sets on the objects it creates. */
export function newControllerRef(owner: KubeObject, info?: ResourceInfo): OwnerReference {
  const ri = info ?? (owner.kind ? findResource(owner.kind) : undefined);
  const apiVersion = ri ? apiVersionOf(ri) : owner.apiVersion;
  const kind = ri?.kind ?? owner.kind;
  if (!apiVersion || !kind || !owner.metadata?.name || !owner.metadata?.uid)
    throw new Error('newControllerRef: owner needs apiVersion, kind, metadata.name and metadata.uid');
  return {
    apiVersion,
    kind,
    name: owner.metadata.name,
    uid: owner.metadata.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

export function isControlledBy(obj: KubeObject, owner: KubeObject): boolean {
  const ref = controllerRef(obj);
  return ref !== undefined && ref.uid === owner.metadata?.uid;
}

/**
 * Does a metav1.LabelSelector select these labels? An absent selector selects nothing and a
 * malformed one nothing either (controllers must not adopt on a bad selector).
 */
export function labelsMatchSelector(labels: Record<string, string> | undefined, sel: LabelSelector | undefined | null): boolean {
  try {
    return labelSelectorFromObject(sel).matches(labels ?? {});
  } catch {
    return false;
  }
}
