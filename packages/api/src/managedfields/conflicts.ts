// The 409 of an apply that would change fields other managers own, in upstream's words
// (NewConflictError): one cause of type FieldManagerConflict per field.
import { members, type FieldSet } from './fieldset.js';
import { pathString } from './elements.js';
import type { Manager } from './entries.js';
import { ApiError, failureStatus } from '../errors.js';

export interface Conflict {
  manager: Manager;
  set: FieldSet;
}

function printManager(m: Manager): string {
  let s = JSON.stringify(m.manager);
  if (m.subresource) s += ` with subresource ${JSON.stringify(m.subresource)}`;
  if (m.operation === 'Update') s += ` using ${m.apiVersion}`;
  return s;
}

export class ApplyConflictError extends ApiError {
  constructor(conflicts: readonly Conflict[]) {
    const byManager = [...conflicts].sort((a, b) => (printManager(a.manager) < printManager(b.manager) ? -1 : 1));
    const rows: { manager: string; field: string }[] = [];
    for (const c of byManager) for (const p of members(c.set)) rows.push({ manager: printManager(c.manager), field: pathString(p) });
    let message: string;
    if (rows.length === 1) message = `Apply failed with 1 conflict: conflict with ${rows[0]!.manager}: ${rows[0]!.field}`;
    else {
      const lines: string[] = [];
      let last = '';
      for (const r of rows) {
        if (r.manager !== last) lines.push(`conflicts with ${r.manager}:`);
        last = r.manager;
        lines.push(`- ${r.field}`);
      }
      message = `Apply failed with ${rows.length} conflicts: ${lines.join('\n')}`;
    }
    super(409, 'Conflict', failureStatus(409, 'Conflict', message, { causes: rows.map((r) => ({ type: 'FieldManagerConflict', message: `conflict with ${r.manager}`, field: r.field })) }));
    this.name = 'ApplyConflictError';
  }
}
