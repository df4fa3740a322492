import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseCsr, signCsr, type Logger } from '@k8ts/client';
import { FakeClient, createTestCa } from '@k8ts/client/testing';
import { clientCertificatePaths, ensureClientCertificate, validClientCertificate } from './tls-bootstrap.js';

/** Plays the controller-manager: signs every CSR for the kubelet signer as it is created, or denies it. */
function signingClient(ca: { certPem: string; keyPem: string }, deny = false) {
  const client = new FakeClient();
  const seen: any[] = [];
  client.prependReactor('create', 'certificatesigningrequests', (a: any) => {
    const obj = a.object;
    seen.push(obj);
    const pem = Buffer.from(obj.spec.request, 'base64').toString();
    obj.status = deny
      ? { conditions: [{ type: 'Denied', status: 'True', reason: 'NodeAlreadyRegistered', message: 'no' }] }
      : { conditions: [{ type: 'Approved', status: 'True' }], certificate: Buffer.from(signCsr({ csrPem: pem, caCertPem: ca.certPem, caKeyPem: ca.keyPem, usages: obj.spec.usages, durationSeconds: 3600 })).toString('base64') };
    return undefined;
  });
  return { client, seen };
}

const silent = { info() {}, warn() {}, debug() {}, error() {} } as unknown as Logger;

test('TLS bootstrap: key 0600, CSR for system:node:<name>, certificate written; a restart reuses it; another CA or node does not', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'k8ts-tlsboot-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const ca = createTestCa();
  const { client, seen } = signingClient(ca);
  const certDir = path.join(dir, 'pki');
  const got = await ensureClientCertificate({ nodeName: 'agent-4', certDir, client, caPem: ca.certPem, pollMs: 10, log: silent });
  assert.equal(got.reused, false);
  assert.equal(seen.length, 1);
  const req = parseCsr(Buffer.from(seen[0].spec.request, 'base64').toString());
  assert.equal(req.commonName, 'system:node:agent-4');
  assert.deepEqual(req.organizations, ['system:nodes']);
  assert.equal(seen[0].spec.signerName, 'kubernetes.io/kube-apiserver-client-kubelet');
  assert.equal(statSync(got.keyFile).mode & 0o777, 0o600);
  assert.ok(validClientCertificate(certDir, 'agent-4', ca.certPem));
  assert.equal(validClientCertificate(certDir, 'agent-5', ca.certPem), false, 'another node');
  assert.equal(validClientCertificate(certDir, 'agent-4', createTestCa('other').certPem), false, 'another CA');

  const again = await ensureClientCertificate({ nodeName: 'agent-4', certDir, client, caPem: ca.certPem, pollMs: 10, log: silent });
  assert.equal(again.reused, true);
  assert.equal(seen.length, 1, 'no second CSR');

  // A broken certificate file is replaced by a fresh bootstrap.
  writeFileSync(clientCertificatePaths(certDir).certFile, 'garbage');
  const fresh = await ensureClientCertificate({ nodeName: 'agent-4', certDir, client, caPem: ca.certPem, pollMs: 10, log: silent });
  assert.equal(fresh.reused, false);
  assert.equal(seen.length, 2);
});

test('TLS bootstrap: a denied CSR is an error naming the reason, and no certificate is written', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'k8ts-tlsboot-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const ca = createTestCa();
  const { client } = signingClient(ca, true);
  await assert.rejects(ensureClientCertificate({ nodeName: 'agent-1', certDir: dir, client, caPem: ca.certPem, pollMs: 10, log: silent }), /denied: NodeAlreadyRegistered/);
  assert.equal(validClientCertificate(dir, 'agent-1', ca.certPem), false);
});
