// Admission for namespaced writes: the namespace must exist and not be terminating
// (the NamespaceLifecycle admission plugin).
import type { KubeObject } from '@k8ts/api';
import { forbidden, notFound } from './errors.js';

export function checkNamespaceAdmits(ns: KubeObject | undefined, namespace: string, resource: string, name: string): void {
  if (!ns) throw notFound('namespaces', namespace);
  if (ns.metadata.deletionTimestamp || ns.status?.phase === 'Terminating') {
    throw forbidden(resource, name, `unable to create new content in namespace ${namespace} because it is being terminated`);
  }
}

export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];
