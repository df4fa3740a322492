import { PatchError } from '../errors.js';

export function isPlainObject(v: unknown): v is Record<string, any> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function clone<T>(v: T): T {
  return v === undefined ? v : structuredClone(v);
}

/** Parses a JSON patch body; a body that is not JSON is a 400. */
export function parseJsonBody(patch: string | object | Uint8Array): unknown {
  if (typeof patch === 'string' || patch instanceof Uint8Array) {
    const text = typeof patch === 'string' ? patch : Buffer.from(patch).toString('utf8');
    try {
      return JSON.parse(text);
    } catch (e) {
      throw new PatchError(`error decoding patch: ${(e as Error).message}`, 400);
    }
  }
  return patch;
}
