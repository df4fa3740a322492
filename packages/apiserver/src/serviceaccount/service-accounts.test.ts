// TokenRequest, the service account authenticator and ServiceAccount admission over the real
// registry on the in-memory etcd.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { ApiError, type KubeObject } from '@k8ts/api';
import { EtcdRegistry } from '../registry/registry.js';
import { memoryStore } from '../storage/memory-kv.js';
import { setupServiceAccounts, type ServiceAccounts } from '../server/service-accounts.js';
import { signingKeyFromPem } from './keys.js';
import { signToken, DEFAULT_ISSUER } from './jwt.js';
import { TOKEN_MOUNT_PATH } from '../admission/service-account.js';

const logger = pino({ level: 'silent' });
const dir = mkdtempSync(join(tmpdir(), 'k8ts-sa-'));
const pem = (k: ReturnType<typeof generateKeyPairSync>['privateKey']) => k.export({ type: 'pkcs8', format: 'pem' }) as string;
const keyPem = pem(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey);
const otherPem = pem(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey);
writeFileSync(join(dir, 'sa.key'), keyPem);

let registry: EtcdRegistry;
let sa: ServiceAccounts;
const auth = (token: string) => sa.authenticator!.authenticate({ authorization: `Bearer ${token}` });
const is401 = (e: unknown) => e instanceof ApiError && e.code === 401;
const until = async (cond: () => boolean) => {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(cond(), 'condition not reached');
};
const request = (ns: string, name: string, spec: Record<string, unknown> = {}) =>
  registry.createSubresource('serviceaccounts', ns, name, 'token', { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec } as unknown as KubeObject);
const tokenOf = async (ns: string, name: string, spec: Record<string, unknown> = {}) => (await request(ns, name, spec)).status.token as string;
const pod = (name: string, extra: Record<string, unknown> = {}, specExtra: Record<string, unknown> = {}) =>
  ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, ...extra }, spec: { containers: [{ name: 'c', image: 'k8ts/busybox:1.36' }], ...specExtra } }) as unknown as KubeObject;
const codeOf = async (p: Promise<unknown>) => p.then(() => 0, (e: ApiError) => e.code);

before(async () => {
  const memory = memoryStore(logger);
  registry = new EtcdRegistry({ store: memory.store, logger, watch: { logger } });
  await registry.ensureSystemNamespaces();
  sa = await setupServiceAccounts(registry, { serviceAccountSigningKeyFile: join(dir, 'sa.key') }, logger);
  await registry.create('serviceaccounts', 'default', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default' } } as KubeObject);
  await registry.create('serviceaccounts', 'default', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'quiet' }, automountServiceAccountToken: false } as unknown as KubeObject);
});

after(async () => {
  sa.stop();
  await registry.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('TokenRequest', () => {
  it('mints a token for the service account with Kubernetes claims and defaults', async () => {
    const res = await request('default', 'default');
    assert.deepEqual(res.spec.audiences, [DEFAULT_ISSUER]);
    assert.equal(res.spec.expirationSeconds, 3600);
    const [, payload] = (res.status.token as string).split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const stored = await registry.get('serviceaccounts', 'default', 'default');
    assert.equal(claims.iss, DEFAULT_ISSUER);
    assert.equal(claims.sub, 'system:serviceaccount:default:default');
    assert.equal(claims.exp - claims.iat, 3600);
    assert.deepEqual(claims['kubernetes.io'], { namespace: 'default', serviceaccount: { name: 'default', uid: stored.metadata.uid } });
    assert.equal(Date.parse(res.status.expirationTimestamp), claims.exp * 1000);
    await until(() => { try { return !!auth(res.status.token); } catch { return false; } });
    const user = auth(res.status.token)!;
    assert.equal(user.name, 'system:serviceaccount:default:default');
    assert.equal(user.uid, stored.metadata.uid);
    assert.deepEqual(user.groups, ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated']);
    assert.deepEqual(user.extra?.['authentication.kubernetes.io/credential-id'], [`JTI=${claims.jti}`]);
  });

  it('refuses bad requests with Kubernetes errors', async () => {
    const err = await request('default', 'default', { expirationSeconds: 599 }).catch((e: ApiError) => e);
    assert.equal((err as ApiError).code, 422);
    assert.match((err as ApiError).message, /spec.expirationSeconds: Invalid value: 599: may not specify a duration less than 10 minutes/);
    assert.equal(await codeOf(request('default', 'nobody')), 404);
    assert.equal(await codeOf(request('default', 'default', { expirationSeconds: 'x' })), 422);
    assert.equal(await codeOf(request('default', 'default', { audiences: [1] })), 422);
    assert.equal(await codeOf(request('default', 'default', { boundObjectRef: { kind: 'Deployment', name: 'x' } })), 422);
    assert.equal(await codeOf(request('default', 'default', { boundObjectRef: { kind: 'Pod', name: 'absent' } })), 404);
    assert.equal(await codeOf(request('default', 'default', { boundObjectRef: { kind: 'Pod', name: '../../secrets/default/x' } })), 422);
    assert.equal(await codeOf(request('default', 'default', { boundObjectRef: { kind: 'Pod', name: 'p', uid: 5 } })), 422);
    assert.equal(await codeOf(request('default', 'default', { expirationSeconds: 2 ** 40 })), 422);
    assert.equal(await codeOf(registry.createSubresource('serviceaccounts', 'default', 'default', 'token', { kind: 'Pod' } as unknown as KubeObject)), 400);
    assert.equal(await codeOf(registry.createSubresource('serviceaccounts', 'default', 'default', 'token', { metadata: { name: 'other' } } as unknown as KubeObject)), 400);
    assert.equal(await codeOf(registry.createSubresource('serviceaccounts', 'default', 'default', 'token', { spec: [] } as unknown as KubeObject)), 422);
    // A PATCH of the token subresource is not a write of the service account.
    assert.equal(await codeOf(registry.patch('serviceaccounts', 'default', 'default', 'application/merge-patch+json', '{"metadata":{"labels":{"a":"b"}}}', { subresource: 'token' })), 405);
    assert.equal((await registry.get('serviceaccounts', 'default', 'default')).metadata.labels, undefined);
    assert.equal(await codeOf(registry.createSubresource('serviceaccounts', 'default', 'default', 'token', 'x' as unknown as KubeObject)), 400);
  });
});

describe('service account authenticator', () => {
  it('passes on what is not a token of its issuer and refuses forged, expired and foreign-audience tokens', async () => {
    assert.equal(auth('static-token'), null);
    assert.equal(auth('a.b.c'), null);
    const stored = await registry.get('serviceaccounts', 'default', 'default');
    const now = Math.floor(Date.now() / 1000);
    const claims = (over: Record<string, unknown> = {}) => ({
      iss: DEFAULT_ISSUER, sub: 'system:serviceaccount:default:default', aud: [DEFAULT_ISSUER], iat: now, nbf: now, exp: now + 600, jti: randomUUID(),
      'kubernetes.io': { namespace: 'default', serviceaccount: { name: 'default', uid: stored.metadata.uid! } }, ...over,
    });
    const good = await signToken(signingKeyFromPem(keyPem), claims() as any);
    assert.equal(auth(good)!.name, 'system:serviceaccount:default:default');
    assert.throws(() => auth(good.slice(0, -4) + 'AAAA'), is401);
    assert.throws(() => auth(signTokenSync(otherPem, claims())), is401);
    assert.throws(() => auth(signTokenSync(keyPem, claims({ exp: now - 120, iat: now - 800, nbf: now - 800 }))), is401);
    assert.throws(() => auth(signTokenSync(keyPem, claims({ aud: ['https://elsewhere'] }))), is401);
    assert.throws(() => auth(signTokenSync(keyPem, claims({ sub: 'system:serviceaccount:kube-system:default' }))), is401);
    assert.throws(() => auth(signTokenSync(keyPem, claims({ 'kubernetes.io': { namespace: 'default', serviceaccount: { name: 'default', uid: 'other' } } }))), is401);
  });

  it('refuses a token minted for another audience (the apiserver accepts only its --api-audiences)', async () => {
    const token = await tokenOf('default', 'default', { audiences: ['vault'] });
    assert.deepEqual(JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).aud, ['vault']);
    assert.throws(() => auth(token), is401);
  });

  it('refuses a pod-bound token once its pod is gone, and a token of a recreated service account', async () => {
    await registry.create('pods', 'default', pod('bound'));
    const p = await registry.get('pods', 'default', 'bound');
    assert.equal(await codeOf(request('default', 'default', { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'bound', uid: 'wrong' } })), 409);
    assert.equal(await codeOf(request('default', 'quiet', { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'bound' } })), 400);
    const token = await tokenOf('default', 'default', { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'bound', uid: p.metadata.uid } });
    const user = auth(token)!;
    assert.deepEqual(user.extra?.['authentication.kubernetes.io/pod-name'], ['bound']);
    assert.deepEqual(user.extra?.['authentication.kubernetes.io/pod-uid'], [p.metadata.uid]);
    await registry.delete('pods', 'default', 'bound', { gracePeriodSeconds: 0 });
    await until(() => { try { auth(token); return false; } catch (e) { return is401(e); } });

    await registry.create('serviceaccounts', 'default', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'temp' } } as KubeObject);
    const t2 = await tokenOf('default', 'temp');
    assert.ok(auth(t2));
    await registry.delete('serviceaccounts', 'default', 'temp');
    await registry.create('serviceaccounts', 'default', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'temp' } } as KubeObject);
    await until(() => { try { auth(t2); return false; } catch (e) { return is401(e); } });
  });
});

describe('ServiceAccount admission', () => {
  it('mounts the projected token volume in every container unless automount is off', async () => {
    const p = await registry.create('pods', 'default', pod('mounted', {}, { initContainers: [{ name: 'i', image: 'k8ts/busybox:1.36' }] }));
    assert.equal(p.spec.serviceAccountName, 'default');
    const vol = p.spec.volumes.find((v: any) => v.name.startsWith('kube-api-access-'));
    assert.match(vol.name, /^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    assert.deepEqual(vol.projected.sources.map((s: any) => Object.keys(s)[0]), ['serviceAccountToken', 'configMap', 'downwardAPI']);
    assert.equal(vol.projected.sources[0].serviceAccountToken.expirationSeconds, 3607);
    for (const c of [...p.spec.initContainers, ...p.spec.containers]) {
      assert.deepEqual(c.volumeMounts, [{ name: vol.name, readOnly: true, mountPath: TOKEN_MOUNT_PATH }]);
    }
    const off = await registry.create('pods', 'default', pod('off', {}, { automountServiceAccountToken: false }));
    assert.equal(off.spec.volumes, undefined);
    const quiet = await registry.create('pods', 'default', pod('quiet', {}, { serviceAccountName: 'quiet' }));
    assert.equal(quiet.spec.volumes, undefined);
    const forced = await registry.create('pods', 'default', pod('forced', {}, { serviceAccountName: 'quiet', automountServiceAccountToken: true }));
    assert.equal(forced.spec.volumes.length, 1);
  });

  it('refuses a pod whose service account does not exist', async () => {
    const err = await registry.create('pods', 'default', pod('orphan', {}, { serviceAccountName: 'nobody' })).catch((e: ApiError) => e);
    assert.equal((err as ApiError).code, 403);
    assert.equal((err as ApiError).message, 'pods "orphan" is forbidden: error looking up service account default/nobody: serviceaccount "nobody" not found');
  });
});

function signTokenSync(keyText: string, claims: Record<string, unknown>): string {
  const key = signingKeyFromPem(keyText);
  const header = Buffer.from(JSON.stringify({ alg: 'RS256', kid: key.kid })).toString('base64url');
  const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
  const sig = sign('sha256', Buffer.from(`${header}.${body}`), key.privateKey).toString('base64url');
  return `${header}.${body}.${sig}`;
}
