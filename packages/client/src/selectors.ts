// Selector matching for FakeClient and informers, over @k8ts/api's parsers, with syntax
// errors turned into the 400 BadRequest the apiserver answers.
import { parseLabelSelector, parseFieldSelector, fieldsOf, SelectorError, type KubeObject } from '@k8ts/api';
import { ApiError } from './types.js';

export function badRequest(message: string): ApiError {
  return new ApiError(400, 'BadRequest', { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: 'BadRequest', code: 400 });
}

/**
 * Compiles label and field selectors for objects of `resource` once. With `validate`, a
 * field the resource does not support is rejected as the apiserver does. Throws ApiError 400.
 */
export function objectMatcher(resource: string, labelSelector?: string, fieldSelector?: string, validate = false): (obj: KubeObject) => boolean {
  try {
    const l = parseLabelSelector(labelSelector);
    const f = parseFieldSelector(fieldSelector, validate ? resource : undefined);
    if (l.empty && f.empty) return () => true;
    return (obj) => l.matches(obj.metadata?.labels) && (f.empty || f.matches(fieldsOf(resource, obj)));
  } catch (e) {
    if (e instanceof SelectorError) throw badRequest(e.message);
    throw e;
  }
}
