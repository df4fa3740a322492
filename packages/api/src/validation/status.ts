// The 422 metav1.Status Kubernetes answers an invalid object with (apierrors.NewInvalid).
import type { Status } from 'kubernetes-types/meta/v1';
import { findResource } from '../resources.js';
import { failureStatus } from '../errors.js';
import { type FieldError, fieldErrorString } from './field-error.js';

/**
 * `kind` may be a Kind ("Pod"), a resource ("deployments") or a group-qualified kind
 * ("Deployment.apps"). The message names the qualified kind (`Deployment.apps "web" is
 * invalid: ...`), details carry group and Kind separately, causes one entry per error.
 */
export function statusForInvalid(kind: string, name: string, errors: FieldError[]): Status {
  let group = '';
  let k = kind;
  const dot = kind.indexOf('.');
  const custom = findResource(kind);
  if (custom?.custom && custom.resource === kind) {
    k = custom.kind;
    group = custom.group;
  } else if (dot > 0) {
    k = kind.slice(0, dot);
    group = kind.slice(dot + 1);
  } else {
    const info = findResource(kind);
    if (info) {
      k = info.kind;
      group = info.group;
    }
  }
  const qualified = group ? `${k}.${group}` : k;
  // utilerrors.NewAggregate drops duplicate messages; one error prints bare, several in [].
  const msgs = [...new Set(errors.map(fieldErrorString))];
  let message = `${qualified} ${JSON.stringify(name)} is invalid`;
  if (msgs.length === 1) message += `: ${msgs[0]}`;
  else if (msgs.length > 1) message += `: [${msgs.join(', ')}]`;
  const details: Status['details'] = {
    name,
    ...(group ? { group } : {}),
    kind: k,
    causes: errors.map((e) => ({ reason: e.type, message: e.message, field: e.field })),
  };
  return failureStatus(422, 'Invalid', message, details);
}
