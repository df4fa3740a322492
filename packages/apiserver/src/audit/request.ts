// The audit event of one request, filled in as the request goes (as kube-apiserver's
// AuditContext is): its source at arrival, then the authenticated user and the request's
// attributes (from which the policy decides the level and the stages left out), the
// impersonated user, the authorization decision, the object a create or update sent, and at
// last the response; at the Request and RequestResponse levels the bodies too (./bodies.ts:
// resource requests only, none for long-running ones, whose bodies are streams). Stages
// written, as kube-apiserver writes them:
//   - ResponseComplete for every request that authenticated (or reached a public path);
//   - ResponseStarted as well for long-running requests (watches, exec, attach,
//     port-forward, proxy, logs: ../flowcontrol/long-running.ts, the check the request limiter
//     asks too), when their headers go out;
//   - ResponseStarted alone for a request that failed authentication (the 401), with an empty
//     user, as WithFailedAuthenticationAudit writes it.
// RequestReceived is never written (as a policy with `omitStages: [RequestReceived]`).
import { randomUUID } from 'node:crypto';
import type { Status } from '@k8ts/api';
import type { Attributes } from '../authz/types.js';
import type { RequestUser } from '../registry/types.js';
import { nowMicroTime } from '../registry/time.js';
import { auditEventLine, type AuditObjectRef, type AuditUser } from './event.js';
import type { AuditLog } from './log.js';
import { isLongRunning } from '../flowcontrol/long-running.js';
import type { AuditRuleDecision, AuditStage } from './policy.js';

/** Where a request came from: what the event says of it before anything is decided. */
export interface AuditSource {
  requestURI: string;
  sourceIPs: readonly string[];
  userAgent?: string;
}

/** The request's Attributes without the user (the event's user is the authenticated one). */
export type RequestAttributes = Omit<Attributes, 'user' | 'fieldSelector'>;

const UNDECIDED: AuditRuleDecision = { level: 'None', omitStages: [], omitManagedFields: false };

export class RequestAudit {
  readonly receivedAt = nowMicroTime();
  private rule = UNDECIDED;
  private evaluated = false;
  private user?: AuditUser;
  private impersonatedUser?: AuditUser;
  private verb = '';
  private objectRef?: AuditObjectRef;
  private annotations?: Record<string, string>;
  /** Set when the request is long-running: ResponseStarted is written when its headers go out. */
  longRunning = false;
  private started = false;
  private done = false;
  /** What the response started with (a stream that ends later completes with it). */
  private startedCode = 200;
  private startedStatus?: Status;
  /** The bodies kept (JSON text), at the levels that keep them. */
  private requestJson?: string;
  private responseJson?: string;

  constructor(
    private readonly log: AuditLog,
    private readonly source: AuditSource,
    readonly auditID: string = randomUUID(),
  ) {}

  /** Whether anything will be written for this request (the policy's level is not None). */
  get enabled(): boolean {
    return this.rule.level !== 'None';
  }

  /**
   * The authenticated user (undefined: authentication failed) and what the request asks: the
   * policy decides from them, as kube-apiserver's WithAudit does before impersonation.
   */
  evaluate(user: RequestUser | undefined, a: RequestAttributes): void {
    this.evaluated = true;
    this.rule = this.log.ruleFor({ ...a, user });
    // The authenticated user object itself: its JSON is made once per user (event.ts).
    this.user = user;
    this.verb = a.verb;
    this.longRunning ||= isLongRunning(a);
    this.objectRef = a.resourceRequest
      ? { resource: a.resource, namespace: a.namespace, name: a.name, apiGroup: a.apiGroup, apiVersion: a.apiVersion, subresource: a.subresource }
      : undefined;
  }

  get isEvaluated(): boolean {
    return this.evaluated;
  }

  /** Whether the request's body is kept (Request and RequestResponse): ask before encoding it. */
  get keepsRequestBody(): boolean {
    const level = this.rule.level;
    return (level === 'Request' || level === 'RequestResponse') && this.objectRef !== undefined && !this.longRunning;
  }

  /** Whether the response's body is kept (RequestResponse). */
  get keepsResponseBody(): boolean {
    return this.rule.level === 'RequestResponse' && this.objectRef !== undefined && !this.longRunning;
  }

  /** The policy's omitManagedFields for this request, for whoever encodes its bodies. */
  get omitManagedFields(): boolean {
    return this.rule.omitManagedFields;
  }

  /** The request's object or patch as JSON text (./bodies.ts); kept when keepsRequestBody. */
  requestBody(json: string | undefined): void {
    if (json !== undefined && this.keepsRequestBody) this.requestJson = json;
  }

  /** The response's object or Status as JSON text (./bodies.ts); kept when keepsResponseBody. */
  responseBody(json: string | undefined): void {
    if (json !== undefined && this.keepsResponseBody) this.responseJson = json;
  }

  /** The user the request runs as, when it impersonates someone. */
  impersonating(user: RequestUser): void {
    this.impersonatedUser = user;
  }

  /** authorization.k8s.io/decision and reason, as WithAuthorization annotates the event. */
  decided(allowed: boolean, reason: string): void {
    this.annotations = { 'authorization.k8s.io/decision': allowed ? 'allow' : 'forbid', 'authorization.k8s.io/reason': reason };
  }

  /** The object a create or update sent completes the objectRef (audit.LogRequestObject): its namespace, name, uid, resourceVersion where the path named none. */
  requestObject(meta: { namespace?: string; name?: string; uid?: string; resourceVersion?: string } | undefined): void {
    const ref = this.objectRef;
    if (!ref || !meta) return;
    if (!ref.namespace && typeof meta.namespace === 'string') ref.namespace = meta.namespace;
    if (!ref.name && typeof meta.name === 'string') ref.name = meta.name;
    if (!ref.uid && typeof meta.uid === 'string') ref.uid = meta.uid;
    if (!ref.resourceVersion && typeof meta.resourceVersion === 'string') ref.resourceVersion = meta.resourceVersion;
  }

  /** The response's headers went out: ResponseStarted for a long-running request. */
  responseStarted(code: number, status?: Status): void {
    if (this.started || this.done) return;
    this.started = true;
    this.startedCode = code;
    this.startedStatus = status;
    if (this.longRunning) this.emit('ResponseStarted', code, status);
  }

  /** The response is over (or its client went away): ResponseComplete, once; by default with what it started with. */
  complete(code = this.startedCode, status: Status | undefined = this.startedStatus): void {
    if (this.done) return;
    if (this.longRunning && !this.started) this.responseStarted(code, status);
    this.done = true;
    this.emit('ResponseComplete', code, status);
  }

  /** A request that failed authentication: one ResponseStarted event with an empty user, and nothing after. */
  unauthenticated(a: RequestAttributes, status: Status): void {
    if (this.done) return;
    this.evaluate(undefined, a);
    this.done = true;
    this.started = true;
    if (this.keepsResponseBody) this.responseJson = JSON.stringify(status);
    this.emit('ResponseStarted', status.code ?? 401, status);
  }

  private emit(stage: AuditStage, code: number, status: Status | undefined): void {
    const rule = this.rule;
    if (rule.level === 'None' || rule.omitStages.includes(stage)) return;
    this.log.write(
      auditEventLine({
        level: rule.level,
        auditID: this.auditID,
        stage,
        requestURI: this.source.requestURI,
        verb: this.verb,
        user: this.user,
        impersonatedUser: this.impersonatedUser,
        sourceIPs: this.source.sourceIPs,
        userAgent: this.source.userAgent,
        objectRef: this.objectRef,
        code,
        status,
        requestObject: this.requestJson,
        responseObject: this.responseJson,
        requestReceivedTimestamp: this.receivedAt,
        stageTimestamp: nowMicroTime(),
        annotations: this.annotations,
      }),
    );
  }
}
