// The bodies an event keeps at the Request and RequestResponse levels, as the JSON text that
// goes into the line as is (audit.k8s.io/v1 requestObject and responseObject are
// runtime.Unknown: raw JSON). Every text here comes out of JSON.stringify, never straight from
// a client, so a line stays one valid JSON object whatever was sent. As kube-apiserver:
//   - requestObject: the object a create or update decoded, before the registry defaults,
//     admits or stores it (audit.LogRequestObject); a patch's body as sent, an apply's YAML
//     turned into JSON (audit.LogRequestPatch; a patch that does not parse is refused with a
//     400 and kept out, as upstream's early patch validation keeps it out); a delete's
//     DeleteOptions when it sent one;
//   - responseObject: what the response carried, the object, list, Table or Status
//     (audit.LogResponseObject).
// With omitManagedFields, metadata.managedFields are left out of both (of each item of a list
// and each row of a Table too), without touching the object the request goes on with.
import { parseJsonText, parseYamlText } from '@k8ts/api';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => !!v && typeof v === 'object' && !Array.isArray(v);

function withoutManagedFieldsOne(obj: unknown): unknown {
  if (!isObject(obj) || !isObject(obj.metadata) || !('managedFields' in obj.metadata)) return obj;
  const { managedFields: _dropped, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}

/** A shallow copy without metadata.managedFields (of the object, a list's items, a Table's rows' objects). */
export function withoutManagedFields(obj: unknown): unknown {
  if (!isObject(obj)) return obj;
  if (Array.isArray(obj.items)) return { ...obj, items: obj.items.map(withoutManagedFieldsOne) };
  if (obj.kind === 'Table' && Array.isArray(obj.rows)) {
    return { ...obj, rows: obj.rows.map((r) => (isObject(r) && r.object ? { ...r, object: withoutManagedFieldsOne(r.object) } : r)) };
  }
  return withoutManagedFieldsOne(obj);
}

/** An object as the event keeps it. */
export function objectJson(obj: unknown, omitManagedFields: boolean): string {
  return JSON.stringify(omitManagedFields ? withoutManagedFields(obj) : obj);
}

/** JSON text the server made (a reply): as is, unless managedFields must go. */
export function replyJson(json: string, omitManagedFields: boolean): string | undefined {
  if (!omitManagedFields) return json;
  return jsonOfText(json, true);
}

/** JSON text a client sent (a gRPC object, DeleteOptions), re-encoded; undefined when it does not parse. */
export function jsonOfText(text: string, omitManagedFields: boolean): string | undefined {
  try {
    return objectJson(parseJsonText(text).value, omitManagedFields);
  } catch {
    return undefined;
  }
}

/** A patch body as JSON: merge, strategic merge and JSON patches as sent, an apply's YAML turned into JSON; undefined when it does not parse. */
export function patchJson(patchType: string, patch: string, omitManagedFields: boolean): string | undefined {
  try {
    const value = patchType === 'application/apply-patch+yaml' ? parseYamlText(patch).value : parseJsonText(patch).value;
    return value === undefined ? undefined : objectJson(value, omitManagedFields);
  } catch {
    return undefined;
  }
}
