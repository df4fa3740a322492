import { PatchError } from '../errors.js';
import { parseJsonText } from '../decode/parse.js';

export function isPlainObject(v: unknown): v is Record<string, any> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export { deepCopy as clone } from '../helpers/objects.js';

/**
 * Parses a JSON patch body; a body that is not JSON, or nests deeper than the decoder's cap,
 * is a 400. Keys it holds twice are added to `duplicates` when given.
 */
export function parseJsonBody(patch: string | object | Uint8Array, duplicates?: string[]): unknown {
  if (typeof patch === 'string' || patch instanceof Uint8Array) {
    const text = typeof patch === 'string' ? patch : Buffer.from(patch).toString('utf8');
    try {
      const parsed = parseJsonText(text);
      duplicates?.push(...parsed.duplicates);
      return parsed.value;
    } catch (e) {
      throw new PatchError(`error decoding patch: ${(e as Error).message}`, 400);
    }
  }
  return patch;
}
