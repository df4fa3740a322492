// Upstream's capManagersManager: at most 10 Update entries. Past that, the oldest are merged
// into one "ancient-changes" entry per apiVersion, so a stream of one-off writers cannot
// grow an object's managedFields without bound.
import { union } from './fieldset.js';
import { managerId, type Manager } from './entries.js';

export const MAX_UPDATE_MANAGERS = 10;
const BUCKET = 'ancient-changes';

export function capUpdateManagers(managers: Manager[]): Manager[] {
  const updaters = managers.filter((m) => m.operation === 'Update');
  if (updaters.length <= MAX_UPDATE_MANAGERS) return managers;
  updaters.sort((a, b) => ((a.time ?? '') !== (b.time ?? '') ? ((a.time ?? '') < (b.time ?? '') ? -1 : 1) : a.id < b.id ? -1 : 1));
  const drop = new Set<Manager>();
  const buckets = new Map<string, Manager>();
  const firstOf = new Map<string, Manager>();
  let count = updaters.length;
  for (const m of updaters) {
    if (count <= MAX_UPDATE_MANAGERS) break;
    const first = firstOf.get(m.apiVersion);
    if (!first) {
      firstOf.set(m.apiVersion, m);
      continue;
    }
    let bucket = buckets.get(m.apiVersion);
    if (!bucket) {
      drop.add(first);
      bucket = { id: managerId(BUCKET, 'Update', m.apiVersion, ''), manager: BUCKET, operation: 'Update', apiVersion: m.apiVersion, subresource: '', set: first.set, time: first.time };
      buckets.set(m.apiVersion, bucket);
    }
    bucket.set = union(bucket.set, m.set);
    bucket.time = m.time;
    drop.add(m);
    count--;
  }
  const out = managers.filter((m) => !drop.has(m));
  // A bucket of the same version that stays takes the merged fields.
  for (const b of buckets.values()) {
    const existing = out.findIndex((m) => m.id === b.id);
    if (existing >= 0) {
      const e = out[existing]!;
      out[existing] = { ...b, set: union(e.set, b.set), wire: undefined };
    } else out.push(b);
  }
  return out;
}
