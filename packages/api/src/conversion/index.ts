// Conversion between a stored resource and its other served versions (ResourceInfo.viewOf).
// The registry and every component deal only in the stored version; the REST face converts
// a request's body to it and each answer back, as kube-apiserver converts through its
// internal version to the storage version.
import type { KubeObject } from '../types.js';
import { findResource, type ResourceInfo } from '../resources.js';
import { hpaV1ToV2, hpaV2ToV1 } from './autoscaling-v1.js';

interface Converter {
  toStored(obj: KubeObject): KubeObject;
  fromStored(obj: KubeObject): KubeObject;
}

const CONVERTERS: Record<string, Converter> = {
  'horizontalpodautoscalers.v1.autoscaling': { toStored: hpaV1ToV2, fromStored: hpaV2ToV1 },
};

/** Conversion strategy None: the object as it is, under the other apiVersion. */
function noneConverter(view: ResourceInfo): Converter {
  const stored = `${view.group}/${findResource(view.viewOf!)?.version ?? view.version}`;
  const served = `${view.group}/${view.version}`;
  return { toStored: (o) => ({ ...o, apiVersion: stored }), fromStored: (o) => ({ ...o, apiVersion: served }) };
}

function converter(view: ResourceInfo): Converter {
  if (view.custom) return noneConverter(view);
  const c = CONVERTERS[view.resource];
  if (!c) throw new Error(`no conversion for ${view.resource}`);
  return c;
}

/** A body sent to a view, in the stored version. */
export function toStoredVersion(view: ResourceInfo, obj: KubeObject): KubeObject {
  return converter(view).toStored(obj);
}

/** A stored object as the view's version shows it (Status and other kinds pass through). */
export function fromStoredVersion(view: ResourceInfo, obj: KubeObject): KubeObject {
  if (!obj || typeof obj !== 'object' || obj.kind !== view.kind) return obj;
  return converter(view).fromStored(obj);
}

export { hpaV1ToV2, hpaV2ToV1, METRICS_ANNOTATION, CURRENT_METRICS_ANNOTATION, CONDITIONS_ANNOTATION, BEHAVIOR_ANNOTATION } from './autoscaling-v1.js';
