// One audit.k8s.io/v1 Event as kube-apiserver writes it to its log backend: the fields in the
// Go struct's order, empty ones left out as its omitempty tags leave them out (user is `{}`
// for a request that failed authentication; objectRef only for resource requests; apiGroup
// absent for the core group), times as MicroTime. responseStatus is `{metadata, code}`, plus
// status, message, reason and details when the response was a metav1.Status (an error, or a
// delete's Success), as audit.LogResponseObject copies them. Nothing here comes from a
// credential: the user is what authentication concluded, never the token or certificate.
import type { Status } from '@k8ts/api';
import type { AuditLevel, AuditStage } from './policy.js';

export interface AuditUser {
  name: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

export interface AuditObjectRef {
  resource: string;
  namespace?: string;
  name?: string;
  uid?: string;
  apiGroup?: string;
  apiVersion?: string;
  resourceVersion?: string;
  subresource?: string;
}

export interface AuditEventFields {
  level: AuditLevel;
  auditID: string;
  stage: AuditStage;
  requestURI: string;
  verb: string;
  /** Absent: authentication failed (written as `{}`). */
  user?: AuditUser;
  impersonatedUser?: AuditUser;
  sourceIPs: readonly string[];
  userAgent?: string;
  objectRef?: AuditObjectRef;
  code: number;
  /** The metav1.Status the response carried, if it was one. */
  status?: Status;
  requestReceivedTimestamp: string;
  stageTimestamp: string;
  annotations?: Record<string, string>;
}

/** authentication/v1 UserInfo as JSON: username, uid, groups, extra, each only when set. */
export function userInfoJson(u: AuditUser | undefined): Record<string, unknown> {
  if (!u) return {};
  const out: Record<string, unknown> = { username: u.name };
  if (u.uid) out.uid = u.uid;
  if (u.groups?.length) out.groups = u.groups;
  if (u.extra && Object.keys(u.extra).length) out.extra = u.extra;
  return out;
}

export function objectRefJson(r: AuditObjectRef): Record<string, unknown> {
  const out: Record<string, unknown> = { resource: r.resource };
  if (r.namespace) out.namespace = r.namespace;
  if (r.name) out.name = r.name;
  if (r.uid) out.uid = r.uid;
  if (r.apiGroup) out.apiGroup = r.apiGroup;
  if (r.apiVersion) out.apiVersion = r.apiVersion;
  if (r.resourceVersion) out.resourceVersion = r.resourceVersion;
  if (r.subresource) out.subresource = r.subresource;
  return out;
}

/** The bounded fields of a Status (audit.LogResponseObject), with the response's code. */
export function responseStatusJson(code: number, s: Status | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = { metadata: {} };
  if (s) {
    if (s.status) out.status = s.status;
    if (s.message) out.message = s.message;
    if (s.reason) out.reason = s.reason;
    if (s.details) out.details = s.details;
  }
  out.code = code;
  return out;
}

export function auditEvent(f: AuditEventFields): Record<string, unknown> {
  const ev: Record<string, unknown> = {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: f.level,
    auditID: f.auditID,
    stage: f.stage,
    requestURI: f.requestURI,
    verb: f.verb,
    user: userInfoJson(f.user),
  };
  if (f.impersonatedUser) ev.impersonatedUser = userInfoJson(f.impersonatedUser);
  if (f.sourceIPs.length) ev.sourceIPs = f.sourceIPs;
  if (f.userAgent) ev.userAgent = f.userAgent;
  if (f.objectRef) ev.objectRef = objectRefJson(f.objectRef);
  ev.responseStatus = responseStatusJson(f.code, f.status);
  ev.requestReceivedTimestamp = f.requestReceivedTimestamp;
  ev.stageTimestamp = f.stageTimestamp;
  if (f.annotations) ev.annotations = f.annotations;
  return ev;
}

/** The line the log backend writes. */
export function auditEventLine(f: AuditEventFields): string {
  return JSON.stringify(auditEvent(f)) + '\n';
}
