// The managedFields bookkeeping of a create, update or non-apply patch (upstream's Update
// operation): the writer's Update entry gains what it added or changed, every manager loses
// what was changed or removed under it, and the writer's entry is stamped when it changed
// something.
import { capUpdateManagers } from './cap.js';
import { compare } from './compare.js';
import { decodeManagers, encodeManagers, managerId, type Manager } from './entries.js';
import { difference, isEmptySet, union, type FieldSet } from './fieldset.js';
import { fieldSetOf, isObject } from './fieldset-of.js';
import { jsonEqual } from './json-equal.js';
import { rootType } from './typed.js';
import type { Part } from './scope.js';

type Obj = Record<string, any>;

export interface WriteContext {
  apiVersion: string;
  kind: string;
  /** The field manager (the fieldManager parameter, or the User-Agent's prefix). */
  manager: string;
  /** '' for the resource itself, 'status' for its status subresource. */
  subresource: string;
  /** The part of the object this endpoint writes (see scope.ts). */
  part: Part;
  /** metav1.Time of the write. */
  now: string;
}

/**
 * The managers to start from (upstream's decodeLiveOrNew): a subresource write keeps the
 * live ones; `[]` or `[{}]` in the request resets them; valid entries in the request replace
 * them (a client may edit managedFields); anything else keeps the live ones.
 */
function startingManagers(liveList: unknown, newList: unknown, subresource: string): { managers: Manager[]; fromLive: boolean } {
  const live = () => ({ managers: decodeManagers(liveList, true) ?? [], fromLive: true });
  if (subresource || newList === undefined || newList === liveList) return live();
  if (Array.isArray(newList) && (newList.length === 0 || (newList.length === 1 && isObject(newList[0]) && Object.keys(newList[0]).length === 0))) {
    return { managers: [], fromLive: false };
  }
  if (jsonEqual(newList, liveList)) return live();
  const decoded = decodeManagers(newList, false);
  if (!decoded?.length) return live();
  return { managers: decoded, fromLive: false };
}

function setManaged(obj: Obj, managers: readonly Manager[]): void {
  const m = (obj.metadata ??= {});
  if (managers.length) m.managedFields = encodeManagers(managers);
  else delete m.managedFields;
}

/** Sets `next.metadata.managedFields` for `ctx.manager` writing `next` over `live` (absent: a create). */
export function recordUpdate(live: Obj | undefined, next: Obj, ctx: WriteContext): void {
  const t = rootType(ctx.apiVersion, ctx.kind);
  const liveList = live?.metadata?.managedFields;
  const newList = next.metadata?.managedFields;
  const id = managerId(ctx.manager, 'Update', ctx.apiVersion, ctx.subresource);
  if (!live && (newList === undefined || newList === null)) {
    // A plain create: the creator owns all it wrote.
    const set = fieldSetOf(next, t, ctx.part);
    setManaged(next, isEmptySet(set) ? [] : [newManager(id, ctx, set)]);
    return;
  }
  const { managers, fromLive } = startingManagers(liveList, newList, ctx.subresource);
  const { changed, removed } = compare(live, next, t, ctx.part);
  if (isEmptySet(changed) && isEmptySet(removed)) {
    if (fromLive && Array.isArray(liveList)) next.metadata.managedFields = liveList;
    else setManaged(next, managers);
    return;
  }
  const out: Manager[] = [];
  let self: Manager | undefined;
  for (const m of managers) {
    if (m.id === id) {
      self = m;
      continue;
    }
    const kept = loseFields(m, changed, removed);
    if (kept) out.push(kept);
  }
  let set: FieldSet = self ? difference(self.set, removed) : {};
  if (!isEmptySet(changed)) {
    set = union(set, changed);
    out.push(newManager(id, ctx, set));
  } else if (self && !isEmptySet(set)) {
    out.push(set === self.set ? self : { ...self, set, wire: undefined });
  }
  setManaged(next, capUpdateManagers(out));
}

/** `m` without the fields changed or removed under it; undefined when it owns nothing left. */
export function loseFields(m: Manager, changed: FieldSet, removed: FieldSet): Manager | undefined {
  const s = difference(difference(m.set, changed), removed);
  if (s === m.set) return m;
  if (isEmptySet(s)) return undefined;
  return { ...m, set: s, wire: undefined };
}

function newManager(id: string, ctx: WriteContext, set: FieldSet): Manager {
  return { id, manager: ctx.manager, operation: 'Update', apiVersion: ctx.apiVersion, time: ctx.now, subresource: ctx.subresource, set };
}
