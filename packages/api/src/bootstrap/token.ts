// Bootstrap tokens (k8s.io/cluster-bootstrap/token/api): Secrets of type
// bootstrap.kubernetes.io/token named bootstrap-token-<id> in kube-system, whose token
// `<id>.<secret>` authenticates a joining node as system:bootstrap:<id>.
import type { KubeObject } from '../types.js';

export const BOOTSTRAP_TOKEN_SECRET_TYPE = 'bootstrap.kubernetes.io/token';
export const BOOTSTRAP_TOKEN_SECRET_PREFIX = 'bootstrap-token-';
export const BOOTSTRAP_TOKEN_ID_KEY = 'token-id';
export const BOOTSTRAP_TOKEN_SECRET_KEY = 'token-secret';
export const BOOTSTRAP_TOKEN_EXPIRATION_KEY = 'expiration';
export const BOOTSTRAP_TOKEN_USAGE_PREFIX = 'usage-bootstrap-';
export const BOOTSTRAP_TOKEN_EXTRA_GROUPS_KEY = 'auth-extra-groups';
export const BOOTSTRAP_USER_PREFIX = 'system:bootstrap:';
export const BOOTSTRAP_DEFAULT_GROUP = 'system:bootstrappers';

export const BOOTSTRAP_TOKEN_ID_RE = /^[a-z0-9]{6}$/;
export const BOOTSTRAP_TOKEN_SECRET_RE = /^[a-z0-9]{16}$/;
export const BOOTSTRAP_TOKEN_RE = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;
export const BOOTSTRAP_GROUP_RE = /^system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]$/;
export const KNOWN_BOOTSTRAP_USAGES = ['signing', 'authentication'] as const;

/** One decoded value of a Secret's data (base64), or undefined when absent or not a string. */
export function secretValue(secret: KubeObject, key: string): string | undefined {
  const v = (secret as { data?: Record<string, unknown> }).data?.[key];
  return typeof v === 'string' ? Buffer.from(v, 'base64').toString('utf8') : undefined;
}

/** RFC 3339 as Go's time.Parse(time.RFC3339) takes it; undefined when it does not parse. */
export function parseRfc3339(s: string): Date | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(s)) return undefined;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** The expiration of a bootstrap token Secret; undefined when it has none (or it does not parse). */
export function bootstrapTokenExpiration(secret: KubeObject): Date | undefined {
  const v = secretValue(secret, BOOTSTRAP_TOKEN_EXPIRATION_KEY);
  return v === undefined ? undefined : parseRfc3339(v);
}

/** True when the Secret's expiration is set and has passed (an unparsable one counts as expired, as in Kubernetes). */
export function isBootstrapTokenExpired(secret: KubeObject, now = Date.now()): boolean {
  const v = secretValue(secret, BOOTSTRAP_TOKEN_EXPIRATION_KEY);
  if (v === undefined) return false;
  const d = parseRfc3339(v);
  return !d || d.getTime() <= now;
}

/** auth-extra-groups split on commas, trimmed, empty entries dropped. */
export function bootstrapExtraGroups(secret: KubeObject): string[] {
  const v = secretValue(secret, BOOTSTRAP_TOKEN_EXTRA_GROUPS_KEY);
  if (!v) return [];
  return v.split(',').map((g) => g.trim()).filter(Boolean);
}
