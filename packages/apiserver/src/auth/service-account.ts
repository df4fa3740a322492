// The service account token authenticator (kube-apiserver's serviceaccount.JWTTokenAuthenticator
// with the bound-token validator): a JWT of one of our issuers, signed by one of our keys,
// for one of our API audiences, not expired, whose service account (and pod or secret, when
// bound) still exists with the uid the token names. Everything is answered from memory.
import type { Logger } from 'pino';
import { unauthorized } from '../registry/errors.js';
import { bearerToken } from './authenticate.js';
import type { Authenticator, Credentials, UserInfo } from './types.js';
import type { VerificationKey } from '../serviceaccount/keys.js';
import type { ServiceAccountCaches } from '../serviceaccount/object-cache.js';
import { audiences, checkTimes, kubernetesClaims, parseJwt, signatureValid, TokenInvalid } from '../serviceaccount/jwt.js';

/** How long a pod-bound token stays valid after its pod was marked for deletion (Kubernetes: 60 s). */
const POD_DELETION_GRACE_MS = 60_000;

export interface ServiceAccountAuthenticatorOptions {
  keys: readonly VerificationKey[];
  /** --service-account-issuer values; a token of any other issuer is not ours. */
  issuers: readonly string[];
  /** --api-audiences: a token must name at least one. */
  apiAudiences: readonly string[];
  caches: Pick<ServiceAccountCaches, 'serviceaccounts' | 'pods' | 'secrets'>;
  logger?: Logger;
  now?: () => number;
}

export const SERVICE_ACCOUNT_PREFIX = 'system:serviceaccount:';

export function serviceAccountUsername(namespace: string, name: string): string {
  return `${SERVICE_ACCOUNT_PREFIX}${namespace}:${name}`;
}

export function createServiceAccountAuthenticator(o: ServiceAccountAuthenticatorOptions): Authenticator & { authenticate(c: Credentials): UserInfo | null } {
  const now = o.now ?? Date.now;
  const fail = (reason: string): never => {
    o.logger?.debug({ reason }, 'service account token refused');
    throw unauthorized();
  };
  return {
    name: 'serviceaccount',
    authenticate(c: Credentials): UserInfo | null {
      const token = bearerToken(c.authorization);
      if (!token) return null;
      const jwt = parseJwt(token);
      if (!jwt || typeof jwt.payload.iss !== 'string' || !o.issuers.includes(jwt.payload.iss)) return null;
      try {
        if (!signatureValid(jwt, o.keys)) throw new TokenInvalid('invalid signature');
        checkTimes(jwt.payload, Math.floor(now() / 1000));
        if (!audiences(jwt.payload).some((a) => o.apiAudiences.includes(a))) throw new TokenInvalid('token audiences do not match the API audiences');
        const k = kubernetesClaims(jwt.payload);
        const sub = serviceAccountUsername(k.namespace, k.serviceaccount.name);
        if (jwt.payload.sub !== sub) throw new TokenInvalid('sub does not match the kubernetes.io claim');
        const sa = o.caches.serviceaccounts.get(k.namespace, k.serviceaccount.name);
        if (!sa || sa.uid !== k.serviceaccount.uid) throw new TokenInvalid(`service account ${k.namespace}/${k.serviceaccount.name} no longer exists`);
        if (sa.deletionMs !== undefined) throw new TokenInvalid(`service account ${k.namespace}/${k.serviceaccount.name} is being deleted`);
        const extra: Record<string, string[]> = {};
        if (k.pod) {
          const pod = o.caches.pods.get(k.namespace, k.pod.name);
          if (!pod || pod.uid !== k.pod.uid) throw new TokenInvalid(`pod ${k.namespace}/${k.pod.name} no longer exists`);
          if (pod.deletionMs !== undefined && pod.deletionMs + POD_DELETION_GRACE_MS < now()) throw new TokenInvalid(`pod ${k.namespace}/${k.pod.name} is being deleted`);
          extra['authentication.kubernetes.io/pod-name'] = [k.pod.name];
          extra['authentication.kubernetes.io/pod-uid'] = [k.pod.uid];
        }
        if (k.secret) {
          const secret = o.caches.secrets.get(k.namespace, k.secret.name);
          if (!secret || secret.uid !== k.secret.uid) throw new TokenInvalid(`secret ${k.namespace}/${k.secret.name} no longer exists`);
        }
        if (k.node) {
          extra['authentication.kubernetes.io/node-name'] = [k.node.name];
          extra['authentication.kubernetes.io/node-uid'] = [k.node.uid];
        }
        if (typeof jwt.payload.jti === 'string' && jwt.payload.jti) extra['authentication.kubernetes.io/credential-id'] = [`JTI=${jwt.payload.jti}`];
        return {
          name: sub,
          uid: k.serviceaccount.uid,
          groups: ['system:serviceaccounts', `system:serviceaccounts:${k.namespace}`, 'system:authenticated'],
          extra,
        };
      } catch (e) {
        if (e instanceof TokenInvalid) return fail(e.message);
        throw e;
      }
    },
  };
}
