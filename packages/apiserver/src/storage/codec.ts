// Objects are stored as their JSON without metadata.resourceVersion: the resourceVersion
// is etcd's mod revision of the key, filled in when an object is read.
import type { KubeObject } from '@k8ts/api';
import type { IKeyValue } from 'etcd3';
import { meta } from '../registry/meta.js';

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
