// Server-side apply (application/apply-patch+yaml): the applied configuration is read here
// and handed to ../managedfields, which merges it into the live object as
// structured-merge-diff does: field managers, conflicts, and removal of fields the manager
// no longer applies.
import YAML from 'yaml';
import { checkYamlDepth } from '../decode/parse.js';
import { PatchError } from '../errors.js';
import { isPlainObject } from './json.js';
import { applyConfiguration, type Part } from '../managedfields/index.js';

export function parseApplyConfiguration(patch: string | object | Uint8Array): Record<string, any> {
  let doc: unknown = patch;
  if (typeof patch === 'string' || patch instanceof Uint8Array) {
    const text = typeof patch === 'string' ? patch : Buffer.from(patch).toString('utf8');
    try {
      checkYamlDepth(text);
      doc = YAML.parse(text);
    } catch (e) {
      throw new PatchError(`error decoding YAML: ${(e as Error).message}`, 400);
    }
  }
  if (!isPlainObject(doc)) throw new PatchError('apply configuration must be an object', 400);
  if (!doc.apiVersion || !doc.kind || typeof doc.apiVersion !== 'string' || typeof doc.kind !== 'string') throw new PatchError('invalid object type: /, Kind=', 400);
  // Plain JSON only (YAML may hold values JSON has not); an apply configuration carries no `$` directives.
  return JSON.parse(JSON.stringify(doc), (k, v) => (k.startsWith('$') ? undefined : v));
}

export interface ServerSideApplyOptions {
  /** The fieldManager of the request (required by the REST API for apply). */
  manager?: string;
  /** --force-conflicts: take over fields other managers own. */
  force?: boolean;
  /** '' or 'status'. */
  subresource?: string;
  /** The part of the object the endpoint writes: 'main' leaves status out, 'status' keeps only it. */
  part?: Part;
  /** metav1.Time stamped on the manager's entry. */
  now?: string;
}

/**
 * The object after applying `patch` to `original` (an empty object: apply creates). Throws
 * PatchError (400 unreadable, 422 unmergeable) or ApplyConflictError (409).
 */
export function applyServerSide(original: object, patch: string | object | Uint8Array, _resource: string, opts: ServerSideApplyOptions = {}): object {
  const config = parseApplyConfiguration(patch);
  const live = original as Record<string, any>;
  const exists = live.metadata !== undefined || live.apiVersion !== undefined;
  if (exists && live.apiVersion && config.apiVersion !== live.apiVersion)
    throw new PatchError(`apiVersion ${config.apiVersion} does not match the object's ${live.apiVersion}`, 400);
  if (exists && live.kind && config.kind !== live.kind) throw new PatchError(`invalid object type: ${config.apiVersion}, Kind=${config.kind}`, 400);
  return applyConfiguration(exists ? live : undefined, config, {
    apiVersion: config.apiVersion,
    kind: config.kind,
    manager: opts.manager ?? '',
    subresource: opts.subresource ?? '',
    part: opts.part ?? 'all',
    now: opts.now ?? new Date().toISOString().slice(0, 19) + 'Z',
    force: opts.force ?? !opts.manager,
  });
}
