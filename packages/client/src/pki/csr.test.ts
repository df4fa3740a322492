import test from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { certificateInfo, certificateMatches, createKeyAndCsr, parseCsr, signCsr } from './csr.js';
import { createTestCa } from './test-ca.js';

test('a CSR made here parses back with its subject; garbage and tampered CSRs are refused', () => {
  const { keyPem, csrPem } = createKeyAndCsr({ commonName: 'system:node:n4', organizations: ['system:nodes'] });
  assert.match(keyPem, /BEGIN RSA PRIVATE KEY/);
  const p = parseCsr(csrPem);
  assert.equal(p.commonName, 'system:node:n4');
  assert.deepEqual(p.organizations, ['system:nodes']);
  assert.throws(() => parseCsr('hello'), /PEM block type must be CERTIFICATE REQUEST/);
  assert.throws(() => parseCsr(keyPem), /PEM block type must be CERTIFICATE REQUEST/);
  assert.throws(() => parseCsr('-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n'), /malformed|invalid/);
  // Another subject under the same signature: the self-signature no longer holds.
  const other = createKeyAndCsr({ commonName: 'system:node:n5', organizations: ['system:nodes'] });
  const b64 = (s: string) => s.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  const der = Buffer.from(b64(csrPem), 'base64');
  const cn = der.indexOf(Buffer.from('system:node:n4'));
  der.write('system:node:n5', cn);
  const tampered = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
  assert.throws(() => parseCsr(tampered), /signature is invalid/);
  assert.equal(parseCsr(other.csrPem).commonName, 'system:node:n5');
});

test('signCsr issues a client certificate chained to the CA, with the duration asked and capped by the CA', () => {
  const ca = createTestCa();
  const { keyPem, csrPem } = createKeyAndCsr({ commonName: 'system:node:n4', organizations: ['system:nodes'] });
  const now = new Date();
  const certPem = signCsr({ csrPem, caCertPem: ca.certPem, caKeyPem: ca.keyPem, usages: ['digital signature', 'key encipherment', 'client auth'], durationSeconds: 3600, now });
  const cert = new X509Certificate(certPem);
  assert.ok(cert.checkIssued(new X509Certificate(ca.certPem)));
  assert.ok(certificateMatches(certPem, keyPem, ca.certPem));
  assert.equal(certificateMatches(certPem, createKeyAndCsr({ commonName: 'x', organizations: [] }).keyPem, ca.certPem), false);
  assert.equal(certificateMatches(certPem, keyPem, createTestCa('other').certPem), false);
  assert.equal(cert.keyUsage?.includes('1.3.6.1.5.5.7.3.2'), true);
  const info = certificateInfo(certPem);
  assert.equal(info.commonName, 'system:node:n4');
  assert.deepEqual(info.organizations, ['system:nodes']);
  const secs = (info.notAfter.getTime() - now.getTime()) / 1000;
  assert.ok(secs > 3590 && secs <= 3600, String(secs));
  const long = certificateInfo(signCsr({ csrPem, caCertPem: ca.certPem, caKeyPem: ca.keyPem, usages: ['client auth'], durationSeconds: 10 * 365 * 86400 }));
  assert.ok(long.notAfter <= new Date(new X509Certificate(ca.certPem).validTo));
});
