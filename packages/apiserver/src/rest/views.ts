// A resource's other served versions (ResourceInfo.viewOf: autoscaling/v1 of
// horizontalpodautoscalers). kube-apiserver decodes each request from its version into the
// internal one and stores the storage version; k8ts has one version inside, the stored
// one, and converts at this edge: bodies in to it, objects, lists and watch events out of
// it. A patch is applied to the view's form of the object (as upstream applies it to the
// versioned object), then stored through an update that holds the resourceVersion read.
import { apiError, findResource, fromStoredVersion, toStoredVersion, type KubeList, type KubeObject, type ResourceInfo } from '@k8ts/api';
import { ApiError } from '@k8ts/client';
import type { Registry } from '../registry/types.js';
import { applyPatch } from '../registry/api-calls.js';
import { decodeWrite } from '../registry/decode.js';
import type { WriteOpts } from '../registry/types.js';

const PATCH_ATTEMPTS = 8;

function convertList(view: ResourceInfo, list: KubeList): KubeList {
  return { ...list, apiVersion: `${view.group}/${view.version}`, kind: view.listKind, items: list.items.map((o) => fromStoredVersion(view, o)) };
}

/**
 * The registry as a view's requests see it: `resource` is the view's key, every call goes
 * to the stored resource. `convert` false (Table and metadata answers): objects go out as
 * stored, printed by the stored resource's printer, which kubectl shows alike.
 */
export function viewRegistry(registry: Registry, view: ResourceInfo, convert: boolean): Registry {
  const stored = view.viewOf!;
  const out = (o: KubeObject) => (convert ? fromStoredVersion(view, o) : o);
  // The body is decoded against the view's own schema first (wrong types are a 400 naming
  // the field as the client sent it; unknown and duplicate fields are judged once, here),
  // then converted; the stored version's decoding finds nothing more to say.
  const inbound = (obj: KubeObject, opts: WriteOpts = {}): [KubeObject, WriteOpts] => [toStoredVersion(view, decodeWrite(view, obj, opts)), { ...opts, duplicateFields: [] }];
  return {
    ...registry,
    get: async (_r, ns, name) => out(await registry.get(stored, ns, name)),
    list: async (_r, opts) => {
      const list = await registry.list(stored, opts);
      return convert ? convertList(view, list) : list;
    },
    create: async (_r, ns, obj, opts) => out(await registry.create(stored, ns, ...inbound(obj, opts))),
    update: async (_r, ns, name, obj, opts) => {
      const [body, o] = inbound(obj, opts);
      return out(await registry.update(stored, ns, name, body, { ...o, subresource: opts?.subresource }));
    },
    guaranteedUpdate: (_r, ns, name, mutate, opts) => registry.guaranteedUpdate(stored, ns, name, mutate, opts),
    patch: async (_r, ns, name, patchType, patch, opts = {}) => {
      if (patchType === 'application/apply-patch+yaml') throw apiError(415, 'UnsupportedMediaType', `server-side apply of ${view.viewOf}.${view.group} is served in ${view.group}/${findResource(view.viewOf!)?.version} only`);
      for (let attempt = 0; ; attempt++) {
        const cur = await registry.get(stored, ns, name);
        const patched = applyPatch(view.resource, fromStoredVersion(view, cur), patchType, patch);
        const [body] = inbound(patched, { fieldValidation: opts.fieldValidation, warnings: opts.warnings });
        const pinned = patched.metadata?.resourceVersion;
        body.metadata = { ...body.metadata, resourceVersion: pinned || cur.metadata.resourceVersion };
        try {
          const object = await registry.update(stored, ns, name, body, { ...opts, subresource: opts.subresource ?? '' });
          return { object: out(object), created: false };
        } catch (e) {
          // A conflict on the version read (not one the patch pinned) is another writer: again.
          if (e instanceof ApiError && e.code === 409 && !pinned && attempt < PATCH_ATTEMPTS) continue;
          throw e;
        }
      }
    },
    delete: async (_r, ns, name, opts) => {
      const res = await registry.delete(stored, ns, name, opts);
      return { ...res, object: out(res.object) };
    },
    deleteCollection: async (_r, ns, listOpts, opts) => {
      const list = await registry.deleteCollection(stored, ns, listOpts, opts);
      return convert ? convertList(view, list) : list;
    },
    getSubresource: (_r, ns, name, sub) => registry.getSubresource(stored, ns, name, sub),
    createSubresource: (_r, ns, name, sub, body, opts) => registry.createSubresource(stored, ns, name, sub, body, opts),
    watch: (_r, opts, onEvent) => registry.watch(stored, opts, (ev) => onEvent(ev.object && (ev.type === 'ADDED' || ev.type === 'MODIFIED' || ev.type === 'DELETED') ? { ...ev, object: out(ev.object) } : ev)),
  };
}
