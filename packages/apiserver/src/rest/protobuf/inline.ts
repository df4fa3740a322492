// Go structs embedded with `json:",inline"`: in proto they are a field of their own (Volume
// has `volumeSource = 2`), in JSON their fields sit in the parent (`{name, hostPath}`).
// The descriptors cannot tell these from ordinary fields, so they are listed here
// (k8s.io/api v1.33); inline.test in codec.test.ts checks each exists.
import type { FieldSchema, MessageSchema } from '@k8ts/api';
import { messageSchema } from '@k8ts/api';

const CORE = 'k8s.io.api.core.v1';

export const INLINE_FIELDS: readonly string[] = [
  `${CORE}.Volume.volumeSource`,
  `${CORE}.PersistentVolumeSpec.persistentVolumeSource`,
  `${CORE}.Probe.handler`,
  `${CORE}.EphemeralContainer.ephemeralContainerCommon`,
  ...['ConfigMapEnvSource', 'ConfigMapKeySelector', 'ConfigMapProjection', 'ConfigMapVolumeSource', 'SecretEnvSource', 'SecretKeySelector', 'SecretProjection'].map((m) => `${CORE}.${m}.localObjectReference`),
  'k8s.io.api.networking.v1.IngressRule.ingressRuleValue',
  'k8s.io.api.admissionregistration.v1.RuleWithOperations.rule',
  'k8s.io.api.admissionregistration.v1.NamedRuleWithOperations.ruleWithOperations',
];

const INLINE = new Set(INLINE_FIELDS);

export function isInline(owner: string, field: string): boolean {
  return INLINE.has(`${owner}.${field}`);
}

const jsonKeys = new Map<string, Set<string>>();

/** The JSON keys of a message: its fields, with inline fields replaced by their own keys. */
export function jsonKeysOf(schema: MessageSchema): Set<string> {
  let keys = jsonKeys.get(schema.name);
  if (!keys) {
    keys = new Set();
    for (const f of schema.fields.values()) {
      if (isInline(schema.name, f.name)) for (const k of jsonKeysOf(messageSchema(f.message!)!)) keys.add(k);
      else keys.add(f.name);
    }
    jsonKeys.set(schema.name, keys);
  }
  return keys;
}

/** The part of `obj` that belongs to inline field `f`. */
export function inlinePart(f: FieldSchema, obj: Record<string, unknown>): Record<string, unknown> {
  const sub: Record<string, unknown> = {};
  for (const k of jsonKeysOf(messageSchema(f.message!)!)) if (obj[k] !== undefined) sub[k] = obj[k];
  return sub;
}
