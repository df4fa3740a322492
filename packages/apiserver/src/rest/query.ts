// Query parameters of resource requests, read the way kube-apiserver reads them.
import type { DeleteOptions, FieldValidation } from '@k8ts/api';
import type { RegistryListOptions } from '../registry/list-options.js';
import { badRequest, restError } from './status.js';

export function isTrue(v: string | null): boolean {
  return v === 'true' || v === '1' || v === 'True' || v === 'TRUE';
}

export function listOptions(q: URLSearchParams, namespace: string | undefined): RegistryListOptions {
  const opts: RegistryListOptions = {};
  if (namespace !== undefined) opts.namespace = namespace;
  const ls = q.get('labelSelector');
  if (ls) opts.labelSelector = ls;
  const fs = q.get('fieldSelector');
  if (fs) opts.fieldSelector = fs;
  const limit = q.get('limit');
  if (limit) {
    const n = Number(limit);
    if (!Number.isInteger(n) || n < 0) throw badRequest(`invalid limit: ${limit}`);
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
    const n = Number(t);
    if (!Number.isFinite(n) || n < 0) throw badRequest(`invalid timeoutSeconds: ${t}`);
    if (n > 0) return n * 1000;
  }
  return (30 + Math.random() * 30) * 60 * 1000;
}

/** DeleteOptions from the query string; a body, when sent, wins (as in Kubernetes). */
export function deleteOptions(q: URLSearchParams, body: unknown): DeleteOptions {
  const opts: DeleteOptions = {};
  const gp = q.get('gracePeriodSeconds');
  if (gp !== null && gp !== '') {
    const n = Number(gp);
    if (!Number.isInteger(n)) throw badRequest(`invalid gracePeriodSeconds: ${gp}`);
    opts.gracePeriodSeconds = n;
  }
  const pp = q.get('propagationPolicy');
  if (pp) opts.propagationPolicy = pp;
  const orphan = q.get('orphanDependents');
  if (orphan !== null) opts.orphanDependents = isTrue(orphan);
  if (body && typeof body === 'object') {
    const b = body as DeleteOptions & { kind?: string; apiVersion?: string };
    if (b.kind !== undefined && b.kind !== 'DeleteOptions') throw badRequest(`expected DeleteOptions, got ${b.kind}`);
    const { kind: _k, apiVersion: _a, dryRun: _d, ...fields } = b;
    Object.assign(opts, fields);
  }
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
