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

/** How Go's JSON decoder names a JSON value of the wrong type. */
function jsonType(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  return v === null ? 'null' : typeof v;
}

function wrongType(field: string, v: unknown, goType: string) {
  return badRequest(`json: cannot unmarshal ${jsonType(v)} into Go struct field DeleteOptions.${field} of type ${goType}`);
}

/**
 * The fields of a DeleteOptions body, each of its type (a 400 otherwise, as decoding it in
 * Go fails): only these are taken, so nothing else of the body reaches the registry.
 */
function deleteOptionsBody(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || Array.isArray(body)) throw badRequest(`json: cannot unmarshal ${jsonType(body)} into Go value of type v1.DeleteOptions`);
  const b = body as Record<string, unknown>;
  if (b.kind !== undefined && b.kind !== 'DeleteOptions') throw badRequest(`expected DeleteOptions, got ${String(b.kind)}`);
  const out: Record<string, unknown> = {};
  const take = (field: string, ok: (v: unknown) => boolean, goType: string) => {
    const v = b[field];
    if (v === undefined || v === null) return;
    if (!ok(v)) throw wrongType(field, v, goType);
    out[field] = v;
  };
  take('gracePeriodSeconds', (v) => Number.isSafeInteger(v), 'int64');
  take('propagationPolicy', (v) => typeof v === 'string', 'v1.DeletionPropagation');
  take('orphanDependents', (v) => typeof v === 'boolean', 'bool');
  take('ignoreStoreReadErrorWithClusterBreakingPotential', (v) => typeof v === 'boolean', 'bool');
  take('dryRun', (v) => Array.isArray(v) && v.every((x) => typeof x === 'string'), '[]string');
  for (const v of (out.dryRun as string[] | undefined) ?? []) if (v !== 'All') throw badRequest(`Invalid dryRun value: ${v}`);
  take('preconditions', (v) => typeof v === 'object' && !Array.isArray(v), 'v1.Preconditions');
  const p = out.preconditions as Record<string, unknown> | undefined;
  if (p) {
    for (const f of ['uid', 'resourceVersion']) {
      if (p[f] !== undefined && p[f] !== null && typeof p[f] !== 'string') throw wrongType(`preconditions.${f}`, p[f], 'string');
    }
    out.preconditions = { uid: p.uid ?? undefined, resourceVersion: p.resourceVersion ?? undefined };
  }
  return out;
}
