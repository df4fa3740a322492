// Service accounts in the apiserver: the token keys, the caches the authenticator reads,
// the TokenRequest subresource, the ServiceAccount admission plugin and the authenticator.
// With no key configured none of it is on (no token can be minted or verified).
import type { Logger } from 'pino';
import type { EtcdRegistry } from '../registry/registry.js';
import { loadServiceAccountKeys } from '../serviceaccount/keys.js';
import { DEFAULT_ISSUER } from '../serviceaccount/jwt.js';
import { startServiceAccountCaches } from '../serviceaccount/object-cache.js';
import { tokenRequestHandler } from '../serviceaccount/token-request.js';
import { createServiceAccountAdmission } from '../admission/service-account.js';
import { createServiceAccountAuthenticator } from '../auth/service-account.js';
import type { Credentials, UserInfo } from '../auth/types.js';

export interface ServiceAccountOptions {
  /** --service-account-signing-key-file: the private key tokens are signed with. */
  serviceAccountSigningKeyFile?: string;
  /** --service-account-key-file (repeatable): more keys that verify tokens. */
  serviceAccountKeyFiles?: string[];
  /** --service-account-issuer (repeatable): the first issues tokens, all are accepted. */
  serviceAccountIssuers?: string[];
  /** --api-audiences: audiences a token must name; default the issuers. */
  apiAudiences?: string[];
}

export interface ServiceAccounts {
  authenticator?: { name: string; authenticate(c: Credentials): UserInfo | null };
  stop(): void;
}

export async function setupServiceAccounts(registry: EtcdRegistry, o: ServiceAccountOptions, logger?: Logger): Promise<ServiceAccounts> {
  const keys = loadServiceAccountKeys(o.serviceAccountSigningKeyFile, o.serviceAccountKeyFiles ?? []);
  if (!keys.verifying.length) return { stop() {} };
  const issuers = o.serviceAccountIssuers?.length ? o.serviceAccountIssuers : [DEFAULT_ISSUER];
  const apiAudiences = o.apiAudiences?.length ? o.apiAudiences : issuers;
  const caches = await startServiceAccountCaches(registry, logger);
  if (keys.signing) {
    registry.registerSubresource('serviceaccounts', 'token', tokenRequestHandler(registry, { key: keys.signing, issuer: issuers[0], apiAudiences, caches }));
    registry.registerAdmission(createServiceAccountAdmission({ registry, serviceaccounts: caches.serviceaccounts }));
  }
  const authenticator = createServiceAccountAuthenticator({ keys: keys.verifying, issuers, apiAudiences, caches, logger });
  return { authenticator, stop: () => caches.close() };
}
