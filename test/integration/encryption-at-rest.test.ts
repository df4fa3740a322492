// Secrets encrypted at rest (--encryption-provider-config) against a real etcd: the raw value
// etcd holds is ciphertext in kube-apiserver's format, reads decrypt, and keys rotate by
// putting a new key first, restarting, and rewriting every Secret (a no-op update writes).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Etcd3 } from 'etcd3';
import type { KubeObject } from '@k8ts/api';
import { startApiServer, type ApiServer } from '@k8ts/apiserver';
import { GrpcClient, createLogger } from '@k8ts/client';
import { startEtcd, type TestEtcd } from '../support/etcd.js';

const TOKEN = 'enc-test-token';
let etcd: TestEtcd;
let raw: Etcd3;
let tmp: string;
let api: ApiServer | undefined;
const logger = createLogger('apiserver');
logger.level = 'silent';

const config = (keys: string[]) => `apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
- resources: [secrets]
  providers:
  - secretbox:
      keys:
${keys.map((k, i) => `      - {name: ${k}, secret: ${KEYS[k]}}`).join('\n')}
  - identity: {}
`;
const KEYS: Record<string, string> = { key1: randomBytes(32).toString('base64'), key2: randomBytes(32).toString('base64') };

async function start(keys: string[]): Promise<GrpcClient> {
  await api?.stop();
  const file = path.join(tmp, 'encryption.yaml');
  writeFileSync(file, config(keys), { mode: 0o600 });
  api = await startApiServer({ etcdServers: [etcd.url], port: 0, grpcPort: 0, tokenAuthFile: path.join(tmp, 'tokens.csv'), encryptionProviderConfig: file, logger });
  return new GrpcClient({ server: `127.0.0.1:${api.grpcPort}`, token: TOKEN });
}

const stored = async (key: string) => (await raw.get(key).buffer())!;

before(async () => {
  etcd = await startEtcd();
  raw = new Etcd3({ hosts: etcd.url });
  tmp = mkdtempSync(path.join(os.tmpdir(), 'k8ts-enc-'));
  writeFileSync(path.join(tmp, 'tokens.csv'), `${TOKEN},admin,admin-uid,"system:masters"\n`);
});

after(async () => {
  await api?.stop();
  raw?.close();
  await etcd?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

test('a Secret is ciphertext in etcd and plaintext through the API; ConfigMaps are not encrypted', async () => {
  const c = await start(['key1']);
  try {
    await c.create('secrets', { metadata: { name: 'db', namespace: 'default' }, data: { password: Buffer.from('hunter2-very-secret').toString('base64') } } as KubeObject);
    await c.create('configmaps', { metadata: { name: 'plain', namespace: 'default' }, data: { a: 'visible' } } as KubeObject);
    const v = await stored('/registry/secrets/default/db');
    assert.ok(v.toString('latin1').startsWith('k8s:enc:secretbox:v1:key1:'), v.subarray(0, 40).toString('latin1'));
    assert.equal(v.includes(Buffer.from(Buffer.from('hunter2-very-secret').toString('base64'))), false);
    assert.equal(v.includes(Buffer.from('"db"')), false, 'not even the name is in the clear');
    assert.ok((await stored('/registry/configmaps/default/plain')).toString().includes('visible'));
    const got = await c.get<KubeObject>('secrets', 'default', 'db');
    assert.equal(Buffer.from((got.data as Record<string, string>).password, 'base64').toString(), 'hunter2-very-secret');
    // the watch path decrypts too
    const list = await c.list('secrets', { namespace: 'default' });
    assert.deepEqual(list.items.map((i) => i.metadata.name), ['db']);
  } finally {
    c.close();
  }
});

test('rotation: key2 first, key1 still reads; rewriting every Secret moves it to key2; then key1 can go', async () => {
  let c = await start(['key2', 'key1']);
  try {
    assert.ok((await stored('/registry/secrets/default/db')).toString('latin1').startsWith('k8s:enc:secretbox:v1:key1:'));
    const cur = await c.get<KubeObject>('secrets', 'default', 'db');
    await c.update('secrets', cur); // what `kubectl get secrets -A -o json | kubectl replace -f -` sends
    assert.ok((await stored('/registry/secrets/default/db')).toString('latin1').startsWith('k8s:enc:secretbox:v1:key2:'));
  } finally {
    c.close();
  }
  c = await start(['key2']);
  try {
    const got = await c.get<KubeObject>('secrets', 'default', 'db');
    assert.equal(Buffer.from((got.data as Record<string, string>).password, 'base64').toString(), 'hunter2-very-secret');
  } finally {
    c.close();
  }
});
