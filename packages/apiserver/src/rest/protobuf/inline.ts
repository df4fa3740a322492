// Go structs embedded with `json:",inline"`: in proto they are a field of their own (Volume
// has `volumeSource = 2`), in JSON their fields sit in the parent (`{name, hostPath}`).
// Which fields these are is the schema's `inline` marker (@k8ts/api annotations, one source
// for the codec, OpenAPI and the decoder); this file only cuts a JSON object to one of them.
import type { FieldSchema } from '@k8ts/api';
import { messageSchema } from '@k8ts/api';

/** The part of `obj` that belongs to inline field `f`. */
export function inlinePart(f: FieldSchema, obj: Record<string, unknown>): Record<string, unknown> {
  const sub: Record<string, unknown> = {};
  for (const k of messageSchema(f.message!)!.jsonFields.keys()) if (obj[k] !== undefined) sub[k] = obj[k];
  return sub;
}
