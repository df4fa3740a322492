// Query parameters of resource requests, read the way kube-apiserver reads them.
import type { DeleteOptions, FieldValidation } from '@k8ts/api';
import type { RegistryListOptions } from '../registry/list-options.js';
import { badRequest, restError } from './status.js';

export function isTrue(v: string | null): boolean {
  return v === 'true' || v === '1' || v === 'True' || v === 'TRUE';
}

/** Go's strconv.ParseBool, as query parameters are converted: anything else is a 400. */
export function parseBool(name: string, v: string): boolean {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
  throw badRequest(`${name}: strconv.ParseBool: parsing ${JSON.stringify(v)}: invalid syntax`);
}

/** An int64 query parameter as Go's strconv.ParseInt reads it (within JavaScript's safe integers). */
export function parseInteger(name: string, v: string): number {
  const n = /^[+-]?\d+$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n)) throw badRequest(`invalid ${name}: strconv.ParseInt: parsing ${JSON.stringify(v)}: invalid syntax`);
  return n;
}

/** The longest timer Node keeps (a longer one fires at once). */
const MAX_TIMER_MS = 2 ** 31 - 1;

export function listOptions(q: URLSearchParams, namespace: string | undefined): RegistryListOptions {
  const opts: RegistryListOptions = {};
  if (namespace !== undefined) opts.namespace = namespace;
  const ls = q.get('labelSelector');
  if (ls) opts.labelSelector = ls;
  const fs = q.get('fieldSelector');
  if (fs) opts.fieldSelector = fs;
  const limit = q.get('limit');
  if (limit) {
    const n = parseInteger('limit', limit);
    if (n < 0) throw badRequest(`invalid limit: ${limit}`);
    if (n > 0) opts.limit = n;
  }
  const cont = q.get('continue');
  if (cont) opts.continue = cont;
  const rv = q.get('resourceVersion');
  if (rv) opts.resourceVersion = rv;
  const match = q.get('resourceVersionMatch');
  if (match) opts.resourceVersionMatch = match;
  return opts;
}

export function isWatch(q: URLSearchParams): boolean {
  return isTrue(q.get('watch'));
}

export function dryRun(q: URLSearchParams): boolean {
  const values = q.getAll('dryRun');
  for (const v of values) {
    if (v !== 'All') throw badRequest(`Invalid dryRun value: ${v}`);
  }
  return values.length > 0;
}

/** timeoutSeconds for watches; absent: a random 30–60 minutes, as kube-apiserver picks. */
export function watchTimeoutMs(q: URLSearchParams): number {
  const t = q.get('timeoutSeconds');
  if (t) {
    const n = parseInteger('timeoutSeconds', t);
    if (n < 0) throw badRequest(`invalid timeoutSeconds: ${t}`);
    if (n > 0) return Math.min(n * 1000, MAX_TIMER_MS);
  }
  return (30 + Math.random() * 30) * 60 * 1000;
}

/** DeleteOptions from the query string; a body, when sent, wins (as in Kubernetes). */
export function deleteOptions(q: URLSearchParams, body: unknown): DeleteOptions {
  const opts: DeleteOptions & { ignoreStoreReadErrorWithClusterBreakingPotential?: boolean } = {};
  const gp = q.get('gracePeriodSeconds');
  if (gp !== null && gp !== '') opts.gracePeriodSeconds = parseInteger('gracePeriodSeconds', gp);
  const pp = q.get('propagationPolicy');
  if (pp) opts.propagationPolicy = pp;
  const orphan = q.get('orphanDependents');
  if (orphan !== null && orphan !== '') opts.orphanDependents = parseBool('orphanDependents', orphan);
  const unsafe = q.get('ignoreStoreReadErrorWithClusterBreakingPotential');
  if (unsafe !== null && unsafe !== '') opts.ignoreStoreReadErrorWithClusterBreakingPotential = parseBool('ignoreStoreReadErrorWithClusterBreakingPotential', unsafe);
  if (body !== undefined && body !== null) Object.assign(opts, deleteOptionsBody(body));
  if (opts.propagationPolicy && !['Orphan', 'Background', 'Foreground'].includes(opts.propagationPolicy)) {
    throw badRequest(`propagationPolicy: Unsupported value: "${opts.propagationPolicy}": supported values: "Foreground", "Background", "Orphan"`);
  }
  return opts;
}

/**
 * The fieldValidation parameter of a write (absent: Warn, the server's default); any other
 * value is a 422 on the verb's options, as kube-apiserver validates them.
 */
export function fieldValidation(q: URLSearchParams, options: 'CreateOptions' | 'UpdateOptions' | 'PatchOptions'): FieldValidation {
  const v = q.get('fieldValidation') ?? '';
  if (v === '') return 'Warn';
  if (v === 'Ignore' || v === 'Warn' || v === 'Strict') return v;
  const message = `fieldValidation: Unsupported value: ${JSON.stringify(v)}: supported values: "", "Ignore", "Strict", "Warn"`;
  throw restError(422, 'Invalid', `${options}.meta.k8s.io "" is invalid: ${message}`, {
    group: 'meta.k8s.io',
    kind: options,
    causes: [{ reason: 'FieldValueNotSupported', message: `Unsupported value: ${JSON.stringify(v)}: supported values: "", "Ignore", "Strict", "Warn"`, field: 'fieldValidation' }],
  });
}

const DELETE_OPTION_FIELDS = ['gracePeriodSeconds', 'propagationPolicy', 'orphanDependents', 'ignoreStoreReadErrorWithClusterBreakingPotential', 'dryRun', 'preconditions'] as const;

/**
 * The fields of a DeleteOptions body the registry reads. The body was decoded against the
 * schema first (registry/decode.ts decodeDeleteOptions: types, kind, dryRun values), so only
 * these are taken and nothing else of it reaches the registry.
 */
function deleteOptionsBody(body: unknown): Record<string, unknown> {
  const b = body as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const f of DELETE_OPTION_FIELDS) if (b[f] !== undefined && b[f] !== null) out[f] = b[f];
  return out;
}
