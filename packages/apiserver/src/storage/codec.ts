// Objects are stored as their JSON without metadata.resourceVersion: the resourceVersion
// is etcd's mod revision of the key, filled in when an object is read.
import { randomUUID } from 'node:crypto';
import type { KubeObject } from '@k8ts/api';
import type { IKeyValue } from 'etcd3';
import { ApiError } from '@k8ts/client';
import { meta } from '../registry/meta.js';
import { decodedErrors } from './storable.js';

// A value no object contains, stringified where the resourceVersion goes.
const RV_FIELD = `"resourceVersion":"k8ts-rv-${randomUUID()}"`;

export interface WriteEncoding {
  /** What etcd stores: the JSON without metadata.resourceVersion. */
  stored: string;
  /** The same JSON with the resourceVersion the write got, for the answer: no second stringify. */
  withRevision(rv: string): string;
}

const replies = new WeakMap<object, string>();

/** The JSON a write produced for the object it returns (see encodeForWrite); the object must not change afterwards. */
export function rememberJson(obj: object, json: string): void {
  replies.set(obj, json);
}

/** JSON of an object a write returned, if the write kept it. */
export function cachedJson(obj: unknown): string | undefined {
  return obj && typeof obj === 'object' ? replies.get(obj) : undefined;
}

/** One JSON.stringify of the object for both the etcd value and the reply to the write. */
export function encodeForWrite(obj: KubeObject): WriteEncoding {
  const m = meta(obj);
  const had = Object.prototype.hasOwnProperty.call(m, 'resourceVersion');
  const rv = m.resourceVersion;
  m.resourceVersion = RV_FIELD.slice(19, -1);
  let json: string;
  try {
    json = JSON.stringify(obj);
  } finally {
    if (had) m.resourceVersion = rv;
    else delete m.resourceVersion;
  }
  const i = json.indexOf(RV_FIELD);
  // The store checks the envelope first (storable.ts); an object it let by still never
  // becomes a cut-up string in etcd.
  if (i < 0) throw new Error('the object to store has no metadata object');
  const end = i + RV_FIELD.length;
  let stored: string;
  if (json[i - 1] === ',') stored = json.slice(0, i - 1) + json.slice(end);
  else if (json[end] === ',') stored = json.slice(0, i) + json.slice(end + 1);
  else stored = json.slice(0, i) + json.slice(end);
  return { stored, withRevision: (revision) => `${json.slice(0, i)}"resourceVersion":${JSON.stringify(revision)}${json.slice(end)}` };
}

export function encodeObject(obj: KubeObject): string {
  const rv = obj.metadata?.resourceVersion;
  if (rv === undefined) return JSON.stringify(obj);
  const m = meta(obj);
  delete m.resourceVersion;
  try {
    return JSON.stringify(obj);
  } finally {
    m.resourceVersion = rv;
  }
}

/**
 * A value in etcd that is not an object the registry can hand out (not JSON, or JSON
 * without an object envelope): written by hand, by an older version, or damaged.
 */
export class CorruptObjectError extends ApiError {
  constructor(
    readonly key: string,
    readonly why: string,
  ) {
    // kube-apiserver answers a read of such a value with 500 InternalError too: the fault is
    // the server's, not the request's.
    const message = `Internal error occurred: data corruption: the value stored under ${key} cannot be decoded (${why}); DELETE with ignoreStoreReadErrorWithClusterBreakingPotential=true removes it`;
    super(500, 'InternalError', { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: 'InternalError', code: 500, details: { causes: [{ reason: 'CorruptObject', message: why, field: key }] } });
    this.name = 'CorruptObjectError';
  }
}

/** The object stored under `key`; CorruptObjectError when the value is not one. */
export function decodeObject(value: Buffer | string, modRevision: string, key = '?'): KubeObject {
  let obj: unknown;
  try {
    obj = JSON.parse(typeof value === 'string' ? value : value.toString('utf8'));
  } catch (err) {
    throw new CorruptObjectError(key, (err as Error).message);
  }
  const wrong = decodedErrors(obj);
  if (wrong) throw new CorruptObjectError(key, wrong);
  (obj as KubeObject).metadata.resourceVersion = modRevision;
  return obj as KubeObject;
}

export function decodeKv(kv: IKeyValue): KubeObject {
  return decodeObject(kv.value, kv.mod_revision, kv.key.toString('utf8'));
}
