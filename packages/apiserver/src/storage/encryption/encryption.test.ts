import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDecipheriv, randomBytes } from 'node:crypto';
import { parseEncryptionConfig } from './config.js';
import { ValueTransformer, EncryptionError } from './transformer.js';

const k32 = () => randomBytes(32).toString('base64');
const cfg = (providers: string) => `
apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
- resources: [secrets, configmaps]
  providers:
${providers}
`;
const SECRET = '/registry/secrets/default/s';
const plain = Buffer.from('{"kind":"Secret","data":{"p":"aHVudGVyMg=="}}');

test('each provider round-trips, writes its upstream prefix, and the plaintext is not in the stored bytes', () => {
  for (const kind of ['aesgcm', 'aescbc', 'secretbox']) {
    const t = new ValueTransformer(parseEncryptionConfig(cfg(`  - ${kind}:\n      keys: [{name: k1, secret: ${k32()}}]`)));
    const stored = t.toStorage(SECRET, plain);
    assert.ok(stored.toString('latin1').startsWith(`k8s:enc:${kind}:v1:k1:`), kind);
    assert.equal(stored.includes(Buffer.from('aHVudGVyMg')), false, `${kind}: no plaintext`);
    assert.deepEqual(t.fromStorage(SECRET, stored), { value: plain, stale: false });
  }
});

test('aesgcm is bound to its etcd key; a value moved to another key does not decrypt', () => {
  const t = new ValueTransformer(parseEncryptionConfig(cfg(`  - aesgcm:\n      keys: [{name: k1, secret: ${k32()}}]`)));
  const stored = t.toStorage(SECRET, plain);
  assert.throws(() => t.fromStorage('/registry/secrets/default/other', stored), EncryptionError);
});

test('aescbc is the format upstream reads: prefix, IV, AES-CBC with PKCS#7', () => {
  const key = randomBytes(32);
  const t = new ValueTransformer(parseEncryptionConfig(cfg(`  - aescbc:\n      keys: [{name: key1, secret: ${key.toString('base64')}}]`)));
  const stored = t.toStorage(SECRET, plain);
  const body = stored.subarray('k8s:enc:aescbc:v1:key1:'.length);
  const d = createDecipheriv('aes-256-cbc', key, body.subarray(0, 16));
  assert.deepEqual(Buffer.concat([d.update(body.subarray(16)), d.final()]), plain);
});

test('rotation: a new first key writes, the old key still reads (stale), identity reads plaintext written before', () => {
  const old = k32();
  const before = new ValueTransformer(parseEncryptionConfig(cfg(`  - identity: {}`)));
  const unencrypted = before.toStorage(SECRET, plain);
  assert.deepEqual(unencrypted, plain, 'identity stores plaintext');
  const v1 = new ValueTransformer(parseEncryptionConfig(cfg(`  - secretbox:\n      keys: [{name: old, secret: ${old}}]\n  - identity: {}`)));
  assert.deepEqual(v1.fromStorage(SECRET, unencrypted), { value: plain, stale: true });
  const byOld = v1.toStorage(SECRET, plain);
  const v2 = new ValueTransformer(parseEncryptionConfig(cfg(`  - secretbox:\n      keys: [{name: new, secret: ${k32()}}, {name: old, secret: ${old}}]`)));
  assert.deepEqual(v2.fromStorage(SECRET, byOld), { value: plain, stale: true });
  assert.ok(v2.toStorage(SECRET, plain).toString('latin1').startsWith('k8s:enc:secretbox:v1:new:'));
  assert.throws(() => v2.fromStorage(SECRET, unencrypted), /identity is not a provider/);
});

test('resources not named pass through; groups and wildcards match as upstream', () => {
  const t = new ValueTransformer(parseEncryptionConfig(`
apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
- resources: ["*.apps"]
  providers: [{aesgcm: {keys: [{name: a, secret: ${k32()}}]}}]
`));
  assert.equal(t.applies(SECRET), false);
  assert.deepEqual(t.toStorage(SECRET, plain), plain);
  assert.equal(t.applies('/registry/deployments/default/web'), true);
});

test('bad configurations are refused with the reason', () => {
  assert.throws(() => parseEncryptionConfig('kind: X'), /expected kind EncryptionConfiguration/);
  assert.throws(() => parseEncryptionConfig(cfg(`  - aesgcm:\n      keys: [{name: k, secret: c2hvcnQ=}]`)), /a base64 key of 16, 24, 32 bytes/);
  assert.throws(() => parseEncryptionConfig(cfg(`  - kms: {name: x}`)), /provider "kms" is not supported/);
  assert.throws(() => parseEncryptionConfig(cfg(`  - secretbox:\n      keys: [{name: "a:b", secret: ${k32()}}]`)), /without ':'/);
});
