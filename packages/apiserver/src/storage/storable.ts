// What the store may write: an object whose envelope the apiserver and every reader of etcd
// rely on (a JSON object with string apiVersion and kind and an ObjectMeta of the right
// shapes, named as its key says). Validation checks much more and earlier; this is the last
// line, so that no path through the registry (patches, subresources, hooks, a validation
// gap) can put a value in etcd that the next read, list or watch cannot decode.
import { fieldErrors, type FieldError } from '@k8ts/api';

const { invalid, required } = fieldErrors;

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringMap(field: string, v: unknown, errs: FieldError[]): void {
  if (v === undefined || v === null) return;
  if (!isPlainObject(v)) {
    errs.push(invalid(field, v, 'must be a map of strings'));
    return;
  }
  for (const k in v) {
    const x = v[k];
    if (typeof x !== 'string') errs.push(invalid(`${field}[${k}]`, x, 'must be a string'));
  }
}

function stringField(f: string, v: unknown, errs: FieldError[]): void {
  if (v !== undefined && typeof v !== 'string') errs.push(invalid(`metadata.${f}`, v, 'must be a string'));
}

function integerField(f: string, v: unknown, errs: FieldError[]): void {
  if (v !== undefined && v !== null && !Number.isSafeInteger(v)) errs.push(invalid(`metadata.${f}`, v, 'must be an integer'));
}

function objectListField(f: string, v: unknown, errs: FieldError[]): void {
  if (v !== undefined && v !== null && !(Array.isArray(v) && v.every(isPlainObject))) errs.push(invalid(`metadata.${f}`, v, 'must be a list of objects'));
}

/** The last segment of an etcd key: the object's name. */
function keyName(key: string): string {
  return key.slice(key.lastIndexOf('/') + 1);
}

/** Why `obj` may not be stored under `key`; empty when it may. */
export function storableErrors(key: string, obj: unknown): FieldError[] {
  if (!isPlainObject(obj)) return [invalid('', obj === null ? null : Array.isArray(obj) ? 'array' : typeof obj, 'the object must be a JSON object')];
  const errs: FieldError[] = [];
  if (typeof obj.apiVersion !== 'string' || !obj.apiVersion) errs.push(required('apiVersion', 'must be a non-empty string'));
  if (typeof obj.kind !== 'string' || !obj.kind) errs.push(required('kind', 'must be a non-empty string'));
  const m = obj.metadata;
  if (!isPlainObject(m)) {
    errs.push(invalid('metadata', Array.isArray(m) ? 'array' : m === undefined ? null : m, 'must be an object'));
    return errs;
  }
  // Named reads, not m[f] over a list: every write passes here, and keyed reads of objects of
  // many shapes are the slow kind.
  stringField('name', m.name, errs);
  stringField('namespace', m.namespace, errs);
  stringField('generateName', m.generateName, errs);
  stringField('uid', m.uid, errs);
  stringField('resourceVersion', m.resourceVersion, errs);
  stringField('creationTimestamp', m.creationTimestamp, errs);
  if (m.deletionTimestamp !== null) stringField('deletionTimestamp', m.deletionTimestamp, errs);
  stringField('selfLink', m.selfLink, errs);
  integerField('generation', m.generation, errs);
  integerField('deletionGracePeriodSeconds', m.deletionGracePeriodSeconds, errs);
  if (typeof m.name !== 'string' || !m.name) errs.push(required('metadata.name', 'name is required'));
  else if (m.name !== keyName(key)) errs.push(invalid('metadata.name', m.name, `does not match the storage key ${key}`));
  if (typeof m.namespace === 'string' && m.namespace.includes('/')) errs.push(invalid('metadata.namespace', m.namespace, 'must not contain "/"'));
  stringMap('metadata.labels', m.labels, errs);
  stringMap('metadata.annotations', m.annotations, errs);
  if (m.finalizers !== undefined && m.finalizers !== null && !(Array.isArray(m.finalizers) && m.finalizers.every((f) => typeof f === 'string'))) {
    errs.push(invalid('metadata.finalizers', m.finalizers, 'must be a list of strings'));
  }
  objectListField('ownerReferences', m.ownerReferences, errs);
  objectListField('managedFields', m.managedFields, errs);
  return errs;
}

/**
 * Whether a value read from etcd is an object the registry can hand out: the same envelope
 * checks, except the name, which only has to be a string (objects written by an older
 * version or by hand keep their key's last segment as name).
 */
export function decodedErrors(obj: unknown): string | undefined {
  if (!isPlainObject(obj)) return 'the value is not a JSON object';
  const m = obj.metadata;
  if (!isPlainObject(m)) return 'metadata is not an object';
  if (typeof m.name !== 'string') return 'metadata.name is not a string';
  if (m.namespace !== undefined && typeof m.namespace !== 'string') return 'metadata.namespace is not a string';
  return undefined;
}
