// Bootstrap tokens as `kubeadm token create` makes them: <id>.<secret> from [a-z0-9], kept in
// kube-system/bootstrap-token-<id> with an expiration, for authentication, in the
// system:bootstrappers:k8ts:default-node-token group.
import { randomInt } from 'node:crypto';
import type { KubeObject } from '@k8ts/api';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
export const DEFAULT_NODE_TOKEN_GROUP = 'system:bootstrappers:k8ts:default-node-token';

function randomString(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += ALPHABET[randomInt(ALPHABET.length)];
  return s;
}

export interface BootstrapToken {
  id: string;
  secret: string;
  /** `<id>.<secret>`, what an agent's --bootstrap-token takes. */
  token: string;
}

export function newBootstrapToken(): BootstrapToken {
  const id = randomString(6);
  const secret = randomString(16);
  return { id, secret, token: `${id}.${secret}` };
}

/** A token as typed on a command line (kubeadm's [a-z0-9]{6}.[a-z0-9]{16}), or undefined. */
export function parseBootstrapToken(text: string): BootstrapToken | undefined {
  const m = /^([a-z0-9]{6})\.([a-z0-9]{16})$/.exec(text.trim());
  return m ? { id: m[1]!, secret: m[2]!, token: `${m[1]}.${m[2]}` } : undefined;
}

/** The Secret of a token; ttlMs 0 means it never expires (as kubeadm's --ttl 0). */
export function bootstrapTokenSecret(t: BootstrapToken, ttlMs: number, groups: string[] = [DEFAULT_NODE_TOKEN_GROUP], now = Date.now()): KubeObject {
  const data: Record<string, string> = {
    'token-id': t.id,
    'token-secret': t.secret,
    'usage-bootstrap-authentication': 'true',
    'usage-bootstrap-signing': 'true',
    description: 'made by k8ts token create',
  };
  if (ttlMs > 0) data.expiration = new Date(now + ttlMs).toISOString().replace(/\.\d+Z$/, 'Z');
  if (groups.length) data['auth-extra-groups'] = groups.join(',');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: `bootstrap-token-${t.id}`, namespace: 'kube-system' },
    type: 'bootstrap.kubernetes.io/token',
    stringData: data,
  } as KubeObject;
}
