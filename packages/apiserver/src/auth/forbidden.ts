// responsewriters.ForbiddenStatusError: the 403 for attributes the authorizer did not allow,
// worded as kube-apiserver words it (`users "bob" is forbidden: User "alice" cannot
// impersonate resource "users" in API group "" at the cluster scope`).
import { apiError, type ApiError } from '@k8ts/api';
import type { Attributes } from '../authz/types.js';

export function forbiddenMessage(a: Attributes): string {
  const who = JSON.stringify(a.user.name);
  if (!a.resourceRequest) return `User ${who} cannot ${a.verb} path ${JSON.stringify(a.path)}`;
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const where = a.namespace ? `in the namespace ${JSON.stringify(a.namespace)}` : 'at the cluster scope';
  return `User ${who} cannot ${a.verb} resource ${JSON.stringify(resource)} in API group ${JSON.stringify(a.apiGroup)} ${where}`;
}

/** NewForbidden(group-resource, name, message[: reason]). */
export function forbiddenFor(a: Attributes, reason: string): ApiError {
  const why = reason ? `${forbiddenMessage(a)}: ${reason}` : forbiddenMessage(a);
  if (!a.resourceRequest) return apiError(403, 'Forbidden', `forbidden: ${why}`, {});
  const gr = a.apiGroup ? `${a.resource}.${a.apiGroup}` : a.resource;
  const subject = a.name ? `${gr} ${JSON.stringify(a.name)}` : gr;
  const details: { name?: string; group?: string; kind: string } = { kind: a.resource };
  if (a.name) details.name = a.name;
  if (a.apiGroup) details.group = a.apiGroup;
  return apiError(403, 'Forbidden', `${subject} is forbidden: ${why}`, details);
}
