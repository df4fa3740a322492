// The verbs on resources: get, list, watch, create, update, patch, delete,
// deletecollection, and the subresources that are plain objects (status, scale, binding,
// eviction). Streams (log, exec, attach, portforward) live in ./streams.
import type { DeleteOptions, KubeObject } from '@k8ts/api';
import type { PatchType } from '@k8ts/client';
import { apiVersionOf, type ResourceInfo } from '@k8ts/api';
import type { RequestContext } from './context.js';
import type { WriteOpts } from '../registry/types.js';
import { readBody, decodeObjectBody, decodeOptionalBody, mediaType } from './body.js';
import { listOptions, isWatch, dryRun, deleteOptions, isTrue, fieldValidation } from './query.js';
import { setWarnings } from './warnings.js';
import { decodeDeleteOptions } from '../registry/decode.js';
import { sendJson, renderObject, renderList } from './respond.js';
import { serveWatch } from './watch.js';
import { badRequest, methodNotAllowed, notFoundPath, success, unsupportedPatchType } from './status.js';
import { serveLogs } from './streams/log.js';
import { serveProxy } from './proxy/serve.js';
import { noteRequestBody, noteRequestPatch } from './audit.js';
import { viewRegistry } from './views.js';

const PATCH_TYPES = new Set<string>([
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/json-patch+json',
  'application/apply-patch+yaml',
]);

/** Subresources that are streams, answered elsewhere (GET log; exec/attach/portforward upgrade). */
export const STREAM_SUBRESOURCES = new Set(['log', 'exec', 'attach', 'portforward']);

function withTypeMeta(obj: KubeObject, info: ResourceInfo): KubeObject {
  if (obj && typeof obj === 'object' && obj.kind !== 'Status' && (!obj.apiVersion || !obj.kind)) {
    return { ...obj, apiVersion: obj.apiVersion ?? apiVersionOf(info), kind: obj.kind ?? info.kind };
  }
  return obj;
}

/** Who writes: the fieldManager parameter and the User-Agent a default manager comes from. */
function writer(ctx: RequestContext): { fieldManager?: string; userAgent?: string } {
  return { fieldManager: ctx.url.searchParams.get('fieldManager') ?? undefined, userAgent: ctx.req.headers['user-agent'] };
}

function reply(ctx: RequestContext, code: number, obj: KubeObject, info: ResourceInfo): void {
  const body = renderObject(info.viewOf ?? info.resource, withTypeMeta(obj, info), ctx.output, ctx.url.searchParams, ctx.deps.logger);
  sendJson(ctx.res, code, body, ctx.output.yaml);
}

/** Namespace of the request for a write; undefined for cluster-scoped resources. */
function namespaceOf(ctx: RequestContext, info: ResourceInfo): string {
  if (!info.namespaced) return '';
  if (ctx.route.namespace === undefined) throw notFoundPath();
  return ctx.route.namespace;
}

function checkBody(obj: Record<string, unknown>, info: ResourceInfo, namespace: string, name?: string): KubeObject {
  const kind = obj.kind as string | undefined;
  const apiVersion = obj.apiVersion as string | undefined;
  if (kind && kind !== info.kind) {
    throw badRequest(`the kind of the provided object (${kind}) does not match the kind of the resource (${info.kind})`);
  }
  if (apiVersion && apiVersion !== apiVersionOf(info)) {
    throw badRequest(`the API version in the data (${apiVersion}) does not match the expected API version (${apiVersionOf(info)})`);
  }
  // metadata of a wrong type is left for the registry's decode to answer (400).
  if (obj.metadata !== undefined && obj.metadata !== null && (typeof obj.metadata !== 'object' || Array.isArray(obj.metadata))) return obj as unknown as KubeObject;
  const meta = (obj.metadata ?? {}) as KubeObject['metadata'];
  if (info.namespaced) {
    if (meta.namespace && meta.namespace !== namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    meta.namespace = namespace;
  }
  if (name !== undefined && meta.name && meta.name !== name) {
    throw badRequest(`the name of the object (${meta.name}) does not match the name on the URL (${name})`);
  }
  if (name !== undefined && !meta.name) meta.name = name;
  // The body was parsed for this request alone: fill it in place (a spread copy costs more).
  obj.apiVersion = apiVersion ?? apiVersionOf(info);
  obj.kind = kind ?? info.kind;
  obj.metadata = meta;
  return obj as unknown as KubeObject;
}

/** The options of a write from its query: dryRun, fieldValidation, and places for what decoding finds. */
function writeOpts(q: URLSearchParams, options: 'CreateOptions' | 'UpdateOptions' | 'PatchOptions', user: WriteOpts['user']): WriteOpts & { duplicateFields: string[]; warnings: string[] } {
  return { dryRun: dryRun(q), user, fieldValidation: fieldValidation(q, options), duplicateFields: [], warnings: [] };
}

// long: one switch over the HTTP methods of a resource path, each case a few lines that
// read the query and call the registry; the shared checks above it run once for all.
export async function serveResource(ctx: RequestContext): Promise<void> {
  const info = ctx.route.info;
  if (!info) throw notFoundPath();
  // Another version of a stored resource: the same verbs over a converting registry.
  if (info.viewOf) ctx = { ...ctx, deps: { ...ctx.deps, registry: viewRegistry(ctx.deps.registry, info, ctx.output.as === 'object') } };
  const { route, req, url, deps } = ctx;
  if (route.namespace !== undefined && !info.namespaced) throw notFoundPath();
  const q = url.searchParams;
  const { registry } = deps;
  const user = ctx.user;
  const method = req.method ?? 'GET';
  const sub = route.subresource;
  if (sub && !info.subresources.includes(sub)) throw notFoundPath();
  if (sub === 'proxy') return serveProxy(ctx);

  if (sub && STREAM_SUBRESOURCES.has(sub)) {
    ctx.verb = 'CONNECT';
    if (sub === 'log' && method === 'GET') return serveLogs(ctx, info, namespaceOf(ctx, info), route.name!);
    // exec, attach and portforward arrive as upgrades (see ./streams/upgrade.ts).
    throw badRequest(`Upgrade request required`);
  }

  switch (method) {
    case 'GET': {
      if (route.watchPath || isWatch(q)) {
        ctx.verb = 'WATCH';
        if (route.name && sub) throw methodNotAllowed('watch', info.kind);
        return serveWatch(ctx, info.viewOf ?? info.resource, info.namespaced ? route.namespace : undefined);
      }
      if (!route.name) {
        ctx.verb = 'LIST';
        const list = await registry.list(info.resource, listOptions(q, info.namespaced ? route.namespace : undefined));
        sendJson(ctx.res, 200, renderList(info.viewOf ?? info.resource, list, ctx.output, q, deps.logger), ctx.output.yaml);
        return;
      }
      ctx.verb = 'GET';
      const ns = namespaceOf(ctx, info);
      const plain = !sub || sub === 'status' || sub === 'approval' || sub === 'ephemeralcontainers';
      const obj = plain ? await registry.get(info.resource, ns, route.name) : await registry.getSubresource(info.resource, ns, route.name, sub);
      if (!plain) {
        sendJson(ctx.res, 200, obj, ctx.output.yaml);
        return;
      }
      reply(ctx, 200, obj, info);
      return;
    }
    case 'POST': {
      ctx.verb = 'POST';
      const ns = namespaceOf(ctx, info);
      const write = writeOpts(q, 'CreateOptions', user);
      const body = decodeObjectBody(await readBody(req), req.headers['content-type'], write.duplicateFields);
      noteRequestBody(ctx.res, body);
      if (!route.name) {
        if (sub) throw notFoundPath();
        const obj = checkBody(body, info, ns);
        const created = await registry.create(info.resource, ns, obj, { ...write, ...writer(ctx) });
        setWarnings(ctx.res, write.warnings);
        reply(ctx, 201, created, info);
        return;
      }
      if (!sub) throw methodNotAllowed('POST', info.kind);
      const result = await registry.createSubresource(info.resource, ns, route.name, sub, body as KubeObject, { ...write, ...writer(ctx) });
      setWarnings(ctx.res, write.warnings);
      sendJson(ctx.res, 201, result, ctx.output.yaml);
      return;
    }
    case 'PUT': {
      ctx.verb = 'PUT';
      if (!route.name) throw methodNotAllowed('PUT', `${info.kind}List`);
      const ns = namespaceOf(ctx, info);
      const write = writeOpts(q, 'UpdateOptions', user);
      const body = decodeObjectBody(await readBody(req), req.headers['content-type'], write.duplicateFields);
      noteRequestBody(ctx.res, body);
      if (sub === 'token') throw methodNotAllowed('PUT', 'TokenRequest');
      if (sub && sub !== 'status' && sub !== 'finalize' && sub !== 'approval' && sub !== 'ephemeralcontainers') {
        const result = await registry.createSubresource(info.resource, ns, route.name, sub, body as KubeObject, { dryRun: dryRun(q), user, ...writer(ctx) });
        sendJson(ctx.res, 200, result, ctx.output.yaml);
        return;
      }
      const obj = checkBody(body, info, ns, route.name);
      const updated = await registry.update(info.resource, ns, route.name, obj, { ...write, subresource: sub ?? '', ...writer(ctx) });
      setWarnings(ctx.res, write.warnings);
      reply(ctx, 200, updated, info);
      return;
    }
    case 'PATCH': {
      ctx.verb = 'PATCH';
      if (!route.name) throw methodNotAllowed('PATCH', `${info.kind}List`);
      const ns = namespaceOf(ctx, info);
      const type = mediaType(req.headers['content-type']);
      if (!PATCH_TYPES.has(type)) throw unsupportedPatchType(type);
      const patch = (await readBody(req)).toString('utf8');
      if (type === 'application/apply-patch+yaml' && !q.get('fieldManager')) {
        throw badRequest('PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
      }
      const write = writeOpts(q, 'PatchOptions', user);
      noteRequestPatch(ctx.res, type, patch);
      const { object, created } = await registry.patch(info.resource, ns, route.name, type as PatchType, patch, {
        ...write,
        subresource: sub,
        ...writer(ctx),
        force: isTrue(q.get('force')),
      });
      setWarnings(ctx.res, write.warnings);
      if (sub && sub !== 'status' && sub !== 'approval' && sub !== 'ephemeralcontainers') {
        sendJson(ctx.res, 200, object, ctx.output.yaml);
        return;
      }
      reply(ctx, created ? 201 : 200, object, info);
      return;
    }
    case 'DELETE': {
      const raw = decodeOptionalBody(await readBody(req), req.headers['content-type']);
      if (raw) noteRequestBody(ctx.res, raw);
      const body = raw && decodeDeleteOptions(raw);
      // DeleteOptions' own dryRun is a list of strings; the registry takes a boolean.
      const parsed = deleteOptions(q, body);
      const opts = { ...parsed, dryRun: dryRun(q) || (parsed.dryRun?.length ?? 0) > 0, user } as unknown as DeleteOptions & WriteOpts;
      if (!route.name) {
        ctx.verb = 'DELETECOLLECTION';
        if (sub) throw notFoundPath();
        const ns = info.namespaced ? (route.namespace ?? '') : '';
        const list = await registry.deleteCollection(info.resource, ns, listOptions(q, info.namespaced ? route.namespace : undefined), opts);
        sendJson(ctx.res, 200, list, ctx.output.yaml);
        return;
      }
      ctx.verb = 'DELETE';
      if (sub) throw methodNotAllowed('DELETE', info.kind);
      const ns = namespaceOf(ctx, info);
      const result = await registry.delete(info.resource, ns, route.name, opts);
      if (result.finished && info.resource !== 'pods') {
        const details = { name: route.name, group: info.group || undefined, kind: info.resource, uid: result.object.metadata?.uid };
        sendJson(ctx.res, 200, success(200, details), ctx.output.yaml);
        return;
      }
      reply(ctx, 200, result.object, info);
      return;
    }
    default:
      throw methodNotAllowed(method, info.kind);
  }
}
