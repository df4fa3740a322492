// etcd as `k8ts up` runs it: the host's etcd binary with exactly etcdArgs (TLS for clients and
// peers, --client-cert-auth against etcd's own CA), certificates from ensureEtcdPki in a temp
// home, on free ports. A client without a certificate and a client whose certificate comes
// from another CA (a component's, signed by the cluster CA) are refused, and etcd says why;
// the apiserver process started with the --etcd-* flags `k8ts up` gives it stores and reads
// objects there.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import https from 'node:https';
import { Etcd3 } from 'etcd3';
import { createCa, issueClientCert, PROXY_IDENTITY } from '@k8ts/client';
import { Home, defaultConfig, componentSpecs, ensureClientCredential, ensureEtcdPki, ensureServingCert, ensureTokens, etcdArgs, etcdMetricsPort, EMBEDDED_ETCD_MEMBER, type ClusterConfig, type EtcdPki } from '@k8ts/cli';
import { freePort, freePortRun } from '../support/ports.js';

const root = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'k8ts-etcd-tls-'));
const home = new Home(dir);
const procs: ChildProcess[] = [];
let config: ClusterConfig;
let pki: EtcdPki;
let etcdLog = '';
let apiserverLog = '';
let restPort = 0;
const clients: Etcd3[] = [];

async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await Promise.resolve(check()).catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\netcd:\n${etcdLog.slice(-3000)}\napiserver:\n${apiserverLog.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function start(cmd: string, args: string[], onOutput: (s: string) => void): ChildProcess {
  const p = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  p.stdout!.on('data', (d) => onOutput(String(d)));
  p.stderr!.on('data', (d) => onOutput(String(d)));
  procs.push(p);
  return p;
}

interface Answer {
  status?: number;
  body?: string;
  code?: string;
}

/** A POST to etcd's client port over TLS (the gRPC gateway shares the listener, and its TLS, with gRPC). */
function etcdRequest(path: string, body: unknown, cred: { cert?: string | Buffer; key?: string | Buffer } = {}): Promise<Answer> {
  return new Promise((resolve) => {
    const req = https.request({ host: '127.0.0.1', port: config.etcdClientPort, path, method: 'POST', ca: readFileSync(pki.caCertFile), ...cred }, (res) => {
      let b = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (b += c));
      res.on('end', () => resolve({ status: res.statusCode, body: b }));
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ code: e.code }));
    req.end(JSON.stringify(body));
  });
}

function etcd3(cred: { cert?: Buffer; key?: Buffer }): Etcd3 {
  const c = new Etcd3({ hosts: `https://127.0.0.1:${config.etcdClientPort}`, credentials: { rootCertificate: readFileSync(pki.caCertFile), certChain: cred.cert, privateKey: cred.key } });
  clients.push(c);
  return c;
}

const files = (f: { certFile: string; keyFile: string }) => ({ cert: readFileSync(f.certFile), key: readFileSync(f.keyFile) });

before(async () => {
  const [client, peer] = await freePortRun(3);
  config = { ...defaultConfig, etcdClientPort: client!, etcdPeerPort: peer! };
  home.ensure();
  pki = ensureEtcdPki(home.dir, [EMBEDDED_ETCD_MEMBER]);
  // `k8ts up` starts etcd as `etcd <etcdArgs>` (startDetached in commands/up.ts).
  start('etcd', etcdArgs(home, config), (s) => (etcdLog = (etcdLog + s).slice(-200_000)));
  await waitFor('etcd /health on its metrics listener', async () => (await fetch(`http://127.0.0.1:${etcdMetricsPort(config)}/health`)).ok);
});

after(async () => {
  for (const c of clients) c.close();
  for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

test('the healthcheck client, a certificate of the etcd CA, is let in', async () => {
  const ok = await etcdRequest('/v3/maintenance/status', {}, files(pki.healthcheckClient));
  assert.equal(ok.status, 200, JSON.stringify(ok));
  assert.match(ok.body!, /"leader"/);
});

test('a client without a certificate is refused', async () => {
  const before = etcdLog.length;
  const res = await etcdRequest('/v3/kv/range', { key: Buffer.from('/registry').toString('base64') });
  assert.equal(res.status, undefined, `answered: ${JSON.stringify(res)}`);
  assert.equal(res.code, 'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE');
  await waitFor("etcd's reason in its log", () => etcdLog.slice(before).includes("client didn't provide a certificate"));
  // The apiserver's own client library, given the CA but no certificate.
  await assert.rejects(etcd3({}).get('/registry/anything').string(), /UNAVAILABLE.*bad certificate/s);
  // Plaintext on the client port is not served at all.
  await assert.rejects(fetch(`http://127.0.0.1:${config.etcdClientPort}/v3/kv/range`, { method: 'POST', body: '{}' }));
});

test('a client certificate from another CA is refused: the cluster CA (a component\'s) and a stranger\'s', async () => {
  const cluster = await ensureServingCert(home);
  const proxy = ensureClientCredential(cluster.pki, PROXY_IDENTITY);
  const stranger = issueClientCert(createCa({ commonName: 'etcd-ca' }), { user: 'kube-apiserver-etcd-client' });
  for (const [name, cred] of [['cluster CA', files(proxy)], ['a CA named like etcd\'s', { cert: Buffer.from(stranger.certPem), key: Buffer.from(stranger.keyPem) }]] as const) {
    const before = etcdLog.length;
    const res = await etcdRequest('/v3/kv/range', { key: Buffer.from('/registry').toString('base64') }, cred);
    assert.equal(res.status, undefined, `${name}: answered ${JSON.stringify(res)}`);
    assert.equal(res.code, 'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE', name);
    await waitFor(`etcd's reason for ${name} in its log`, () => etcdLog.slice(before).includes('certificate signed by unknown authority'));
    await assert.rejects(etcd3(cred).get('/registry/anything').string(), /UNAVAILABLE.*bad certificate/s, name);
  }
});

test('the apiserver started with the --etcd-* flags of `k8ts up` creates and reads objects', async () => {
  const cluster = await ensureServingCert(home);
  const tokens = ensureTokens(home);
  const spec = componentSpecs(home, config, tokens, cluster, (id) => ensureClientCredential(cluster.pki, id)).find((s) => s.pkg === 'apiserver')!;
  const etcdFlags: string[] = [];
  for (let i = 0; i < spec.args.length; i++) if (spec.args[i]!.startsWith('--etcd-')) etcdFlags.push(spec.args[i]!, spec.args[++i]!);
  assert.deepEqual(etcdFlags.filter((f) => f.startsWith('--')), ['--etcd-servers', '--etcd-cafile', '--etcd-certfile', '--etcd-keyfile']);
  restPort = await freePort();
  const tokenFile = join(dir, 'test-tokens.csv');
  writeFileSync(tokenFile, 'etcd-tls-test,admin,admin,"system:masters"\n', { mode: 0o600 });
  start(process.execPath, ['--import', 'tsx', 'packages/apiserver/src/main.ts', ...etcdFlags, '--port', String(restPort), '--grpc-port', String(await freePort()), '--token-auth-file', tokenFile], (s) => (apiserverLog = (apiserverLog + s).slice(-200_000)));
  await waitFor('the apiserver', () => apiserverLog.includes('"msg":"apiserver ready"'));

  const api = (path: string, init: RequestInit = {}) => fetch(`http://127.0.0.1:${restPort}${path}`, { ...init, headers: { authorization: 'Bearer etcd-tls-test', 'content-type': 'application/json' } });
  const created = await api('/api/v1/namespaces/default/configmaps', { method: 'POST', body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'over-tls' }, data: { a: 'b' } }) });
  assert.equal(created.status, 201, await created.clone().text());
  const got = await api('/api/v1/namespaces/default/configmaps/over-tls');
  assert.equal(got.status, 200);
  assert.deepEqual(((await got.json()) as { data?: unknown }).data, { a: 'b' });
  // It is in this etcd: read raw with the apiserver's etcd client certificate.
  const raw = await etcd3(files(pki.apiserverClient)).get('/registry/configmaps/default/over-tls').string();
  assert.match(raw ?? '', /"over-tls"/);
});
