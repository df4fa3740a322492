import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import tls from 'node:tls';
import { createCa, issueClientCert, issueServingCert, signCertificate } from './certificates.js';
import { certificateSubject, isSignedBy } from './subject.js';
import { generateKeyPair } from './keys.js';

describe('pki', () => {
  const ca = createCa({ commonName: 'test-ca' });

  it('makes a self-signed CA that may sign certificates', () => {
    const x = new X509Certificate(ca.certPem);
    assert.equal(x.ca, true);
    assert.ok(x.checkIssued(x));
    assert.ok(x.verify(x.publicKey));
    assert.equal(certificateSubject(ca.certPem).commonName, 'test-ca');
  });

  it('issues client certificates with CN = user and O = groups, signed by the CA', () => {
    const c = issueClientCert(ca, { user: 'system:node:agent-1', groups: ['system:nodes', 'extra'] });
    const x = new X509Certificate(c.certPem);
    assert.equal(x.ca, false);
    assert.ok(x.verify(new X509Certificate(ca.certPem).publicKey));
    assert.deepEqual(x.keyUsage, ['1.3.6.1.5.5.7.3.2']);
    const s = certificateSubject(c.certPem);
    assert.equal(s.commonName, 'system:node:agent-1');
    assert.deepEqual(s.organizations, ['system:nodes', 'extra']);
    assert.equal(s.issuerCommonName, 'test-ca');
    assert.ok(isSignedBy(c.certPem, ca.certPem));
    assert.ok(!isSignedBy(c.certPem, createCa().certPem));
  });

  it('signs a given public key without making a private key', () => {
    const keys = generateKeyPair();
    const c = signCertificate(ca, { commonName: 'bob', usage: 'client', publicKeyPem: keys.publicKeyPem });
    assert.equal(c.keyPem, '');
    assert.ok(new X509Certificate(c.certPem).checkPrivateKey(createPrivateKey(keys.privateKeyPem)));
  });

  it('serves TLS that a client trusting the CA accepts, and reads the client certificate', async () => {
    const serving = issueServingCert(ca, { ips: ['127.0.0.1'] });
    assert.match(new X509Certificate(serving.certPem).subjectAltName ?? '', /IP Address:127\.0\.0\.1/);
    const alice = issueClientCert(ca, { user: 'alice', groups: ['dev'] });
    const other = issueClientCert(createCa(), { user: 'mallory' });
    const seen: { authorized: boolean; cn?: string | string[]; o?: string | string[] }[] = [];
    const server = tls.createServer({ key: serving.keyPem, cert: serving.certPem, ca: ca.certPem, requestCert: true, rejectUnauthorized: false }, (s) => {
      const p = s.getPeerCertificate();
      seen.push({ authorized: s.authorized, cn: p.subject?.CN, o: p.subject?.O });
      s.end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const connect = (c: { certPem: string; keyPem: string }) =>
      new Promise<void>((resolve, reject) => {
        const s = tls.connect({ host: '127.0.0.1', port, ca: ca.certPem, cert: c.certPem, key: c.keyPem }, () => undefined);
        s.on('data', () => undefined);
        s.on('end', resolve);
        s.on('error', reject);
      });
    try {
      await connect(alice);
      await connect(other);
    } finally {
      server.close();
    }
    assert.deepEqual(seen[0], { authorized: true, cn: 'alice', o: 'dev' });
    assert.equal(seen[1]!.authorized, false);
  });
});

