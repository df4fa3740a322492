// Selector matching for FakeClient and informers, over @k8ts/api's parsers; a syntax error
// is their SelectorError, the ApiError 400 BadRequest the apiserver answers.
import { parseLabelSelector, parseFieldSelector, fieldsOf, type KubeObject } from '@k8ts/api';

/**
 * Compiles label and field selectors for objects of `resource` once. With `validate`, a
 * field the resource does not support is rejected as the apiserver does. Throws ApiError 400.
 */
export function objectMatcher(resource: string, labelSelector?: string, fieldSelector?: string, validate = false): (obj: KubeObject) => boolean {
  const l = parseLabelSelector(labelSelector);
  const f = parseFieldSelector(fieldSelector, validate ? resource : undefined);
  if (l.empty && f.empty) return () => true;
  return (obj) => l.matches(obj.metadata?.labels) && (f.empty || f.matches(fieldsOf(resource, obj)));
}
