// The apimachinery types whose JSON is not their proto message: Go gives them custom JSON
// (un)marshalers, so a field of one of these types is a scalar in JSON.
import type { ValueKind } from './types.js';

const M = 'k8s.io.apimachinery.pkg.apis.meta.v1';

export const SPECIAL_MESSAGES: Readonly<Record<string, ValueKind>> = {
  [`${M}.Time`]: 'time',
  [`${M}.MicroTime`]: 'microTime',
  [`${M}.Duration`]: 'duration',
  [`${M}.FieldsV1`]: 'fieldsV1',
  'k8s.io.apimachinery.pkg.api.resource.Quantity': 'quantity',
  'k8s.io.apimachinery.pkg.util.intstr.IntOrString': 'intOrString',
  'k8s.io.apimachinery.pkg.runtime.RawExtension': 'rawExtension',
};

/** metav1.Verbs is a proto message around a list, and a plain list of strings in JSON. */
export const VERBS_MESSAGE = `${M}.Verbs`;

/** user.Info's extra values (authentication/v1 and authorization/v1 ExtraValue): the same shape as Verbs. */
export const LIST_MESSAGES: ReadonlySet<string> = new Set([VERBS_MESSAGE, 'k8s.io.api.authentication.v1.ExtraValue', 'k8s.io.api.authorization.v1.ExtraValue']);
