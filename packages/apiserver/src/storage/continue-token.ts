// The `continue` token of a paged list: the revision the first page was read at and the
// key to start the next page from, base64 JSON like kube-apiserver's (its fields are
// {"v":"meta.k8s.io/v1","rv":..,"start":..}).
import { badRequest } from '../registry/errors.js';

export interface ContinueToken {
  rv: string;
  start: string;
}

export function encodeContinue(t: ContinueToken): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: Number(t.rv), start: t.start })).toString('base64url');
}

export function decodeContinue(token: string): ContinueToken {
  try {
    const o = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (o.v !== 'meta.k8s.io/v1' || typeof o.start !== 'string' || !Number.isSafeInteger(o.rv) || !(o.rv > 0)) throw new Error('bad token');
    return { rv: String(o.rv), start: o.start };
  } catch {
    throw badRequest('invalid continue token');
  }
}
