// The JSONPath of printer columns and selectable fields (`.spec.replicas`,
// `.status.conditions[?(@.type=="Ready")].status`, `.spec.items[0].name`, `.spec.x[*].y`):
// the subset of client-go's jsonpath that CRDs use, parsed once and evaluated to every
// value it finds.

export type PathStep =
  | { kind: 'field'; name: string }
  | { kind: 'index'; index: number }
  | { kind: 'all' }
  | { kind: 'filter'; field: string[]; value: string | number | boolean };

const cache = new Map<string, PathStep[] | undefined>();

/** The steps of `path`, or undefined when it is not in the subset. */
export function parseJsonPath(path: string): PathStep[] | undefined {
  if (cache.has(path)) return cache.get(path);
  const steps = parse(path.startsWith('{') && path.endsWith('}') ? path.slice(1, -1) : path);
  if (cache.size > 2000) cache.clear();
  cache.set(path, steps);
  return steps;
}

const FIELD = /^\.([A-Za-z0-9_\-/]+|'[^']*'|"[^"]*")/;
const BRACKET = /^\[(\d+|\*|'[^']*'|"[^"]*"|\?\(@((?:\.[A-Za-z0-9_\-]+)+)\s*==\s*("[^"]*"|'[^']*'|-?\d+(?:\.\d+)?|true|false)\))\]/;

function unquote(s: string): string {
  return s.startsWith('"') || s.startsWith("'") ? s.slice(1, -1) : s;
}

function parse(path: string): PathStep[] | undefined {
  if (!path.startsWith('.') || path.length > 512) return undefined;
  const steps: PathStep[] = [];
  let rest = path;
  while (rest) {
    let m = FIELD.exec(rest);
    if (m) {
      steps.push({ kind: 'field', name: unquote(m[1]!) });
      rest = rest.slice(m[0].length);
      continue;
    }
    m = BRACKET.exec(rest);
    if (!m) return undefined;
    const inner = m[1]!;
    if (inner === '*') steps.push({ kind: 'all' });
    else if (/^\d+$/.test(inner)) steps.push({ kind: 'index', index: Number(inner) });
    else if (m[2]) {
      const raw = m[3]!;
      const value = raw === 'true' ? true : raw === 'false' ? false : /^["']/.test(raw) ? unquote(raw) : Number(raw);
      steps.push({ kind: 'filter', field: m[2].slice(1).split('.'), value });
    } else steps.push({ kind: 'field', name: unquote(inner) });
    rest = rest.slice(m[0].length);
  }
  return steps;
}

function own(o: unknown, k: string): unknown {
  return o && typeof o === 'object' && !Array.isArray(o) && Object.hasOwn(o, k) ? (o as Record<string, unknown>)[k] : undefined;
}

/** Every value `steps` reaches in `obj` (none when a step finds nothing). */
export function evalJsonPath(steps: readonly PathStep[], obj: unknown): unknown[] {
  let cur: unknown[] = [obj];
  for (const s of steps) {
    const next: unknown[] = [];
    for (const v of cur) {
      if (s.kind === 'field') {
        const x = own(v, s.name);
        if (x !== undefined) next.push(x);
      } else if (s.kind === 'index') {
        if (Array.isArray(v) && s.index < v.length) next.push(v[s.index]);
      } else if (s.kind === 'all') {
        if (Array.isArray(v)) next.push(...v);
        else if (v && typeof v === 'object') next.push(...Object.values(v));
      } else if (Array.isArray(v)) {
        for (const item of v) {
          let x: unknown = item;
          for (const f of s.field) x = own(x, f);
          if (x === s.value) next.push(item);
        }
      }
    }
    cur = next;
  }
  return cur;
}
