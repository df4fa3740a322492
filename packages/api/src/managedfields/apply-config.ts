// Server-side apply (structured-merge-diff's Updater.Apply): merge the configuration into
// the live object, prune what this manager applied before and no longer applies (unless
// another manager owns it), and refuse to change fields other managers own unless forced.
// The Apply entry then owns exactly the applied set.
import { PatchError } from '../errors.js';
import { capUpdateManagers } from './cap.js';
import { compare } from './compare.js';
import { ApplyConflictError, type Conflict } from './conflicts.js';
import { decodeManagers, encodeManagers, managerId, type Manager } from './entries.js';
import { difference, intersection, isEmptySet, union, type FieldSet } from './fieldset.js';
import { fieldSetOf, isObject } from './fieldset-of.js';
import { jsonEqual } from './json-equal.js';
import { mergeValue } from './merge.js';
import { loseFields, type WriteContext } from './record-update.js';
import { removeMembers } from './remove.js';
import { rootType, type TypeRef } from './typed.js';
import type { Part } from './scope.js';

type Obj = Record<string, any>;

export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
/** The manager `kubectl apply --server-side` uses; upstream upgrades client-side apply for it alone. */
const KUBECTL = 'kubectl';

export interface ApplyContext extends WriteContext {
  force: boolean;
}

/**
 * The object after `ctx.manager` applies `config` to `live` (absent: apply creates), with
 * its managedFields. `live` is not changed. Throws ApplyConflictError (409) on conflicts and
 * PatchError for a configuration it cannot merge.
 */
export function applyConfiguration(live: Obj | undefined, config: Obj, ctx: ApplyContext): Obj {
  if (config.metadata?.managedFields !== undefined) throw new PatchError('metadata.managedFields must be nil', 400);
  const t = rootType(ctx.apiVersion, ctx.kind);
  const managers = decodeManagers(live?.metadata?.managedFields, true) ?? [];
  const id = managerId(ctx.manager, 'Apply', '', ctx.subresource);
  const applied = fieldSetOf(config, t, ctx.part);
  const merged = mergeValue(live ? structuredClone(live) : {}, config, t) as Obj;
  const prev = managers.find((m) => m.id === id);
  if (prev) {
    let owned: FieldSet = applied;
    for (const m of managers) if (m !== prev) owned = union(owned, m.set);
    removeMembers(merged, difference(prev.set, owned), t);
  }
  const { changed, removed } = compare(live, merged, t, ctx.part);
  let conflicts: Conflict[] = [];
  for (const m of managers) {
    if (m.id === id) continue;
    const c = intersection(m.set, changed);
    if (!isEmptySet(c)) conflicts.push({ manager: m, set: c });
  }
  if (conflicts.length && !ctx.force) {
    conflicts = ctx.manager === KUBECTL ? notAllowedByLastApplied(conflicts, live, t, ctx.part) : conflicts;
    if (conflicts.length) throw new ApplyConflictError(conflicts);
  }
  const out: Manager[] = [];
  for (const m of managers) {
    if (m.id === id) continue;
    const kept = loseFields(m, changed, removed);
    if (kept) out.push(kept);
  }
  if (!isEmptySet(applied)) {
    const objectChanged = !isEmptySet(changed) || !isEmptySet(removed);
    const time = objectChanged || !prev ? ctx.now : prev.time;
    const same = prev && prev.time === time && jsonEqual(prev.set, applied);
    out.push(same ? prev : { id, manager: ctx.manager, operation: 'Apply', apiVersion: ctx.apiVersion, time, subresource: ctx.subresource, set: applied });
  }
  const meta = (merged.metadata ??= {});
  if (out.length) meta.managedFields = encodeManagers(capUpdateManagers(out));
  else delete meta.managedFields;
  if (ctx.manager === KUBECTL) syncLastApplied(merged, config);
  return merged;
}

/**
 * The conflicts client-side apply does not explain. Upstream lets `kubectl apply
 * --server-side` take over fields the last-applied annotation still holds as live has them
 * (the object was client-side applied before), without --force-conflicts.
 */
function notAllowedByLastApplied(conflicts: Conflict[], live: Obj | undefined, t: TypeRef, part: Part): Conflict[] {
  const text = live?.metadata?.annotations?.[LAST_APPLIED];
  if (typeof text !== 'string' || !text) return conflicts;
  let last: unknown;
  try {
    last = JSON.parse(text);
  } catch {
    return conflicts;
  }
  if (!isObject(last)) return conflicts;
  let allowed: FieldSet;
  try {
    allowed = difference(fieldSetOf(last, t, part), compare(last, live!, t, part).changed);
  } catch {
    return conflicts;
  }
  const out: Conflict[] = [];
  for (const c of conflicts) {
    const rest = difference(c.set, allowed);
    if (!isEmptySet(rest)) out.push({ manager: c.manager, set: rest });
  }
  return out;
}

/** Upstream's lastAppliedUpdater: an object that has the annotation gets the applied configuration in it. */
function syncLastApplied(merged: Obj, config: Obj): void {
  const annotations = merged.metadata?.annotations;
  if (!annotations?.[LAST_APPLIED]) return;
  const copy = { ...config, metadata: { ...(config.metadata ?? {}) } };
  if (isObject(copy.metadata.annotations)) {
    const a = { ...copy.metadata.annotations };
    delete a[LAST_APPLIED];
    copy.metadata.annotations = a;
    if (!Object.keys(a).length) delete copy.metadata.annotations;
  }
  annotations[LAST_APPLIED] = JSON.stringify(copy);
}
