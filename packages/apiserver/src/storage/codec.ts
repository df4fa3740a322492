// Objects are stored as their JSON without metadata.resourceVersion: the resourceVersion
// is etcd's mod revision of the key, filled in when an object is read.
import { randomUUID } from 'node:crypto';
import type { KubeObject } from '@k8ts/api';
import type { IKeyValue } from 'etcd3';
import { meta } from '../registry/meta.js';

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

export function decodeObject(value: Buffer | string, modRevision: string): KubeObject {
  const obj = JSON.parse(typeof value === 'string' ? value : value.toString('utf8')) as KubeObject;
  meta(obj).resourceVersion = modRevision;
  return obj;
}

export function decodeKv(kv: IKeyValue): KubeObject {
  return decodeObject(kv.value, kv.mod_revision);
}
