// One audit.k8s.io/v1 Event as kube-apiserver writes it to its log backend: the fields in the
// Go struct's order, empty ones left out as its omitempty tags leave them out (user is `{}`
// for a request that failed authentication; objectRef only for resource requests; apiGroup
// absent for the core group), times as MicroTime. responseStatus is `{metadata, code}`, plus
// status, message, reason and details when the response was a metav1.Status (an error, or a
// delete's Success), as audit.LogResponseObject copies them. requestObject and responseObject
// (Request and RequestResponse levels) are JSON text made by ./bodies.ts, put in as is. The
// user is what authentication concluded, never the token or certificate; bodies hold what
// the request and response held, which is why a policy keeps Secrets and token reviews at
// Metadata.
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
  /** Request level and above: the request's object (or patch) as JSON text. */
  requestObject?: string;
  /** RequestResponse level: the response's object or Status as JSON text. */
  responseObject?: string;
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
  if (f.requestObject !== undefined) ev.requestObject = JSON.parse(f.requestObject);
  if (f.responseObject !== undefined) ev.responseObject = JSON.parse(f.responseObject);
  ev.requestReceivedTimestamp = f.requestReceivedTimestamp;
  ev.stageTimestamp = f.stageTimestamp;
  if (f.annotations) ev.annotations = f.annotations;
  return ev;
}

// The line is assembled from pieces rather than stringified whole (the same text: a test
// compares them): a user, a source address list and an authorization reason recur from
// request to request, so their JSON is made once per object (or reason) and reused.
const userTexts = new WeakMap<object, string>();
const ipTexts = new WeakMap<object, string>();
const reasonTexts = new Map<string, string>();
const MAX_REASONS = 4096;

function userText(u: AuditUser | undefined): string {
  if (!u) return '{}';
  let t = userTexts.get(u);
  if (t === undefined) userTexts.set(u, (t = JSON.stringify(userInfoJson(u))));
  return t;
}

const oneIpTexts = new Map<string, string>();

function ipsText(ips: readonly string[]): string {
  if (ips.length === 1) {
    // REST makes a list per request; its one address recurs.
    let t = oneIpTexts.get(ips[0]!);
    if (t === undefined) {
      if (oneIpTexts.size >= MAX_REASONS) oneIpTexts.clear();
      oneIpTexts.set(ips[0]!, (t = JSON.stringify(ips)));
    }
    return t;
  }
  let t = ipTexts.get(ips);
  if (t === undefined) ipTexts.set(ips, (t = JSON.stringify(ips)));
  return t;
}

const DECISION = 'authorization.k8s.io/decision';
const REASON = 'authorization.k8s.io/reason';

function annotationsText(a: Record<string, string>): string {
  const keys = Object.keys(a);
  // The common case, the authorizer's two: cached by decision and reason.
  if (keys.length === 2 && keys[0] === DECISION && keys[1] === REASON) {
    const k = `${a[DECISION]}\n${a[REASON]}`;
    let t = reasonTexts.get(k);
    if (t === undefined) {
      if (reasonTexts.size >= MAX_REASONS) reasonTexts.clear();
      reasonTexts.set(k, (t = JSON.stringify(a)));
    }
    return t;
  }
  return JSON.stringify(a);
}

/** The line the log backend writes: JSON.stringify(auditEvent(f)) + newline. */
export function auditEventLine(f: AuditEventFields): string {
  let s = `{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":${JSON.stringify(f.level)},"auditID":${JSON.stringify(f.auditID)},"stage":${JSON.stringify(f.stage)},"requestURI":${JSON.stringify(f.requestURI)},"verb":${JSON.stringify(f.verb)},"user":${userText(f.user)}`;
  if (f.impersonatedUser) s += `,"impersonatedUser":${userText(f.impersonatedUser)}`;
  if (f.sourceIPs.length) s += `,"sourceIPs":${ipsText(f.sourceIPs)}`;
  if (f.userAgent) s += `,"userAgent":${JSON.stringify(f.userAgent)}`;
  if (f.objectRef) s += `,"objectRef":${JSON.stringify(objectRefJson(f.objectRef))}`;
  s += `,"responseStatus":${f.status ? JSON.stringify(responseStatusJson(f.code, f.status)) : `{"metadata":{},"code":${f.code}}`}`;
  if (f.requestObject !== undefined) s += `,"requestObject":${f.requestObject}`;
  if (f.responseObject !== undefined) s += `,"responseObject":${f.responseObject}`;
  s += `,"requestReceivedTimestamp":${JSON.stringify(f.requestReceivedTimestamp)},"stageTimestamp":${JSON.stringify(f.stageTimestamp)}`;
  if (f.annotations) s += `,"annotations":${annotationsText(f.annotations)}`;
  return s + '}\n';
}
