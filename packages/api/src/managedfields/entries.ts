// metadata.managedFields: one entry per manager, operation (Apply or Update), subresource and,
// for Update, apiVersion (upstream's manager identifier), each with the set it owns.
import { parseFieldsV1, type FieldSet } from './fieldset.js';

export interface ManagedFieldsEntry {
  manager?: string;
  operation: 'Apply' | 'Update';
  apiVersion?: string;
  time?: string;
  fieldsType: 'FieldsV1';
  fieldsV1: FieldSet;
  subresource?: string;
}

/** One manager's entry with its set; `wire` is the entry as stored, while it is unchanged. */
export interface Manager {
  id: string;
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time?: string;
  subresource: string;
  set: FieldSet;
  wire?: ManagedFieldsEntry;
}

export function managerId(manager: string, operation: string, apiVersion: string, subresource: string): string {
  return `${operation}\u0000${manager}\u0000${operation === 'Apply' ? '' : apiVersion}\u0000${subresource}`;
}

/**
 * The managers of a managedFields list; undefined when the list is not one (a client's
 * malformed entries are ignored in favour of what the server holds, as upstream does).
 * Sets read from etcd are trusted as canonical; a client's are checked and made canonical.
 */
export function decodeManagers(list: unknown, trusted: boolean): Manager[] | undefined {
  if (!Array.isArray(list)) return undefined;
  const out: Manager[] = [];
  const seen = new Set<string>();
  for (const e of list as unknown[]) {
    if (e === null || typeof e !== 'object' || Array.isArray(e)) return undefined;
    const w = e as Record<string, unknown>;
    const operation = w.operation;
    if (operation !== 'Apply' && operation !== 'Update') return undefined;
    if (w.fieldsType !== 'FieldsV1') return undefined;
    for (const k of ['manager', 'apiVersion', 'time', 'subresource'] as const) if (w[k] !== undefined && typeof w[k] !== 'string') return undefined;
    const set = trusted && w.fieldsV1 && typeof w.fieldsV1 === 'object' ? (w.fieldsV1 as FieldSet) : parseFieldsV1(w.fieldsV1 ?? {});
    if (!set) return undefined;
    const manager = (w.manager as string | undefined) ?? '';
    const apiVersion = (w.apiVersion as string | undefined) ?? '';
    const subresource = (w.subresource as string | undefined) ?? '';
    const id = managerId(manager, operation, apiVersion, subresource);
    if (seen.has(id)) return undefined;
    seen.add(id);
    out.push({ id, manager, operation, apiVersion, time: w.time as string | undefined, subresource, set, wire: trusted ? (e as ManagedFieldsEntry) : undefined });
  }
  return out;
}

function encodeEntry(m: Manager): ManagedFieldsEntry {
  if (m.wire) return m.wire;
  const e: ManagedFieldsEntry = { manager: m.manager, operation: m.operation, apiVersion: m.apiVersion, time: m.time, fieldsType: 'FieldsV1', fieldsV1: m.set };
  if (!m.manager) delete e.manager;
  if (!m.apiVersion) delete e.apiVersion;
  if (m.time === undefined) delete e.time;
  if (m.subresource) e.subresource = m.subresource;
  return e;
}

/** The managedFields list in upstream's order: Apply before Update, then by time, manager, version, subresource. */
export function encodeManagers(managers: readonly Manager[]): ManagedFieldsEntry[] {
  if (managers.length === 1) return [encodeEntry(managers[0]!)];
  const sorted = [...managers].sort((p, q) => {
    if (p.operation !== q.operation) return p.operation < q.operation ? -1 : 1;
    const pt = p.time ?? '';
    const qt = q.time ?? '';
    if (pt !== qt) return pt < qt ? -1 : 1;
    if (p.manager !== q.manager) return p.manager < q.manager ? -1 : 1;
    if (p.apiVersion !== q.apiVersion) return p.apiVersion < q.apiVersion ? -1 : 1;
    return p.subresource < q.subresource ? -1 : p.subresource > q.subresource ? 1 : 0;
  });
  return sorted.map(encodeEntry);
}
