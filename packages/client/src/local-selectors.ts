// Selector matching for FakeClient and the informer's local filtering. Kept behind one
// function, `objectMatcher`, so the implementation can follow @k8ts/api's parsers.
import type { KubeObject } from '@k8ts/api';
import { ApiError } from './types.js';

type LabelReq = { key: string; op: '=' | '!=' | 'in' | 'notin' | 'exists' | '!' | 'gt' | 'lt'; values: string[] };

function badSelector(message: string): ApiError {
  return new ApiError(400, 'BadRequest', { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: 'BadRequest', code: 400 });
}

// Splits on commas that are not inside parentheses: `a in (x,y),b` → [`a in (x,y)`, `b`].
function splitTopLevel(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const c of s) {
    if (c === '(') depth++;
    if (c === ')') depth--;
    if (c === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out.map((x) => x.trim()).filter((x) => x !== '');
}

export function parseLabelReqs(s: string | undefined): LabelReq[] {
  if (!s || !s.trim()) return [];
  return splitTopLevel(s).map((term) => {
    let m = /^([^\s!=<>(),]+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(term);
    if (m) return { key: m[1]!, op: m[2] as 'in' | 'notin', values: m[3]!.split(',').map((v) => v.trim()).filter((v) => v !== '' || m![3]!.trim() === '') };
    m = /^([^\s!=<>(),]+)\s*(==|=|!=|<|>)\s*([^\s!=<>(),]*)$/.exec(term);
    if (m) {
      const op = m[2] === '==' || m[2] === '=' ? '=' : m[2] === '!=' ? '!=' : m[2] === '>' ? 'gt' : 'lt';
      return { key: m[1]!, op, values: [m[3]!] };
    }
    m = /^!\s*([^\s!=<>(),]+)$/.exec(term);
    if (m) return { key: m[1]!, op: '!', values: [] };
    m = /^([^\s!=<>(),]+)$/.exec(term);
    if (m) return { key: m[1]!, op: 'exists', values: [] };
    throw badSelector(`unable to parse requirement: ${term}`);
  });
}

export function labelsMatch(reqs: LabelReq[], labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  return reqs.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    const v = l[r.key];
    switch (r.op) {
      case '=':
      case 'in':
        return has && r.values.includes(v!);
      case '!=':
      case 'notin':
        return !has || !r.values.includes(v!);
      case 'exists':
        return has;
      case '!':
        return !has;
      case 'gt':
        return has && Number(v) > Number(r.values[0]);
      case 'lt':
        return has && Number(v) < Number(r.values[0]);
    }
  });
}

type FieldReq = { field: string; op: '=' | '!='; value: string };

export function parseFieldReqs(s: string | undefined): FieldReq[] {
  if (!s || !s.trim()) return [];
  return s
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean)
    .map((term) => {
      const m = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(term);
      if (!m) throw badSelector(`invalid selector: '${s}'; can't understand '${term}'`);
      return { field: m[1]!.trim(), op: m[2] === '!=' ? '!=' : '=', value: m[3]!.trim() };
    });
}

/** The value a field selector compares: a dotted path into the object, booleans as "true"/"false", absent as "". */
export function fieldValue(obj: KubeObject, path: string): string {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (cur == null || typeof cur !== 'object') return '';
    cur = (cur as Record<string, unknown>)[part];
  }
  if (path === 'spec.unschedulable' || path === 'spec.hostNetwork') return String(Boolean(cur));
  if (path === 'source' && cur && typeof cur === 'object') return String((cur as { component?: string }).component ?? '');
  return cur == null ? '' : typeof cur === 'object' ? '' : String(cur);
}

export function fieldsMatch(reqs: FieldReq[], obj: KubeObject): boolean {
  return reqs.every((r) => (fieldValue(obj, r.field) === r.value) === (r.op === '='));
}

/** Compiles label and field selectors once; throws ApiError 400 on bad syntax. */
export function objectMatcher(labelSelector?: string, fieldSelector?: string): (obj: KubeObject) => boolean {
  const l = parseLabelReqs(labelSelector);
  const f = parseFieldReqs(fieldSelector);
  if (l.length === 0 && f.length === 0) return () => true;
  return (obj) => labelsMatch(l, obj.metadata?.labels) && fieldsMatch(f, obj);
}
