// Server-side apply (application/apply-patch+yaml), pragmatically: the applied
// configuration is merged into the live object with strategic-merge semantics (fields it
// names are set, lists merged by their Kubernetes keys, atomic lists replaced).
//
// Left out, compared with Kubernetes' structured-merge-diff: metadata.managedFields is not
// tracked, so there are no field managers, no conflicts (every apply acts as --force-conflicts),
// and fields dropped from a later applied configuration are NOT removed from the object
// (Kubernetes removes fields the same manager owned and no longer applies). `null` in the
// configuration removes the field.
import YAML from 'yaml';
import { PatchError } from '../errors.js';
import { isPlainObject } from './json.js';
import { strategicMerge } from './strategic.js';

export function parseApplyConfiguration(patch: string | object | Uint8Array): Record<string, any> {
  let doc: unknown = patch;
  if (typeof patch === 'string' || patch instanceof Uint8Array) {
    const text = typeof patch === 'string' ? patch : Buffer.from(patch).toString('utf8');
    try {
      doc = YAML.parse(text);
    } catch (e) {
      throw new PatchError(`error decoding YAML: ${(e as Error).message}`, 400);
    }
  }
  if (!isPlainObject(doc)) throw new PatchError('apply configuration must be an object', 400);
  if (!doc.apiVersion || !doc.kind) throw new PatchError("invalid object type: /, Kind=", 400);
  return doc;
}

export function applyServerSide(original: object, patch: string | object | Uint8Array, resource: string): object {
  const config = parseApplyConfiguration(patch);
  // The apply configuration carries no directives; strip any `$` keys a client sent.
  const clean = JSON.parse(JSON.stringify(config), (k, v) => (k.startsWith('$') ? undefined : v));
  const live = original as Record<string, any>;
  if (live.apiVersion && clean.apiVersion !== live.apiVersion)
    throw new PatchError(`apiVersion ${clean.apiVersion} does not match the object's ${live.apiVersion}`, 400);
  return strategicMerge(original, clean, resource);
}
