import { test } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { X509Certificate, createHash } from 'node:crypto';
import { createCa, issueServingCert } from '@k8ts/client';
import { caCertHash, discoverCa, parseCaCertHash, parseServer } from './discovery.js';

/** An h2 TLS server (a gRPC face's shape) sending `chain`; closed after `fn`. */
async function withServer(certPem: string, keyPem: string, fn: (addr: string) => Promise<void>): Promise<void> {
  const server = http2.createSecureServer({ cert: certPem, key: keyPem });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    await fn(`127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
}

test("the CA hash is kubeadm's: sha256 of the DER SubjectPublicKeyInfo", () => {
  const ca = createCa();
  const spki = new X509Certificate(ca.certPem).publicKey.export({ type: 'spki', format: 'der' });
  assert.equal(caCertHash(ca.certPem), `sha256:${createHash('sha256').update(spki).digest('hex')}`);
  assert.equal(parseCaCertHash(caCertHash(ca.certPem).toUpperCase().replace('SHA256', 'sha256')), caCertHash(ca.certPem));
});

test('bad hashes and servers are refused before any connection', () => {
  for (const bad of ['', 'md5:abc', 'sha256:', `sha256:${'0'.repeat(63)}`, `sha256:${'g'.repeat(64)}`, `sha1:${'0'.repeat(64)}`]) assert.throws(() => parseCaCertHash(bad), /must be sha256:<64 hex digits>/, bad);
  for (const bad of ['', 'host', 'host:', ':80', 'host:0', 'host:70000', 'a b:80', 'https://h:443']) assert.throws(() => parseServer(bad), /--server must be HOST:PORT/, bad);
  assert.deepEqual(parseServer('10.0.0.1:6444'), { host: '10.0.0.1', port: 6444 });
});

test('the CA in the handshake is trusted under its pinned hash, and only then', async () => {
  const ca = createCa();
  const serving = issueServingCert(ca, { ips: ['127.0.0.1'] });
  await withServer(serving.certPem + ca.certPem, serving.keyPem, async (addr) => {
    assert.equal(new X509Certificate(await discoverCa(addr, caCertHash(ca.certPem))).fingerprint256, new X509Certificate(ca.certPem).fingerprint256);
    await assert.rejects(discoverCa(addr, caCertHash(createCa().certPem)), /does not match --discovery-token-ca-cert-hash .*refusing to trust it/);
  });
  // A server that sends no CA cannot be pinned.
  await withServer(serving.certPem, serving.keyPem, async (addr) => {
    await assert.rejects(discoverCa(addr, caCertHash(ca.certPem)), /it sent no CA certificate/);
  });
  // A CA of the right hash that did not sign the server's certificate (a chain put together by an impostor).
  const other = createCa();
  const impostor = issueServingCert(other, { ips: ['127.0.0.1'] });
  await withServer(impostor.certPem + ca.certPem, impostor.keyPem, async (addr) => {
    // (Node links an issuer into the peer chain only when it signed the certificate before it.)
    await assert.rejects(discoverCa(addr, caCertHash(ca.certPem)), /not signed by the pinned CA|sent no CA certificate\): refusing to trust it/);
  });
  // Nothing listening: a plain error, no hang.
  await assert.rejects(discoverCa('127.0.0.1:1', caCertHash(ca.certPem), 2000), /cannot reach the apiserver at 127\.0\.0\.1:1/);
});
