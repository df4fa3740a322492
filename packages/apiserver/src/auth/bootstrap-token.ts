// The bootstrap token authenticator (plugin/pkg/auth/authenticator/token/bootstrap):
// `Bearer <id>.<secret>` is user system:bootstrap:<id> in system:bootstrappers (plus the
// Secret's auth-extra-groups) while kube-system/bootstrap-token-<id> exists, is not being
// deleted, allows authentication and has not expired. The Secrets are read from a cache fed
// by a watch, so a request costs no etcd read. As in Kubernetes, a token this authenticator
// cannot vouch for is "not mine" (null), and the chain ends in 401 when nobody claims it.
import { timingSafeEqual } from 'node:crypto';
import type { KubeObject, WatchEvent } from '@k8ts/api';
import {
  BOOTSTRAP_DEFAULT_GROUP,
  BOOTSTRAP_GROUP_RE,
  BOOTSTRAP_TOKEN_ID_KEY,
  BOOTSTRAP_TOKEN_RE,
  BOOTSTRAP_TOKEN_SECRET_KEY,
  BOOTSTRAP_TOKEN_SECRET_PREFIX,
  BOOTSTRAP_TOKEN_SECRET_TYPE,
  BOOTSTRAP_USER_PREFIX,
  bootstrapExtraGroups,
  isBootstrapTokenExpired,
  secretValue,
} from '@k8ts/api';
import type { Logger } from 'pino';
import type { Registry, RegistryWatch } from '../registry/types.js';
import type { Authenticator, Credentials, UserInfo } from './types.js';
import { bearerToken } from './authenticate.js';

const NAMESPACE = 'kube-system';

/** kube-system's bootstrap token Secrets by name, kept from a list and a watch. */
export class BootstrapTokenCache {
  private readonly secrets = new Map<string, KubeObject>();
  private watch?: RegistryWatch;
  private closed = false;

  constructor(
    private readonly registry: Registry,
    private readonly logger?: Logger,
  ) {}

  async start(): Promise<void> {
    const list = await this.registry.list('secrets', { namespace: NAMESPACE });
    this.secrets.clear();
    for (const s of list.items) this.put(s);
    this.watch = this.registry.watch('secrets', { namespace: NAMESPACE, resourceVersion: list.metadata.resourceVersion }, (ev) => this.onEvent(ev));
  }

  get(name: string): KubeObject | undefined {
    return this.secrets.get(name);
  }

  private onEvent(ev: WatchEvent): void {
    if (ev.type === 'ERROR') {
      // The watch ended (compaction): nothing is trusted until a fresh list.
      this.secrets.clear();
      if (!this.closed) this.restart();
      return;
    }
    if (ev.type === 'DELETED') this.secrets.delete(ev.object.metadata?.name ?? '');
    else if (ev.type === 'ADDED' || ev.type === 'MODIFIED') this.put(ev.object);
  }

  private restart(): void {
    this.watch?.stop();
    this.start().catch((err) => {
      this.logger?.warn({ err: (err as Error).message }, 'bootstrap token cache restart failed; retrying');
      setTimeout(() => !this.closed && this.restart(), 1000).unref();
    });
  }

  private put(s: KubeObject): void {
    const name = s.metadata?.name ?? '';
    if ((s as { type?: string }).type === BOOTSTRAP_TOKEN_SECRET_TYPE && name.startsWith(BOOTSTRAP_TOKEN_SECRET_PREFIX)) this.secrets.set(name, s);
    else this.secrets.delete(name);
  }

  close(): void {
    this.closed = true;
    this.watch?.stop();
  }
}

function sameString(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The user a bootstrap token Secret vouches for, or null when it does not (see the file's comment). */
export function userForBootstrapToken(secret: KubeObject | undefined, id: string, tokenSecret: string, now = Date.now()): UserInfo | null {
  if (!secret || secret.metadata?.deletionTimestamp) return null;
  if ((secret as { type?: string }).type !== BOOTSTRAP_TOKEN_SECRET_TYPE) return null;
  const stored = secretValue(secret, BOOTSTRAP_TOKEN_SECRET_KEY) ?? '';
  if (!sameString(stored, tokenSecret)) return null;
  if (secretValue(secret, BOOTSTRAP_TOKEN_ID_KEY) !== id) return null;
  if (isBootstrapTokenExpired(secret, now)) return null;
  if (secretValue(secret, 'usage-bootstrap-authentication') !== 'true') return null;
  const extra = bootstrapExtraGroups(secret);
  if (extra.some((g) => !BOOTSTRAP_GROUP_RE.test(g))) return null;
  const groups = [...new Set([BOOTSTRAP_DEFAULT_GROUP, ...extra, 'system:authenticated'])];
  return { name: BOOTSTRAP_USER_PREFIX + id, groups };
}

export function createBootstrapTokenAuthenticator(cache: Pick<BootstrapTokenCache, 'get'>, now: () => number = Date.now): Authenticator {
  return {
    name: 'bootstrap-token',
    authenticate(c: Credentials): UserInfo | null {
      const token = bearerToken(c.authorization);
      const m = token ? BOOTSTRAP_TOKEN_RE.exec(token) : null;
      if (!m) return null;
      const [, id, secret] = m;
      return userForBootstrapToken(cache.get(BOOTSTRAP_TOKEN_SECRET_PREFIX + id), id, secret, now());
    },
  };
}

/** The cache started and the authenticator over it (`--enable-bootstrap-token-auth`). */
export async function startBootstrapTokenAuthenticator(registry: Registry, logger?: Logger): Promise<{ authenticator: Authenticator; close(): void }> {
  const cache = new BootstrapTokenCache(registry, logger);
  await cache.start();
  return { authenticator: createBootstrapTokenAuthenticator(cache), close: () => cache.close() };
}
