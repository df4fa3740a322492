// Merging an applied configuration into the live object (structured-merge-diff's Merge):
// structs and granular maps merge field by field, sets and list maps item by item (by value,
// by key), and everything else (scalars, atomic lists and maps) takes the configuration's
// value. `null` in the configuration removes the field.
import { KeyError } from './elements.js';
import { isObject, itemElements } from './fieldset-of.js';
import { LEAF, memberType, type TypeRef } from './typed.js';

/** The merged value. `live` is changed in place: pass a copy the caller owns. */
export function mergeValue(live: unknown, config: unknown, t: TypeRef): unknown {
  if (config === undefined) return live;
  if (t.t === 'struct' || t.t === 'map') {
    if (!isObject(config) || !isObject(live)) return config;
    for (const k in config) {
      const c = config[k];
      if (c === null) {
        delete live[k];
        continue;
      }
      const ft = t.t === 'map' ? t.elem : memberType(t.schema, k) ?? LEAF;
      const m = mergeValue(live[k], c, ft);
      if (m !== undefined) live[k] = m;
    }
    return live;
  }
  if (t.t === 'list' && Array.isArray(config) && Array.isArray(live)) return mergeList(live, config, t);
  return config;
}

/**
 * Items of both lists in the merging walker's order: live items stay where they are, shared
 * items follow the configuration's order, and its new items come after the item before them.
 */
function mergeList(live: unknown[], config: unknown[], t: TypeRef & { t: 'list' }): unknown[] {
  const le = itemElements(live, t);
  const ce = itemElements(config, t);
  const cfgAt = new Map<string, number>();
  ce.forEach((e, i) => {
    if (cfgAt.has(e)) throw new KeyError(`duplicate entries for key ${e.slice(2)}`);
    cfgAt.set(e, i);
  });
  const liveAt = new Map<string, number>();
  le.forEach((e, i) => liveAt.has(e) || liveAt.set(e, i));
  const shared = ce.filter((e) => liveAt.has(e));
  let s = 0;
  const merged = new Set<string>();
  const out: unknown[] = [];
  for (let l = 0, r = 0; l < live.length || r < config.length; ) {
    if (l < live.length && r < config.length) {
      const e = le[l]!;
      if (e === ce[r]) {
        merged.add(e);
        out.push(mergeValue(live[l], config[r], t.elem));
        l++;
        r++;
        s++;
        continue;
      }
      // A shared item the configuration puts later: skip it here, it comes with the configuration.
      if (cfgAt.has(e) && s < shared.length && shared[s] !== e) {
        l++;
        continue;
      }
    }
    if (l < live.length) {
      const e = le[l]!;
      if (!cfgAt.has(e)) {
        out.push(live[l]);
        l++;
        continue;
      }
      if (merged.has(e)) {
        l++;
        continue;
      }
    }
    if (r < config.length) {
      const e = ce[r]!;
      merged.add(e);
      const li = liveAt.get(e);
      out.push(mergeValue(li === undefined ? undefined : live[li], config[r], t.elem));
      r++;
      if (shared[s] === e) s++;
    }
  }
  return out;
}
