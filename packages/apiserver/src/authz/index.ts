// Authorization for every request of both faces: the chain of --authorization-mode (the
// privileged group first, then AlwaysAllow / AlwaysDeny / Node / RBAC as listed), the RBAC
// caches it reads, the bootstrap policy reconciled at start and the escalation check.
import { Counter, type Registry as MetricsRegistry } from 'prom-client';
import type { Logger } from 'pino';
import type { ApiError } from '@k8ts/api';
import type { UserInfo } from '../auth/types.js';
import type { Registry } from '../registry/types.js';
import type { Attributes, AuthorizationResult, Authorizer, RuleResolver } from './types.js';
import { alwaysAllow, alwaysDeny, parseAuthorizationModes, privilegedGroups, runChain, type AuthorizationMode } from './chain.js';
import { forbiddenError } from './forbidden.js';
import { RbacCache } from './rbac/cache.js';
import { RbacAuthorizer, rulesOfUser } from './rbac/authorizer.js';
import { createNodeAuthorizer } from './node/index.js';
import { escalationCheck } from './escalation.js';
import { reconcileBootstrapPolicy } from './bootstrap/reconcile.js';
import type { PolicyRule } from './rbac/rules.js';

export type { Attributes, AuthorizationResult, Authorizer, RuleResolver } from './types.js';
export { parseAuthorizationModes, AUTHORIZATION_MODES, type AuthorizationMode } from './chain.js';
export { forbiddenError, forbiddenMessage } from './forbidden.js';
export { resourceAttributes, nonResourceAttributes, grpcAttributes, resourceVerb, ANONYMOUS } from './request-attributes.js';
export { nodeRules } from './bootstrap/components.js';
export { reconcileBootstrapPolicy, BOOTSTRAP_CLUSTER_ROLES } from './bootstrap/reconcile.js';
export { BOOTSTRAP_BINDINGS, DNS_USER } from './bootstrap/bindings.js';
export { ruleAllows, type PolicyRule } from './rbac/rules.js';
export { covers } from './rbac/coverage.js';

export interface Authorization extends RuleResolver {
  readonly modes: readonly AuthorizationMode[];
  authorize(a: Attributes): AuthorizationResult;
  /** The 403 to answer when `a` is not allowed; undefined when it is. `seen` learns the decision and its reason (the audit's annotations). */
  refusal(a: Attributes, seen?: (r: AuthorizationResult) => void): ApiError | undefined;
  stop(): void;
}

export interface AuthorizationOptions {
  registry: Registry;
  /** --authorization-mode; default AlwaysAllow, as kube-apiserver. */
  modes?: string | readonly string[];
  logger?: Logger;
  metricsRegistry?: MetricsRegistry;
  /** Create and reconcile the bootstrap roles and bindings (default true). */
  bootstrapPolicy?: boolean;
}

/** Builds the chain, fills its caches, reconciles the bootstrap policy, registers the escalation check. */
export async function startAuthorization(opts: AuthorizationOptions): Promise<Authorization> {
  const modes = parseAuthorizationModes(opts.modes ?? 'AlwaysAllow');
  const { registry, logger } = opts;
  if (opts.bootstrapPolicy !== false) await reconcileBootstrapPolicy(registry, logger);
  const cache = new RbacCache(registry, logger);
  await cache.start();
  const rbac = new RbacAuthorizer(cache);
  const stops: (() => void)[] = [() => cache.close()];
  const chain: Authorizer[] = [privilegedGroups];
  for (const m of modes) {
    if (m === 'AlwaysAllow') chain.push(alwaysAllow);
    else if (m === 'AlwaysDeny') chain.push(alwaysDeny);
    else if (m === 'RBAC') chain.push(rbac);
    else {
      const node = createNodeAuthorizer({ registry, logger });
      stops.push(() => node.stop());
      chain.push(node);
    }
  }
  const decisions = opts.metricsRegistry
    ? new Counter({ name: 'apiserver_authorization_decisions_total', help: 'Authorization decisions by decision', labelNames: ['decision'], registers: [opts.metricsRegistry] })
    : undefined;
  const allowedCount = decisions?.labels('allowed');
  const deniedCount = decisions?.labels('denied');
  const authorize = (a: Attributes): AuthorizationResult => runChain(chain, a);
  const rbacEnabled = modes.includes('RBAC');

  registry.registerAdmission(
    escalationCheck({
      allowed: (a) => authorize(a).decision === 'Allow',
      rulesOf: (user, ns) => rulesOfUser(cache, user, ns),
      // The cache may not have seen a role written a moment ago: then read it.
      roleRules: async (kind, name, ns) => {
        const cached = cache.rulesOf({ key: '', namespace: kind === 'Role' ? ns : '', roleKind: kind, roleName: name });
        if (cached || (kind !== 'Role' && kind !== 'ClusterRole')) return cached;
        try {
          const o = (await registry.get(kind === 'Role' ? 'roles' : 'clusterroles', kind === 'Role' ? ns : '', name)) as { rules?: PolicyRule[] };
          return Array.isArray(o.rules) ? o.rules : [];
        } catch {
          return undefined;
        }
      },
    }),
  );

  return {
    modes,
    authorize,
    refusal(a, seen) {
      const r = runChain(chain, a);
      seen?.(r);
      if (r.decision === 'Allow') {
        allowedCount?.inc();
        return undefined;
      }
      deniedCount?.inc();
      if (logger?.isLevelEnabled('debug'))
        logger.debug({ user: a.user?.name, verb: a.verb, resource: a.resourceRequest ? a.resource : undefined, subresource: a.subresource || undefined, namespace: a.namespace || undefined, path: a.resourceRequest ? undefined : a.path }, 'forbidden');
      // WithAuthorization hands the chain's reason to responsewriters.Forbidden whatever the
      // decision: a node's refusal ends in ": no relationship found between node …".
      return forbiddenError(a, r.reason);
    },
    rulesFor(user: UserInfo, namespace: string) {
      if (!rbacEnabled) return { resourceRules: [], nonResourceRules: [], incomplete: true, evaluationError: 'RBAC is not among the authorization modes' };
      return rbac.rulesFor(user, namespace);
    },
    stop() {
      for (const s of stops) s();
    },
  };
}
