import type { KubeObject, OwnerReference } from '../types.js';
import type { ResourceInfo } from '../resources.js';
import { apiVersionOf, findResource } from '../resources.js';
import type { LabelSelector } from 'kubernetes-types/meta/v1';
import { labelSelectorFromObject, type LabelSelectorMatcher } from '../selectors/labels.js';

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
export function labelsMatchSelector(labels: Record<string, string> | undefined | null, sel: LabelSelector | undefined | null): boolean {
  if (sel == null) return false;
  let m = compiled.get(sel);
  if (m === undefined) {
    try {
      m = labelSelectorFromObject(sel);
    } catch {
      m = null;
    }
    compiled.set(sel, m);
  }
  return m !== null && m.matches(labels ?? {});
}

/** Compiled selectors by object: controllers match one owner's selector against many pods. */
const compiled = new WeakMap<LabelSelector, LabelSelectorMatcher | null>();

/** A selector present but without any requirement (`{}`), which selects everything. */
export function isEmptyLabelSelector(sel: LabelSelector | undefined | null): boolean {
  return !!sel && Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0;
}

/**
 * A Service's selector (a plain map) as the endpoints controller reads it: an absent or
 * empty map selects no pod (such a Service's endpoints are managed by hand).
 */
export function serviceSelectsLabels(selector: Record<string, string> | undefined | null, labels: Record<string, string> | undefined | null): boolean {
  if (!selector) return false;
  const entries = Object.entries(selector);
  if (entries.length === 0) return false;
  const l = labels ?? {};
  return entries.every(([k, v]) => l[k] === v);
}
