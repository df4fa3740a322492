// What Kubernetes' per-resource strategies do on create and update, for the resources
// k8ts serves: which fields the server owns, what status a new object starts with.
import type { KubeObject, ResourceInfo } from '@k8ts/api';
import { initialPodStatus } from './pods.js';
import { unreadable } from './api-calls.js';

export function hasStatusSubresource(info: ResourceInfo): boolean {
  return info.subresources.includes('status');
}

/**
 * PrepareForCreate: resources with a status subresource start with an empty status (the
 * controllers own it), except nodes, whose agent reports status as it registers.
 */
export function prepareForCreate(info: ResourceInfo, obj: KubeObject): void {
  try {
    prepare(info, obj);
  } catch (err) {
    throw unreadable(err); // a pod's QoS class reads its containers, of whatever type they came
  }
}

function prepare(info: ResourceInfo, obj: KubeObject): void {
  switch (info.resource) {
    case 'nodes':
      return;
    case 'namespaces': {
      const fin: string[] = obj.spec?.finalizers ?? [];
      obj.spec = { ...(obj.spec ?? {}), finalizers: fin.includes('kubernetes') ? fin : [...fin, 'kubernetes'] };
      obj.status = { phase: 'Active' };
      return;
    }
    case 'pods':
      obj.status = initialPodStatus(obj);
      return;
    default:
      if (hasStatusSubresource(info)) delete obj.status;
  }
}

/** Whether an object marked for deletion has nothing left holding it back. */
export function readyToDelete(obj: KubeObject): boolean {
  const m = obj.metadata;
  if (!m.deletionTimestamp) return false;
  if ((m.finalizers ?? []).length) return false;
  if ((m.deletionGracePeriodSeconds ?? 0) > 0) return false;
  if (obj.kind === 'Namespace' && (obj.spec?.finalizers ?? []).length) return false;
  return true;
}
