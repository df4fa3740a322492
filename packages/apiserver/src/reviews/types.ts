// What the reviews are answered from: the authorizer chain (authz/types.ts) and, for
// TokenReview, the authenticator chain. Taken as dependencies so the reviews ask exactly what
// every request is asked.
import type { Attributes, AuthorizationResult, RuleResolver } from '../authz/types.js';
import type { Credentials, UserInfo } from '../auth/types.js';

export type Authorize = (a: Attributes) => AuthorizationResult;

export interface ReviewDeps {
  authorize: Authorize;
  rulesFor: RuleResolver['rulesFor'];
  /** The authenticator chain, for TokenReview; without it a TokenReview is answered unauthenticated. */
  authenticate?: (c: Credentials) => UserInfo | null | Promise<UserInfo | null>;
}

/** kube-apiserver's --authorization-mode=AlwaysAllow: what answers while no authorizer is configured. */
export const ALWAYS_ALLOW: ReviewDeps = {
  authorize: () => ({ decision: 'Allow', reason: '' }),
  rulesFor: () => ({
    resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
    nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
    incomplete: false,
  }),
};
