// The audit of REST requests (../audit/): every request gets an Audit-Id response header (the
// client's Audit-ID when it sent a plain one, as kube-apiserver's WithAuditInit does, with
// or without an audit log); with --audit-log-path its event is filled in from the caller
// (callerOf in ./server.ts, handleUpgrade in ./streams/upgrade.ts), the bodies the policy
// keeps (resources.ts, respond.ts) and written when the response starts (long-running
// requests) and when it closes.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Status } from '@k8ts/api';
import type { AuditLog } from '../audit/log.js';
import { RequestAudit } from '../audit/request.js';
import { auditIdFor, sourceIPs } from '../audit/source.js';
import { noteRequestObject, noteResponseStatus, requestObjectOf, responseStatusOf } from '../audit/notes.js';
import { objectJson, patchJson, replyJson } from '../audit/bodies.js';
import { ANONYMOUS } from '../authz/request-attributes.js';
import type { Attributes, AuthorizationResult } from '../authz/types.js';
import type { RequestUser } from '../registry/types.js';
import { isPublicPath } from './authorize.js';
import { unauthorized } from './status.js';

const audits = new WeakMap<object, RequestAudit>();

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

function newAudit(log: AuditLog, req: IncomingMessage, auditID: string): RequestAudit {
  const ips = sourceIPs(header(req, 'x-forwarded-for'), header(req, 'x-real-ip'), req.socket.remoteAddress);
  return new RequestAudit(log, { requestURI: req.url ?? '/', sourceIPs: ips, userAgent: header(req, 'user-agent') }, auditID);
}

/**
 * Sets the Audit-Id header; with an audit log, starts the request's event, written when
 * the response closes (and, for long-running requests, when its headers go out).
 */
export function beginRestAudit(log: AuditLog | undefined, req: IncomingMessage, res: ServerResponse): RequestAudit | undefined {
  const auditID = auditIdFor(req.headers['audit-id']);
  res.setHeader('Audit-Id', auditID);
  if (!log) return undefined;
  const audit = newAudit(log, req, auditID);
  audits.set(res, audit);
  res.once('close', () => {
    audit.requestObject(requestObjectOf(res));
    audit.complete(res.statusCode, responseStatusOf(res));
  });
  return audit;
}

/** A long-running response writes ResponseStarted when its headers go out (writeHead, called for implicit headers too). */
function onHeaders(audit: RequestAudit, res: ServerResponse): void {
  const writeHead = res.writeHead;
  res.writeHead = function (this: ServerResponse, ...args: Parameters<ServerResponse['writeHead']>) {
    audit.responseStarted(args[0], responseStatusOf(res));
    return writeHead.apply(this, args);
  } as ServerResponse['writeHead'];
}

/**
 * The caller of a REST request, for its event: the authenticated user (or the anonymous one
 * on the public paths; none: the 401's event), whom it impersonates, and the request's
 * attributes. Returns what learns the authorization decision.
 */
export function auditCaller(
  audit: RequestAudit,
  res: ServerResponse | undefined,
  authenticated: RequestUser | null,
  acting: RequestUser | { refused: Status } | null,
  request: Attributes,
): (r: AuthorizationResult) => void {
  const user = authenticated ?? (isPublicPath(request.path) ? ANONYMOUS : undefined);
  const { user: _anyone, ...attrs } = request;
  if (!user) {
    audit.unauthenticated(attrs, unauthorized().status);
  } else {
    audit.evaluate(user, attrs);
    if (acting && acting !== authenticated && !('refused' in acting)) audit.impersonating(acting);
    if (res && audit.longRunning && audit.enabled) onHeaders(audit, res);
  }
  return (r) => audit.decided(r.decision === 'Allow', r.reason);
}

/**
 * What a response carries (respond.ts, with the JSON it sends when that is what it sends):
 * a metav1.Status for the event's responseStatus; at RequestResponse, the body.
 */
export function noteSentBody(res: ServerResponse, body: unknown, json: string | undefined): void {
  const audit = audits.get(res);
  if (!audit) return;
  if ((body as { kind?: unknown } | null)?.kind === 'Status') noteResponseStatus(res, body as Status);
  if (audit.keepsResponseBody) audit.responseBody(json !== undefined ? replyJson(json, audit.omitManagedFields) : objectJson(body, audit.omitManagedFields));
}

/** The object a create or update sent, as decoded (resources.ts): its name for the objectRef; at Request and above, the object, encoded now, before the registry fills it in. */
export function noteRequestBody(res: ServerResponse, body: unknown): void {
  const audit = audits.get(res);
  if (!audit) return;
  noteRequestObject(res, body);
  if (audit.keepsRequestBody) audit.requestBody(objectJson(body, audit.omitManagedFields));
}

/** A patch's body (resources.ts), at Request and above. */
export function noteRequestPatch(res: ServerResponse, patchType: string, patch: string): void {
  const audit = audits.get(res);
  if (audit?.keepsRequestBody) audit.requestBody(patchJson(patchType, patch, audit.omitManagedFields));
}

// ---- upgrades (exec, attach, port-forward): the socket is the response ----

/** The Audit-Id of an upgrade request, for the headers its answer is written with. */
export function upgradeAuditId(req: IncomingMessage): string {
  let id = upgradeIds.get(req);
  if (!id) upgradeIds.set(req, (id = auditIdFor(req.headers['audit-id'])));
  return id;
}
const upgradeIds = new WeakMap<IncomingMessage, string>();

/** The event of an upgrade request: written when it is answered (ResponseStarted: these are long-running) and when its socket closes. */
export function beginUpgradeAudit(log: AuditLog | undefined, req: IncomingMessage, socket: Duplex): RequestAudit | undefined {
  const auditID = upgradeAuditId(req);
  if (!log) return undefined;
  const audit = newAudit(log, req, auditID);
  audit.longRunning = true;
  socket.once('close', () => audit.complete());
  return audit;
}
