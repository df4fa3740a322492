// The audit of the gRPC face (../audit/): one event per request, with the REST face's
// fields. A unary call, each request on an Exchange stream, a Watch and a Nodes.Connect
// stream are each a request; requestURI is the gRPC method path (/k8ts.v1.Objects/Get; the
// Exchange's requests all carry /k8ts.v1.Objects/Exchange, their verb and objectRef say which
// request it was), sourceIPs the peer's address, userAgent the client's user-agent
// metadata. Verb and objectRef are the Attributes the request is authorized with (a lease
// renewal is an `update` of the node's Lease). A call that fails authentication is written
// as REST's 401 is: ResponseStarted, empty user; an Exchange or Connect stream refused before
// any request is read is a non-resource request (verb `post`, as its HTTP/2 method). At
// Request and RequestResponse the bodies are kept as on REST: the object a create or update
// carries (its `json`), a patch, a delete's options; the reply's object or the error's Status.
import type * as grpc from '@grpc/grpc-js';
import type { ApiError } from '@k8ts/api';
import { RequestAudit, type AuditSource, type RequestAttributes } from '../audit/request.js';
import { grpcPeerIp, memoizedIpList } from '../audit/source.js';
import { requestObjectOf } from '../audit/notes.js';
import { jsonOfText, patchJson, replyJson } from '../audit/bodies.js';
import { nonResourceAttributes } from '../authz/request-attributes.js';
import type { AuthorizationResult } from '../authz/types.js';
import type { RequestUser } from '../registry/types.js';
import { grpcRequestAttributes } from './authorize.js';
import type { GrpcContext } from './context.js';

/** What a grpc-js server call tells about its client. */
export interface GrpcCallInfo {
  metadata: grpc.Metadata;
  getPeer(): string;
  getPath(): string;
}

/** The source of every event of one call (an Exchange stream's requests share it). */
export function grpcAuditSource(call: GrpcCallInfo): AuditSource {
  const ua = call.metadata.get('user-agent')[0];
  return { requestURI: call.getPath(), sourceIPs: sourceIPsOfPeer(call.getPeer()), userAgent: typeof ua === 'string' ? ua : ua?.toString('utf8') };
}

// One list per peer (a client's connection makes many calls): parsed once, and its JSON made
// once (../audit/event.ts caches it by the list).
const sourceIPsOfPeer = memoizedIpList(grpcPeerIp);

/** A request's event, or undefined without an audit log. */
export function beginGrpcAudit(ctx: GrpcContext, source: AuditSource | GrpcCallInfo): RequestAudit | undefined {
  if (!ctx.audit) return undefined;
  return new RequestAudit(ctx.audit, 'requestURI' in source ? source : grpcAuditSource(source));
}

function attributesOf(user: RequestUser, verb: string, req: object): RequestAttributes {
  const { user: _who, fieldSelector: _fs, ...attrs } = grpcRequestAttributes(user, verb, req);
  return attrs;
}

const SOMEONE: RequestUser = { name: '', groups: [] };

/** The authenticated caller and its request: the policy decides; returns what learns the authorization decision. */
export function auditGrpcRequest(audit: RequestAudit, user: RequestUser, verb: string, req: object): (r: AuthorizationResult) => void {
  audit.evaluate(user, attributesOf(user, verb, req));
  return (r) => audit.decided(r.decision === 'Allow', r.reason);
}

/** A call whose credentials did not authenticate: its request as far as it is known (a stream's is not: a non-resource `post` of the method path). */
export function auditGrpcUnauthenticated(audit: RequestAudit, verb: string | undefined, req: object | undefined, err: ApiError, path: string): void {
  if (err.code !== 401) {
    // Authentication broke rather than refused (etcd down behind a service account check): the request is written with its error.
    audit.evaluate(undefined, verb && req ? attributesOf(SOMEONE, verb, req) : nonResource(path));
    if (audit.keepsResponseBody) audit.responseBody(JSON.stringify(err.status));
    audit.complete(err.code, err.status);
    return;
  }
  audit.unauthenticated(verb && req ? attributesOf(SOMEONE, verb, req) : nonResource(path), err.status);
}

function nonResource(path: string): RequestAttributes {
  const { user: _who, ...attrs } = nonResourceAttributes(SOMEONE, 'POST', path);
  return attrs;
}

/** A call its client cancelled before it was served: written as kube-apiserver writes a request that sent no response. */
export function auditClosedEarly(audit: RequestAudit, user: RequestUser, verb: string, req: object): void {
  audit.evaluate(user, attributesOf(user, verb, req));
  audit.complete(200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', message: 'Connection closed early', code: 200 });
}

/** The body a request sent, by its verb, as the event keeps it (../audit/bodies.ts): a create's or update's object, a patch, a delete's options. */
function requestBodyJson(verb: string, req: object, omitManagedFields: boolean): string | undefined {
  const r = req as { json?: unknown; patch?: unknown; patch_type?: unknown; options_json?: unknown };
  if ((verb === 'create' || verb === 'update') && typeof r.json === 'string') return jsonOfText(r.json, omitManagedFields);
  if (verb === 'patch' && typeof r.patch === 'string' && typeof r.patch_type === 'string') return patchJson(r.patch_type, r.patch, omitManagedFields);
  if (verb === 'delete' && typeof r.options_json === 'string' && r.options_json) return jsonOfText(r.options_json, omitManagedFields);
  return undefined;
}

/**
 * A request that ran: the object it sent (create, update) and its outcome, coded as the REST
 * face would answer it (201 for a create); at Request and RequestResponse, the bodies (the
 * request message's text does not change, so it is read now; a reply's JSON is the server's).
 */
export function auditGrpcOutcome(audit: RequestAudit, req: object, verb: string, err?: ApiError, res?: unknown): void {
  audit.requestObject(requestObjectOf(req));
  if (audit.keepsRequestBody) audit.requestBody(requestBodyJson(verb, req, audit.omitManagedFields));
  if (audit.keepsResponseBody) {
    const json = err ? JSON.stringify(err.status) : (res as { json?: unknown } | undefined)?.json;
    if (typeof json === 'string') audit.responseBody(replyJson(json, audit.omitManagedFields));
  }
  if (err) audit.complete(err.code, err.status);
  else audit.complete(verb === 'create' ? 201 : 200);
}
