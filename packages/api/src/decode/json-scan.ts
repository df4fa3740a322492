// One pass over a JSON text before JSON.parse reads it, for what JSON.parse cannot tell:
// nesting deeper than MAX_DEPTH (the later recursive steps, and JSON.stringify, would run out
// of stack) and duplicate keys (JSON.parse silently keeps the last). Iterative, so any depth
// is safe; it allocates only for keys of objects, and builds a path only for a duplicate.

/**
 * The deepest nesting of objects and arrays a body may have. Kubernetes' JSON decoder allows
 * 10,000; k8ts's handlers recurse, so it stops at 100, far beyond any real object (a
 * Deployment with managedFields is under 20 deep).
 */
export const MAX_DEPTH = 100;

export interface JsonScan {
  /** Paths (`spec.containers[0].name`) of keys seen twice in one object, in order seen. */
  duplicates: string[];
  /** The first offending character when the text nests deeper than MAX_DEPTH. */
  tooDeep?: string;
}

interface Frame {
  /** The key or index that leads to this container from its parent ('' for the root). */
  name: string | number;
  /** Keys seen so far (objects only); a Set once there are many. */
  keys?: string[] | Set<string>;
  index: number;
  isObject: boolean;
}

const QUOTE = 34;
const BACKSLASH = 92;
const COLON = 58;

function renderPath(stack: Frame[], key: string): string {
  let out = '';
  for (let i = 1; i < stack.length; i++) out = appendSegment(out, stack[i].name);
  return appendSegment(out, key);
}

function appendSegment(path: string, seg: string | number): string {
  if (typeof seg === 'number') return `${path}[${seg}]`;
  return path ? `${path}.${seg}` : seg;
}

/** Records `key` in the object frame; true when it was already there. */
function seen(frame: Frame, key: string): boolean {
  const keys = frame.keys!;
  if (keys instanceof Set) {
    if (keys.has(key)) return true;
    keys.add(key);
    return false;
  }
  if (keys.includes(key)) return true;
  keys.push(key);
  if (keys.length > 16) frame.keys = new Set(keys);
  return false;
}

/** Scans `text` (which JSON.parse must still accept on its own; syntax is its job). */
export function scanJson(text: string, maxDepth = MAX_DEPTH): JsonScan {
  const duplicates: string[] = [];
  const stack: Frame[] = [];
  let pendingName: string | number = '';
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      // Jump to the closing quote natively: most of a body's characters are in its strings.
      const start = i + 1;
      let end = text.indexOf('"', start);
      while (end > 0 && oddBackslashesBefore(text, end)) end = text.indexOf('"', end + 1);
      if (end < 0) break; // unterminated: JSON.parse reports it
      i = end;
      const top = stack[stack.length - 1];
      if (!top?.isObject) continue;
      let j = i + 1;
      while (j < n && text.charCodeAt(j) <= 32) j++;
      if (text.charCodeAt(j) !== COLON) continue; // a value, not a key
      let key = text.slice(start, i);
      if (key.includes('\\')) key = unescape(key);
      if (seen(top, key)) duplicates.push(renderPath(stack, key));
      pendingName = key;
      continue;
    }
    if (c === 123 || c === 91) {
      // { or [
      const top = stack[stack.length - 1];
      const name = top && !top.isObject ? top.index : pendingName;
      if (stack.length >= maxDepth) return { duplicates, tooDeep: String.fromCharCode(c) };
      stack.push({ name, isObject: c === 123, keys: c === 123 ? [] : undefined, index: 0 });
    } else if (c === 125 || c === 93) {
      stack.pop();
    } else if (c === 44) {
      const top = stack[stack.length - 1];
      if (top && !top.isObject) top.index++;
    }
  }
  return { duplicates };
}

/**
 * The cheap pass parseJsonText makes first: how many keys the text holds (in every object
 * together) and whether it nests deeper than maxDepth, without building any string or frame.
 * JSON.parse keeps one key of each name per object, so a parsed value with as many keys
 * has no duplicate, and only a body that has one pays for scanJson's paths.
 */
export function countJsonKeys(text: string, maxDepth = MAX_DEPTH): { keys: number; tooDeep?: string } {
  let keys = 0;
  let depth = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      let end = text.indexOf('"', i + 1);
      while (end > 0 && oddBackslashesBefore(text, end)) end = text.indexOf('"', end + 1);
      if (end < 0) break;
      i = end;
      let j = i + 1;
      while (j < n && text.charCodeAt(j) <= 32) j++;
      if (text.charCodeAt(j) === COLON) keys++;
    } else if (c === 123 || c === 91) {
      if (depth >= maxDepth) return { keys, tooDeep: String.fromCharCode(c) };
      depth++;
    } else if (c === 125 || c === 93) {
      depth--;
    }
  }
  return { keys };
}

/** Keys in every object of a parsed JSON value (its depth already bounded by the scan). */
export function countValueKeys(v: unknown): number {
  if (v === null || typeof v !== 'object') return 0;
  let n = 0;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) n += countValueKeys(v[i]);
    return n;
  }
  const o = v as Record<string, unknown>;
  for (const k in o) n += 1 + countValueKeys(o[k]);
  return n;
}

function oddBackslashesBefore(text: string, at: number): boolean {
  let n = 0;
  while (text.charCodeAt(at - 1 - n) === BACKSLASH) n++;
  return n % 2 === 1;
}

function unescape(raw: string): string {
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    return raw;
  }
}
