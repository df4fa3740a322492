// Path elements: how one step into an object is named in a field set (`f:`, `k:`, `v:`, `i:`)
// and in a conflict message (`.spec`, `[name="web"]`, `[="x"]`, `[0]`).
import { PatchError } from '../errors.js';

/** Values a list-map key takes when an item leaves it out: upstream's schema defaults. */
const KEY_DEFAULTS: Record<string, unknown> = { protocol: 'TCP' };

// Struct field names repeat on every write; their elements are made once (a bounded cache,
// since map keys such as labels come from clients).
const FIELD_ELEMENTS = new Map<string, string>();
const FIELD_ELEMENTS_MAX = 4096;

export function fieldElement(name: string): string {
  let el = FIELD_ELEMENTS.get(name);
  if (el === undefined) {
    el = `f:${name}`;
    if (FIELD_ELEMENTS.size < FIELD_ELEMENTS_MAX) FIELD_ELEMENTS.set(name, el);
  }
  return el;
}

export class KeyError extends PatchError {
  constructor(message: string) {
    super(message, 422);
  }
}

/** The `k:` element of an item of a list keyed by `keys` (sorted by key name, as upstream). */
export function keyElement(item: unknown, keys: readonly string[]): string {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) {
    throw new KeyError(`associative list with keys has an element that is not a map type`);
  }
  const o = item as Record<string, unknown>;
  if (keys.length === 1) {
    const k = keys[0]!;
    const v = o[k] ?? KEY_DEFAULTS[k];
    if (v === undefined || v === null || typeof v === 'object') throw new KeyError(`associative list with keys has an element that omits key field "${k}"`);
    return `k:{${JSON.stringify(k)}:${JSON.stringify(v)}}`;
  }
  const parts: string[] = [];
  for (const k of [...keys].sort()) {
    const v = o[k] ?? KEY_DEFAULTS[k];
    if (v === undefined || v === null || typeof v === 'object') throw new KeyError(`associative list with keys has an element that omits key field "${k}"`);
    parts.push(`${JSON.stringify(k)}:${JSON.stringify(v)}`);
  }
  return `k:{${parts.join(',')}}`;
}

/** The `v:` element of an item of a set. */
export function valueElement(item: unknown): string {
  if (item !== null && typeof item === 'object') throw new KeyError('associative list without keys has an element that is a map or list type');
  return `v:${JSON.stringify(item)}`;
}

/** A path of elements as structured-merge-diff prints it: `.spec.containers[name="web"].image`. */
export function pathString(path: readonly string[]): string {
  let out = '';
  for (const e of path) {
    const body = e.slice(2);
    switch (e[0]) {
      case 'f':
        out += `.${body}`;
        break;
      case 'k': {
        let fields: Record<string, unknown> = {};
        try {
          fields = JSON.parse(body) as Record<string, unknown>;
        } catch {
          /* an unreadable key prints empty */
        }
        out += `[${Object.keys(fields).sort().map((k) => `${k}=${JSON.stringify(fields[k])}`).join(',')}]`;
        break;
      }
      case 'v':
        out += `[=${body}]`;
        break;
      default:
        out += `[${body}]`;
    }
  }
  return out;
}
