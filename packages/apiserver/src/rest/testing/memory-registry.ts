// A small in-memory Registry for the REST face's unit tests: objects in a map, a revision
// counter, watchers called synchronously, merge and JSON patches. No validation or
// defaulting: that is the real registry's business and is tested there.
import type { KubeList, KubeObject, WatchEvent, DeleteOptions } from '@k8ts/api';
import { findResource, apiVersionOf, rfc3339 } from '@k8ts/api';
import type { ListOptions, WatchOptions, PatchType } from '@k8ts/client';
import type { DeleteResult, PatchOpts, Registry, RegistryWatch, ResourceHooks, WriteOpts } from '../../registry/types.js';
import { failure, restError, success } from '../status.js';
import { ApiError } from '@k8ts/client';

function key(resource: string, namespace: string, name: string): string {
  return `${resource}/${namespace}/${name}`;
}

function matchesLabels(obj: KubeObject, selector?: string): boolean {
  if (!selector) return true;
  const labels = obj.metadata.labels ?? {};
  return selector.split(',').every((term) => {
    const t = term.trim();
    if (t.startsWith('!')) return !(t.slice(1) in labels);
    const ne = t.split('!=');
    if (ne.length === 2) return labels[ne[0]] !== ne[1];
    const eq = t.split(/==?/);
    if (eq.length === 2) return labels[eq[0]] === eq[1];
    return t in labels;
  });
}

function matchesFields(obj: KubeObject, selector?: string): boolean {
  if (!selector) return true;
  return selector.split(',').every((term) => {
    const [field, value] = term.split('=');
    if (field === 'metadata.name') return obj.metadata.name === value;
    if (field === 'metadata.namespace') return obj.metadata.namespace === value;
    throw restError(400, 'BadRequest', `"${field}" is not a known field selector: only "metadata.name", "metadata.namespace"`);
  });
}

function mergePatch(target: any, patch: any): any {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out = target && typeof target === 'object' && !Array.isArray(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$')) continue;
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

export class MemoryRegistry implements Registry {
  readonly objects = new Map<string, KubeObject>();
  private revision = 1;
  private uid = 0;
  private watchers = new Set<{ resource: string; opts: WatchOptions; onEvent: (ev: WatchEvent) => void }>();

  private notify(resource: string, type: WatchEvent['type'], obj: KubeObject): void {
    for (const w of this.watchers) {
      if (w.resource !== resource) continue;
      if (w.opts.namespace && obj.metadata.namespace !== w.opts.namespace) continue;
      if (!matchesLabels(obj, w.opts.labelSelector) || !matchesFields(obj, w.opts.fieldSelector)) continue;
      w.onEvent({ type, object: obj });
    }
  }

  private notFound(resource: string, name: string): ApiError {
    return restError(404, 'NotFound', `${resource} "${name}" not found`, { name, kind: resource });
  }

  async get(resource: string, namespace: string, name: string): Promise<KubeObject> {
    const obj = this.objects.get(key(resource, namespace, name));
    if (!obj) throw this.notFound(resource, name);
    return structuredClone(obj);
  }

  async list(resource: string, opts: ListOptions): Promise<KubeList> {
    const info = findResource(resource)!;
    const items = [...this.objects.entries()]
      .filter(([k]) => k.startsWith(`${resource}/`))
      .map(([, o]) => o)
      .filter((o) => !opts.namespace || o.metadata.namespace === opts.namespace)
      .filter((o) => matchesLabels(o, opts.labelSelector) && matchesFields(o, opts.fieldSelector));
    return { apiVersion: apiVersionOf(info), kind: info.listKind, metadata: { resourceVersion: String(this.revision) }, items: structuredClone(items) };
  }

  async create(resource: string, namespace: string, obj: KubeObject, opts: WriteOpts = {}): Promise<KubeObject> {
    const name = obj.metadata.name ?? '';
    if (!name) throw restError(422, 'Invalid', 'name: Required value', { causes: [{ field: 'metadata.name', reason: 'FieldValueRequired', message: 'Required value' }] });
    const k = key(resource, namespace, name);
    if (this.objects.has(k)) throw restError(409, 'AlreadyExists', `${resource} "${name}" already exists`, { name, kind: resource });
    const stored: KubeObject = structuredClone(obj);
    stored.metadata = { ...stored.metadata, uid: `uid-${++this.uid}`, resourceVersion: String(++this.revision), creationTimestamp: rfc3339() };
    if (namespace) stored.metadata.namespace = namespace;
    if (opts.dryRun) return stored;
    this.objects.set(k, stored);
    this.notify(resource, 'ADDED', stored);
    return structuredClone(stored);
  }

  async guaranteedUpdate(resource: string, namespace: string, name: string, mutate: (cur: KubeObject) => KubeObject, opts: WriteOpts = {}): Promise<KubeObject> {
    const cur = this.objects.get(key(resource, namespace, name));
    if (!cur) throw this.notFound(resource, name);
    return this.update(resource, namespace, name, mutate(structuredClone(cur)), opts);
  }

  async update(resource: string, namespace: string, name: string, obj: KubeObject, opts: WriteOpts & { subresource?: string } = {}): Promise<KubeObject> {
    const k = key(resource, namespace, name);
    const cur = this.objects.get(k);
    if (!cur) throw this.notFound(resource, name);
    if (obj.metadata.resourceVersion && obj.metadata.resourceVersion !== cur.metadata.resourceVersion) {
      throw restError(409, 'Conflict', `Operation cannot be fulfilled on ${resource} "${name}": the object has been modified; please apply your changes to the latest version and try again`, { name, kind: resource });
    }
    const next: KubeObject = opts.subresource === 'status' ? { ...cur, status: obj.status } : { ...structuredClone(obj), status: cur.status };
    next.metadata = { ...(opts.subresource === 'status' ? cur.metadata : obj.metadata), uid: cur.metadata.uid, creationTimestamp: cur.metadata.creationTimestamp, resourceVersion: String(++this.revision) };
    if (opts.dryRun) return next;
    this.objects.set(k, next);
    this.notify(resource, 'MODIFIED', next);
    return structuredClone(next);
  }

  async patch(resource: string, namespace: string, name: string, patchType: PatchType, patch: string, opts: PatchOpts = {}): Promise<{ object: KubeObject; created: boolean }> {
    const k = key(resource, namespace, name);
    const cur = this.objects.get(k);
    if (patchType === 'application/json-patch+json' || patchType === 'application/apply-patch+yaml') {
      throw restError(415, 'UnsupportedMediaType', `${patchType} is not implemented by the test registry`);
    }
    if (!cur) throw this.notFound(resource, name);
    let parsed: unknown;
    try {
      parsed = JSON.parse(patch);
    } catch (e) {
      throw restError(400, 'BadRequest', `invalid patch: ${(e as Error).message}`);
    }
    if (opts.subresource === 'scale') {
      const replicas = (parsed as any)?.spec?.replicas;
      const next = { ...cur, spec: { ...cur.spec, replicas } };
      await this.update(resource, namespace, name, { ...next, metadata: { ...next.metadata, resourceVersion: undefined } });
      return { object: await this.getSubresource(resource, namespace, name, 'scale'), created: false };
    }
    const merged = mergePatch(cur, parsed) as KubeObject;
    merged.metadata = { ...merged.metadata, resourceVersion: undefined };
    return { object: await this.update(resource, namespace, name, merged, { dryRun: opts.dryRun, subresource: opts.subresource }), created: false };
  }

  async delete(resource: string, namespace: string, name: string, _opts: DeleteOptions & WriteOpts = {}): Promise<DeleteResult> {
    const k = key(resource, namespace, name);
    const cur = this.objects.get(k);
    if (!cur) throw this.notFound(resource, name);
    this.objects.delete(k);
    const gone = { ...cur, metadata: { ...cur.metadata, resourceVersion: String(++this.revision) } };
    this.notify(resource, 'DELETED', gone);
    return { object: gone, finished: true };
  }

  async deleteCollection(resource: string, namespace: string, listOpts: ListOptions): Promise<KubeList> {
    const list = await this.list(resource, { ...listOpts, namespace: namespace || listOpts.namespace });
    for (const o of list.items) await this.delete(resource, o.metadata.namespace ?? '', o.metadata.name!);
    return list;
  }

  async getSubresource(resource: string, namespace: string, name: string, subresource: string): Promise<KubeObject> {
    const obj = await this.get(resource, namespace, name);
    if (subresource !== 'scale') throw this.notFound(resource, name);
    return { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name, namespace, resourceVersion: obj.metadata.resourceVersion }, spec: { replicas: obj.spec?.replicas ?? 0 }, status: { replicas: obj.status?.replicas ?? 0 } };
  }

  async createSubresource(resource: string, namespace: string, name: string, subresource: string, body: KubeObject): Promise<KubeObject> {
    const obj = await this.get(resource, namespace, name);
    if (resource === 'pods' && subresource === 'binding') {
      await this.update(resource, namespace, name, { ...obj, spec: { ...obj.spec, nodeName: (body as any).target?.name } });
      return success(201) as unknown as KubeObject;
    }
    throw this.notFound(resource, name);
  }

  watch(resource: string, opts: WatchOptions, onEvent: (ev: WatchEvent) => void): RegistryWatch {
    if (opts.resourceVersion === '1') {
      // Older than anything this registry keeps: as etcd after compaction.
      queueMicrotask(() => onEvent({ type: 'ERROR', object: failure(410, 'Expired', 'too old resource version: 1 (2)') as unknown as KubeObject }));
      return { stop() {} };
    }
    matchesFields({ metadata: {} }, opts.fieldSelector);
    const w = { resource, opts, onEvent };
    this.watchers.add(w);
    if (opts.allowBookmarks) {
      queueMicrotask(() => onEvent({ type: 'BOOKMARK', object: { kind: findResource(resource)!.kind, apiVersion: 'v1', metadata: { resourceVersion: String(this.revision) } } }));
    }
    return { stop: () => void this.watchers.delete(w) };
  }

  watcherCount(): number {
    return this.watchers.size;
  }

  async currentRevision(): Promise<string> {
    return String(this.revision);
  }

  registerHooks(_resource: string, _hooks: ResourceHooks): void {}
}
