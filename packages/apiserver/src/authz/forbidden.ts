// The 403 of a refused request, worded as kube-apiserver's responsewriters.Forbidden:
//   pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "default"
//   pods "p" is forbidden: User "alice" cannot get resource "pods" in API group "" at the cluster scope
//   forbidden: User "x" cannot get path "/metrics"
import { ApiError, failureStatus } from '@k8ts/api';
import type { Attributes } from './types.js';

export function forbiddenMessage(a: Attributes): string {
  const user = a.user?.name ?? '';
  if (!a.resourceRequest) return `User ${JSON.stringify(user)} cannot ${a.verb} path ${JSON.stringify(a.path)}`;
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const where = a.namespace ? `in the namespace ${JSON.stringify(a.namespace)}` : 'at the cluster scope';
  return `User ${JSON.stringify(user)} cannot ${a.verb} resource ${JSON.stringify(resource)} in API group ${JSON.stringify(a.apiGroup)} ${where}`;
}

/** apierrors.NewForbidden(GroupResource{group, resource}, name, msg[: reason]). */
export function forbiddenError(a: Attributes, reason = ''): ApiError {
  const why = reason ? `${forbiddenMessage(a)}: ${reason}` : forbiddenMessage(a);
  const gr = a.resourceRequest ? (a.apiGroup ? `${a.resource}.${a.apiGroup}` : a.resource) : '';
  let message: string;
  if (!gr && !a.name) message = `forbidden: ${why}`;
  else if (a.name) message = `${gr} ${JSON.stringify(a.name)} is forbidden: ${why}`;
  else message = `${gr} is forbidden: ${why}`;
  const details = { name: a.name || undefined, group: a.apiGroup || undefined, kind: a.resource || undefined };
  return new ApiError(403, 'Forbidden', failureStatus(403, 'Forbidden', message, details));
}
