// The fuzz test's randomness: a seeded PRNG and the mutations it applies to valid request
// bodies. A mutation names its class (wrong-type, null, deep, …) so the test can report
// which classes the server answers badly.

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
}

export interface Mutation {
  kind: string;
  path: string;
}

type Path = (string | number)[];

const UNICODE = ['ü', '😀', '\u202e', '\u0000', '\ud800', 'Ω≈ç√', '名前', '\u00a0', 'a\nb', '\\', '"', '../..', 'a/b', ''];
// Numbers JSON.stringify cannot write: spliced into the text as they stand.
const RAW_NUMBERS = ['1e400', '-1e400', '9007199254740993', '18446744073709551616', '1e-400', '-0', '0.0000000000000000000001', '123456789012345678901234567890'];
const KEYS = ['x', 'spec', 'status', 'metadata', 'name', 'kind', 'apiVersion', '__proto__', 'constructor', 'replicas', 'containers', 'ports', 'podIPs', 'conditions', '$patch', '$retainKeys', '$setElementOrder/containers', 'ü😀', ''];

function paths(obj: unknown, at: Path = []): Path[] {
  if (obj === null || typeof obj !== 'object') return [at];
  const out: Path[] = [at];
  for (const [k, v] of Object.entries(obj)) out.push(...paths(v, [...at, Array.isArray(obj) ? Number(k) : k]));
  return out;
}

class Raw {
  constructor(readonly text: string) {}
}

/** Nested lists and maps; past a few hundred levels as text (JSON.stringify itself would overflow). */
function deep(rng: Rng, depth: number): unknown {
  if (depth > 200) {
    const key = JSON.stringify(rng.pick(KEYS));
    return rng.chance(0.5) ? new Raw(`${'['.repeat(depth)}1${']'.repeat(depth)}`) : new Raw(`${`{${key}:`.repeat(depth)}1${'}'.repeat(depth)}`);
  }
  let v: unknown = rng.pick([1, 'x', null, {}, []]);
  for (let i = 0; i < depth; i++) v = rng.chance(0.5) ? [v] : { [rng.pick(KEYS)]: v };
  return v;
}

function randomValue(rng: Rng): unknown {
  switch (rng.int(12)) {
    case 0: return null;
    case 1: return rng.pick([0, -1, 1.5, 2 ** 31, 2 ** 53, -(2 ** 63), 1e308, Number.MIN_VALUE]);
    case 2: return rng.chance(0.5);
    case 3: return rng.pick(UNICODE);
    case 4: return [];
    case 5: return {};
    case 6: return [rng.pick([1, 'x', null, {}])];
    case 7: return { [rng.pick(KEYS)]: rng.pick([1, 'x', null, {}, []]) };
    case 8: return new Raw(rng.pick(RAW_NUMBERS));
    case 9: return 'x'.repeat(rng.pick([64, 254, 64 * 1024]));
    case 10: return deep(rng, rng.int(40));
    default: return rng.pick(['true', '1', '100m', '10.0.0.1', 'Always', 'TCP', '2026-01-01T00:00:00Z', 'not a time']);
  }
}

function setAt(obj: any, path: Path, value: unknown): any {
  if (!path.length) return value;
  let o = obj;
  for (const k of path.slice(0, -1)) o = o[k];
  if (value === undefined) {
    if (Array.isArray(o)) o.splice(Number(path[path.length - 1]), 1);
    else delete o[path[path.length - 1]!];
  } else o[path[path.length - 1]!] = value;
  return obj;
}

/** The object's JSON with Raw values spliced in as they stand. */
function serialize(obj: unknown): string {
  const raws: string[] = [];
  const text = JSON.stringify(obj, (_k, v) => (v instanceof Raw ? `\u0001RAW${raws.push(v.text) - 1}\u0001` : v));
  return text.replace(/"\\u0001RAW(\d+)\\u0001"/g, (_m, i) => raws[Number(i)]!);
}

/** Applies 0–3 random mutations to a copy of `body` and returns the request body's text. */
export function mutateBody(rng: Rng, body: Record<string, any> | unknown[], mutations: Mutation[]): string {
  let obj: any = structuredClone(body);
  const n = rng.chance(0.05) ? 0 : 1 + rng.int(3);
  let textual: ((s: string) => string) | undefined;
  for (let i = 0; i < n; i++) {
    const all = paths(obj);
    const p = rng.pick(all);
    const where = p.join('.') || '(root)';
    const kind = rng.pick(['wrong-type', 'wrong-type', 'wrong-type', 'null', 'delete', 'unknown-field', 'huge-number', 'deep', 'unicode', 'duplicate-field', 'name', 'broken-json', 'non-object'] as const);
    mutations.push({ kind, path: where });
    switch (kind) {
      case 'wrong-type':
        obj = setAt(obj, p, randomValue(rng));
        break;
      case 'null':
        obj = setAt(obj, p, null);
        break;
      case 'delete':
        if (p.length) obj = setAt(obj, p, undefined);
        break;
      case 'unknown-field': {
        const objects = all.filter((q) => {
          const v = q.reduce((o: any, k) => o?.[k], obj);
          return v && typeof v === 'object' && !Array.isArray(v);
        });
        if (objects.length) obj = setAt(obj, [...rng.pick(objects), rng.pick(KEYS) + (rng.chance(0.5) ? '' : 'Extra')], randomValue(rng));
        break;
      }
      case 'huge-number':
        obj = setAt(obj, p, new Raw(rng.pick(RAW_NUMBERS)));
        break;
      case 'deep':
        obj = setAt(obj, p, deep(rng, rng.pick([50, 500, 3000, rng.chance(0.1) ? 20000 : 100])));
        break;
      case 'unicode':
        obj = setAt(obj, p, rng.pick(UNICODE) + rng.pick(UNICODE));
        break;
      case 'name':
        if (obj && typeof obj === 'object' && !Array.isArray(obj)) {
          const m = obj.metadata && typeof obj.metadata === 'object' ? obj.metadata : (obj.metadata = {});
          if (!Array.isArray(m)) m[rng.pick(['name', 'namespace', 'generateName', 'resourceVersion', 'uid'])] = rng.pick([...UNICODE, 'x'.repeat(300), 'UPPER', 'a.b', '-a', 5, null, ['a']]);
        }
        break;
      case 'duplicate-field': {
        // JSON with a key twice: the text says `"key":<a>,"key":<b>` in the top-level object.
        const key = rng.pick(['metadata', 'spec', 'status', 'kind', 'apiVersion', 'data']);
        const dup = serialize(randomValue(rng));
        textual = (s) => (s.startsWith('{') && s.length > 2 ? `{${JSON.stringify(key)}:${dup},${s.slice(1)}` : s);
        break;
      }
      case 'broken-json': {
        const cut = rng.int(3);
        textual = (s) => (cut === 0 ? s.slice(0, Math.max(1, rng.int(s.length))) : cut === 1 ? `${s}}` : s.replace(/:/, ''));
        break;
      }
      case 'non-object':
        obj = rng.pick([[obj], 1, 'x', null, true, []]);
        break;
    }
  }
  const text = serialize(obj);
  return textual ? textual(text) : text;
}
