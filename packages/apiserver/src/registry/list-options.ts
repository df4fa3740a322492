// Which etcd read a list is, from its resourceVersion, resourceVersionMatch, limit and
// continue, decided as kube-apiserver decides it (apimachinery's ValidateListOptions, then
// the etcd3 store's GetList):
//   resourceVersion ""                      → the newest state (a consistent etcd read)
//   "0"                                     → any state (no cache here: the newest)
//   N, match NotOlderThan                   → the newest, which must be at least N (504 if not)
//   N, match Exact                          → exactly revision N (410 once compacted)
//   N, no match: with limit Exact, without it NotOlderThan (the legacy rules)
//   continue                                → the revision kept in the token
import type { ListOptions } from '@k8ts/client';
import { fieldErrors, invalid, type FieldError } from '@k8ts/api';
import { badRequest, statusError } from './errors.js';

export type ResourceVersionMatch = 'Exact' | 'NotOlderThan';

/** ListOptions as they arrive: resourceVersionMatch still unchecked. */
export type RegistryListOptions = ListOptions;

export interface ListRead {
  /** Read at exactly this revision; undefined reads the newest. */
  revision?: string;
  /** The newest state read must be at least this revision. */
  minimum?: number;
}

/** ListOptions.meta.k8s.io validation: 422 Invalid naming every failing field. */
function validate(opts: RegistryListOptions): void {
  const match = opts.resourceVersionMatch ?? '';
  if (!match) return;
  const rv = opts.resourceVersion ?? '';
  const errs: FieldError[] = [];
  const forbid = (message: string) => errs.push(fieldErrors.forbidden('resourceVersionMatch', message));
  if (!rv) forbid('resourceVersionMatch is forbidden unless resourceVersion is provided');
  if (opts.continue) forbid('resourceVersionMatch is forbidden when continue is provided');
  if (match !== 'Exact' && match !== 'NotOlderThan') errs.push(fieldErrors.notSupported('resourceVersionMatch', match, ['Exact', 'NotOlderThan', '']));
  if (match === 'Exact' && rv === '0') forbid('resourceVersionMatch "exact" is forbidden for resourceVersion "0"');
  if (errs.length) throw invalid('ListOptions.meta.k8s.io', '', errs);
}

export function planListRead(opts: RegistryListOptions): ListRead {
  validate(opts);
  const rv = opts.resourceVersion ?? '';
  if (opts.continue) {
    if (rv && rv !== '0') throw badRequest('specifying resource version is not allowed when using continue');
    return {}; // the token carries its revision
  }
  if (!rv) return {};
  const n = parseResourceVersion(rv);
  if (n === 0) return {};
  const exact = opts.resourceVersionMatch === 'Exact' || (!opts.resourceVersionMatch && !!opts.limit && opts.limit > 0);
  return exact ? { revision: rv, minimum: n } : { minimum: n };
}

/**
 * A resourceVersion as a revision number, or 400 as ParseUint words it. Revisions past
 * JavaScript's safe integers (2^53) are out of range here: etcd reaches neither.
 */
export function parseResourceVersion(rv: string): number {
  if (!/^\d+$/.test(rv)) throw badRequest(`invalid resource version: strconv.ParseUint: parsing ${JSON.stringify(rv)}: invalid syntax`);
  const n = Number(rv);
  if (!Number.isSafeInteger(n)) throw badRequest(`invalid resource version: strconv.ParseUint: parsing ${JSON.stringify(rv)}: value out of range`);
  return n;
}

/** 504 for a resourceVersion etcd has not reached, worded as kube-apiserver words it. */
export function tooLargeResourceVersion(requested: number, current: number): Error {
  return statusError(504, 'Timeout', `Timeout: Too large resource version: ${requested}, current: ${current}`, {
    causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
    retryAfterSeconds: 1,
  });
}

export const LIST_TOO_OLD = 'The resourceVersion for the provided list is too old.';
