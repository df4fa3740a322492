// Kubernetes' authorizer.Attributes and Decision. Every request (REST, watch, stream
// upgrade, gRPC unary, gRPC Exchange, the agent tunnel) is turned into Attributes and asked
// of the chain `--authorization-mode=Node,RBAC` before anything is read or written.
// Authorizers answer synchronously from in-memory caches fed by the registry's watches, so
// a decision costs no I/O on the request path.
import type { UserInfo } from '../auth/types.js';

export interface Attributes {
  user: UserInfo;
  /** get list watch create update patch delete deletecollection; impersonate bind escalate use approve sign; for non-resource requests the lower-cased HTTP method. */
  verb: string;
  /** false for non-resource URLs (/healthz, /version, /apis, /openapi/v2, /metrics). */
  resourceRequest: boolean;
  /** The request path, for non-resource requests. */
  path: string;
  apiGroup: string;
  apiVersion: string;
  /** The plural ("pods"); "" for non-resource requests. */
  resource: string;
  subresource: string;
  /** "" for cluster-scoped resources and for all-namespace lists. */
  namespace: string;
  /** "" for collections. */
  name: string;
  /** list/watch: the request's fieldSelector as sent (the Node authorizer lets a node list pods only with spec.nodeName=<itself>); undefined when the face does not pass it. */
  fieldSelector?: string;
}

export type Decision = 'Allow' | 'Deny' | 'NoOpinion';

export interface AuthorizationResult {
  decision: Decision;
  /** Why, for logs and for SubjectAccessReview's status.reason. */
  reason: string;
}

export interface Authorizer {
  readonly name: string;
  authorize(a: Attributes): AuthorizationResult;
}

/** What a user may do in a namespace, for SelfSubjectRulesReview (`kubectl auth can-i --list`). */
export interface ResourceRule {
  verbs: string[];
  apiGroups: string[];
  resources: string[];
  resourceNames?: string[];
}
export interface NonResourceRule {
  verbs: string[];
  nonResourceURLs: string[];
}
export interface RuleResolver {
  rulesFor(user: UserInfo, namespace: string): { resourceRules: ResourceRule[]; nonResourceRules: NonResourceRule[]; incomplete: boolean; evaluationError?: string };
}

/** What an authorizer is built from: the registry whose watches feed its caches. */
export interface AuthorizerDeps {
  registry: import('../registry/types.js').Registry;
  logger?: import('pino').Logger;
}
