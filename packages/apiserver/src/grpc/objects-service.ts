// The Objects service of proto/k8ts.proto: generic CRUD and watch with JSON payloads.
import * as grpc from '@grpc/grpc-js';
import { parseJsonText, type KubeObject } from '@k8ts/api';
import type { PatchType, proto } from '@k8ts/client';
import { badRequest, toApiError } from '../registry/errors.js';
import { whenDelivered } from '../storage/watch-cache/fan-out.js';
import { cachedJson } from '../storage/codec.js';
import { frameWriter, framedWatchBatch, framedWatchEvent } from './watch-frames.js';
import { toServiceError } from './errors.js';
import { decodeDeleteOptions } from '../registry/decode.js';
import { resourceOf, unary, type Handler } from './unary.js';
import type { ExchangeHandlers, ExchangeStreams } from './exchange.js';
import { renewLeaseHandler } from './nodes-service.js';
import { userOf, type GrpcContext } from './context.js';
import type { RequestUser } from '../registry/types.js';
import { grpcRefusal } from './authorize.js';
import { noteRequestObject } from '../audit/notes.js';
import type { RequestAudit } from '../audit/request.js';
import { auditClosedEarly, auditGrpcRequest, auditGrpcUnauthenticated, beginGrpcAudit } from './audit.js';

/** The object of a request; keys it holds twice are added to `duplicates` (the registry's decode reports them). */
function parseObject(json: string, duplicates?: string[]): KubeObject {
  let obj: unknown;
  try {
    const parsed = parseJsonText(json);
    obj = parsed.value;
    if (parsed.duplicates.length) duplicates?.push(...parsed.duplicates);
  } catch (err) {
    throw badRequest(`the object is not valid JSON: ${(err as Error).message}`);
  }
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw badRequest('the object must be a JSON object');
  return obj as KubeObject;
}

function reply(obj: unknown): proto.ObjectReply {
  // A written object comes with the JSON its write already made.
  return { json: cachedJson(obj) ?? JSON.stringify(obj) };
}

/** The handlers of the request/reply methods, shared by the unary calls and the Exchange stream. */
export interface ObjectHandlers {
  get: Handler<proto.GetRequest__Output, proto.ObjectReply>;
  list: Handler<proto.ListRequest__Output, proto.ListReply>;
  create: Handler<proto.WriteRequest__Output, proto.ObjectReply>;
  update: Handler<proto.WriteRequest__Output, proto.ObjectReply>;
  patch: Handler<proto.PatchRequest__Output, proto.ObjectReply>;
  delete: Handler<proto.DeleteRequest__Output, proto.ObjectReply>;
}

/** With `audited`, creates and updates leave their object's name, uid and version for the audit event (../audit/notes.ts). */
export function objectHandlers(r: GrpcContext['registry'], audited = false): ObjectHandlers {
  return {
    get: async (req) => {
      const obj = req.subresource
        ? await r.getSubresource(req.resource, req.namespace, req.name, req.subresource)
        : await r.get(req.resource, req.namespace, req.name);
      return reply(obj);
    },
    list: async (req) => {
      const list = await r.list(req.resource, {
        namespace: req.namespace || undefined,
        labelSelector: req.label_selector || undefined,
        fieldSelector: req.field_selector || undefined,
        limit: Number(req.limit) || undefined,
        continue: req.continue || undefined,
        resourceVersion: req.resource_version || undefined,
        resourceVersionMatch: req.resource_version_match || undefined,
      });
      return reply(list);
    },
    create: async (req, user) => {
      const duplicateFields: string[] = [];
      const obj = parseObject(req.json, duplicateFields);
      if (audited) noteRequestObject(req, obj);
      if (req.subresource) {
        return reply(await r.createSubresource(req.resource, req.namespace, req.name || obj.metadata?.name || '', req.subresource, obj, { dryRun: req.dry_run, user }));
      }
      return reply(await r.create(req.resource, req.namespace, obj, { dryRun: req.dry_run, user, duplicateFields }));
    },
    update: async (req, user) => {
      const duplicateFields: string[] = [];
      const obj = parseObject(req.json, duplicateFields);
      if (audited) noteRequestObject(req, obj);
      const name = req.name || obj.metadata?.name;
      if (!name) throw badRequest('update needs a name');
      return reply(await r.update(req.resource, req.namespace, name, obj, { subresource: req.subresource || '', dryRun: req.dry_run, user, duplicateFields }));
    },
    patch: async (req, user) => {
      const res = await r.patch(req.resource, req.namespace, req.name, req.patch_type as PatchType, req.patch, {
        subresource: req.subresource || undefined,
        fieldManager: req.field_manager || undefined,
        force: req.force,
        user,
      });
      return reply(res.object);
    },
    delete: async (req, user) => {
      const opts = req.options_json ? decodeDeleteOptions(parseObject(req.options_json)) : {};
      const res = await r.delete(req.resource, req.namespace, req.name, { ...(opts as object), user });
      return reply(res.object);
    },
  };
}

export function objectsService(ctx: GrpcContext, exchanges: ExchangeStreams): proto.ObjectsHandlers {
  const h = objectHandlers(ctx.registry, !!ctx.audit);
  const onStream: ExchangeHandlers = { ...h, renewlease: renewLeaseHandler(ctx) };
  return {
    Get: unary(ctx, 'get', h.get),
    List: unary(ctx, 'list', h.list),
    Create: unary(ctx, 'create', h.create),
    Update: unary(ctx, 'update', h.update),
    Patch: unary(ctx, 'patch', h.patch),
    Delete: unary(ctx, 'delete', h.delete),
    Watch: (call) => watch(ctx, call),
    Exchange: (call) => exchanges.serve(call, onStream),
  };
}

const MAX_WATCH_BACKLOG = 32 * 1024 * 1024;

/** A watch stream writes WatchEvent bytes encoded once for every watcher (server.ts passes Buffers through). */
type WatchCall = grpc.ServerWritableStream<proto.WatchRequest__Output, proto.WatchEvent | Buffer>;

function watch(ctx: GrpcContext, call: WatchCall): void {
  const start = performance.now();
  const audit = beginGrpcAudit(ctx, call);
  userOf(ctx, call).then(
    (user) => {
      if (!call.cancelled) serveWatch(ctx, call, user, start, audit);
      else if (audit) auditClosedEarly(audit, user, 'watch', call.request);
    },
    (err) => {
      const e = toApiError(err);
      ctx.metrics?.observeRequest('watch', resourceOf(call.request), e.code, (performance.now() - start) / 1000);
      if (audit) auditGrpcUnauthenticated(audit, 'watch', call.request, e, call.getPath());
      call.emit('error', toServiceError(e));
    },
  );
}

// long: the watch of an authenticated caller, from its authorization through the events it
// is sent (one at a time or batched) to its end; the steps share the call's state.
function serveWatch(ctx: GrpcContext, call: WatchCall, user: RequestUser, start: number, audit: RequestAudit | undefined): void {
  const req = call.request;
  const resource = resourceOf(req);
  let ended = false;
  const fail = (err: unknown) => {
    const e = toApiError(err);
    ctx.metrics?.observeRequest('watch', resource, e.code, (performance.now() - start) / 1000);
    ended = true;
    audit?.complete(e.code, e.status);
    call.emit('error', toServiceError(e));
  };
  try {
    const seen = audit && auditGrpcRequest(audit, user, 'watch', req);
    const refusal = grpcRefusal(ctx, 'watch', req, user, seen);
    if (refusal) throw refusal;
  } catch (err) {
    return fail(err);
  }
  let handle: { stop(): void } | undefined;
  const end = () => {
    if (ended) return;
    ended = true;
    handle?.stop();
    audit?.complete();
    call.end();
  };
  const batches = Boolean(req.allow_batches);
  let pending: Buffer[] = [];
  let closing = false;
  const out = frameWriter(call, MAX_WATCH_BACKLOG);
  const send = (frame: Buffer, last: boolean) => {
    if (!out.write(frame)) {
      // A watcher that does not read would hold every event in memory: cut it off, as
      // kube-apiserver does; its client re-watches from its last resourceVersion.
      ctx.logger?.warn({ resource }, 'closing a watch that does not keep up');
      setImmediate(end);
      return;
    }
    if (last) setImmediate(end);
  };
  const flush = () => {
    const frames = pending;
    pending = [];
    if (ended || frames.length === 0) return;
    send(frames.length === 1 ? frames[0]! : framedWatchBatch(frames), closing);
  };
  try {
    handle = ctx.registry.watch(
      resource,
      {
        namespace: req.namespace || undefined,
        labelSelector: req.label_selector || undefined,
        fieldSelector: req.field_selector || undefined,
        resourceVersion: req.resource_version || undefined,
        allowBookmarks: req.allow_bookmarks,
      },
      (ev) => {
        if (ended) return;
        if (!batches) return send(framedWatchEvent(ev), ev.type === 'ERROR');
        // Events handed out together (one etcd response) leave as one message, written within
        // the fan-out's slice as a REST watch's are (../storage/watch-cache/fan-out.ts).
        pending.push(framedWatchEvent(ev));
        if (ev.type === 'ERROR') closing = true;
        if (pending.length === 1) whenDelivered(flush);
      },
    );
  } catch (err) {
    return fail(err);
  }
  ctx.metrics?.observeRequest('watch', resource, 200, (performance.now() - start) / 1000);
  // Headers at once, as a REST watch sends its 200: the client then knows the watch is in
  // place (grpc-js would hold them back until the first event, which may be minutes away).
  if (!ended) {
    audit?.responseStarted(200);
    call.sendMetadata(new grpc.Metadata());
  }
  call.on('cancelled', end);
  call.on('close', end);
  call.on('error', end);
}
