// controller.ComputeHash: FNV-1a (32 bit) over the template plus collisionCount, printed
// as a decimal and passed through rand.SafeEncodeString (vowels and look-alikes removed so
// names never spell words). Kubernetes hashes Go's spew dump of the typed struct; we hash
// canonical JSON (keys sorted), so values differ from a real cluster's but keep its shape.
import { semanticForm } from './objects.js';

const alphanums = 'bcdfghjklmnpqrstvwxz2456789';

function canonical(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
    .join(',')}}`;
}

export function fnv32a(s: string): number {
  let h = 0x811c9dc5;
  const bytes = Buffer.from(s, 'utf8');
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export function safeEncodeString(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += alphanums[s.charCodeAt(i) % alphanums.length];
  return out;
}

export function computeHash(template: unknown, collisionCount?: number): string {
  let s = canonical(semanticForm(template) ?? {});
  if (collisionCount != null) s += `#${collisionCount}`;
  return safeEncodeString(String(fnv32a(s)));
}
