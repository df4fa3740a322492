// Create: the object as the strategy prepares, defaults and validates it, in an admitting
// namespace; a generated name is drawn again when taken.
import { randomUUID } from 'node:crypto';
import { apiVersionOf, type KubeObject, type ResourceInfo } from '@k8ts/api';
import { ApiError } from '@k8ts/client';
import type { WriteOpts } from './types.js';
import type { RegistryCore } from './core.js';
import { objectKey } from '../storage/keys.js';
import * as errs from './errors.js';
import { meta } from './meta.js';
import { nowTime } from './time.js';
import { generateName } from './names.js';
import { prepareForCreate } from './strategy.js';
import { checkNamespaceAdmits, SYSTEM_NAMESPACES } from './namespaces.js';
import { applyDefaults, defaultPodTolerations, validate } from './api-calls.js';
import { decodeWrite } from './decode.js';
import { checkFieldManager, isApplied, recordWrite } from './managed-fields.js';

export async function create(reg: RegistryCore, resource: string, namespace: string, obj: KubeObject, opts: WriteOpts = {}): Promise<KubeObject> {
  const info = reg.resourceInfo(resource, true);
  checkFieldManager(opts.fieldManager, 'CreateOptions');
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw errs.badRequest('the request body must be an object');
  decodeWrite(info, obj, opts);
  const m = meta(obj);
  let ns = '';
  if (info.namespaced) {
    if (m.namespace && namespace && m.namespace !== namespace) {
      throw errs.badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    ns = namespace || m.namespace || 'default';
    m.namespace = ns;
  } else {
    delete m.namespace;
  }
  checkKind(info, obj);
  obj.apiVersion = apiVersionOf(info);
  obj.kind = info.kind;
  if (info.virtual) return answerVirtual(reg, info, ns, obj, opts);
  if (info.custom?.terminating) throw errs.methodNotAllowed('create not allowed while custom resource definition is terminating');
  delete m.resourceVersion;
  delete m.deletionTimestamp;
  delete m.deletionGracePeriodSeconds;
  delete m.selfLink;
  m.uid = randomUUID();
  m.creationTimestamp = nowTime();
  m.generation = 1;
  const generated = !m.name && !!m.generateName;
  if (generated) m.name = generateName(m.generateName!);
  if (!m.name) {
    throw errs.invalid(info.kind, '', [{ field: 'metadata.name', message: 'Required value: name or generateName is required', type: 'FieldValueRequired' }], info.group || undefined);
  }
  prepareForCreate(info, obj);
  applyDefaults(resource, obj);
  if (resource === 'pods') {
    defaultPodTolerations(obj, reg.tolerationSeconds);
    prepareForCreate(info, obj); // the QoS class reads the defaulted resources
  }
  const review = { operation: 'CREATE' as const, resource, subresource: '', namespace: ns, name: m.name, object: obj, user: opts.user, dryRun: !!opts.dryRun, warnings: opts.warnings };
  if (!reg.admission.empty) await reg.admission.admit(review);
  validate(resource, obj);
  if (info.namespaced) await admitNamespace(reg, ns, resource, m.name);
  if (!reg.admission.empty) await reg.admission.validate(review);
  for (const h of reg.hooksOf(resource)) await h.beforeCreate?.(obj);
  if (!isApplied(obj)) recordWrite(info, undefined, obj, '', opts);
  if (opts.dryRun) return obj;
  for (let attempt = 0; ; attempt++) {
    const r = await reg.store.create(objectKey(resource, ns, m.name), obj);
    if (r.ok) return r.object;
    if (!generated || attempt >= 5) throw errs.alreadyExists(resource, m.name);
    m.name = generateName(m.generateName!);
  }
}

async function answerVirtual(reg: RegistryCore, info: ResourceInfo, ns: string, obj: KubeObject, opts: WriteOpts): Promise<KubeObject> {
  const answer = reg.virtual.get(info.resource);
  if (!answer) throw errs.statusError(404, 'NotFound', 'the server could not find the requested resource');
  return answer(obj, ns, opts.user);
}

export function checkKind(info: ResourceInfo, obj: KubeObject): void {
  if (obj.kind && obj.kind !== info.kind) {
    throw errs.badRequest(`the kind of the provided object (${obj.kind}) does not match the resource ${info.resource} (${info.kind})`);
  }
}

export async function admitNamespace(reg: RegistryCore, namespace: string, resource: string, name: string): Promise<void> {
  if (reg.namespaces?.isActive(namespace)) return;
  const ns = await reg.store.get(objectKey('namespaces', '', namespace));
  checkNamespaceAdmits(ns, namespace, resource, name);
}


/** Creates the namespaces every cluster has, when missing. */
export async function ensureSystemNamespaces(reg: RegistryCore): Promise<void> {
  for (const name of SYSTEM_NAMESPACES) {
    try {
      await create(reg, 'namespaces', '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 409)) throw err;
    }
  }
}
