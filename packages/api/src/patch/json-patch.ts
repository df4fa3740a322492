// RFC 6902 JSON patch (application/json-patch+json) through fast-json-patch.
import jsonpatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { PatchError } from '../errors.js';
import { clone } from './json.js';

const ops = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);

export function applyJsonPatch(original: object, patch: unknown): object {
  if (!Array.isArray(patch)) throw new PatchError('json: cannot unmarshal object into Go value of type jsonpatch.Patch', 400);
  patch.forEach((op, i) => {
    if (op === null || typeof op !== 'object' || !ops.has((op as { op?: string }).op ?? ''))
      throw new PatchError(`Unexpected kind: ${JSON.stringify((op as { op?: string })?.op ?? null)} in operation ${i}`, 400);
    if (typeof (op as { path?: unknown }).path !== 'string') throw new PatchError(`operation ${i}: missing path`, 400);
  });
  try {
    const res = jsonpatch.applyPatch(clone(original), patch as Operation[], true, true, true);
    const doc = res.newDocument;
    if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new PatchError('the patched document is not an object', 422);
    return doc;
  } catch (e) {
    if (e instanceof PatchError) throw e;
    const err = e as { name?: string; message: string; operation?: { op: string; path: string } };
    // evanphx/json-patch words the common failures like this; kubectl shows them verbatim.
    let msg = err.message.split('\n')[0] ?? err.message;
    if (err.name === 'OPERATION_PATH_UNRESOLVABLE' || /path.*(cannot|does not exist|unresolvable)/i.test(msg))
      msg = `the server rejected our request due to an error in our request: ${err.operation ? `${err.operation.op} operation does not apply: doc is missing path: "${err.operation.path}"` : msg}`;
    else if (err.name === 'TEST_OPERATION_FAILED') msg = `the server rejected our request due to an error in our request: testing value ${err.operation?.path ?? ''} failed: test failed`;
    throw new PatchError(msg, 422);
  }
}
