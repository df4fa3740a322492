import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { certificateSubject, isSignedBy } from '@k8ts/client';
import { Home, defaultConfig } from './home.js';
import { ensureServingCert, ensureTokens } from './tokens.js';
import { ensureClientCredential, firstServiceIp } from './cluster-pki.js';
import { componentSpecs, identityOf, pkgOfProcess } from './components.js';

describe('cluster PKI of a home', () => {
  it('makes the CA once, a serving cert for the given addresses, and 0600 keys', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-pki-'));
    try {
      const home = new Home(dir);
      const a = await ensureServingCert(home, ['127.0.0.1', '10.96.0.1'], ['apiserver']);
      assert.match(new X509Certificate(readFileSync(a.certPath)).subjectAltName ?? '', /DNS:apiserver.*IP Address:10\.96\.0\.1/);
      const b = await ensureServingCert(home, ['127.0.0.1']);
      assert.equal(a.caData, b.caData, 'the CA is made once');
      const serving = new X509Certificate(readFileSync(b.certPath));
      assert.ok(serving.verify(new X509Certificate(readFileSync(b.caPath)).publicKey));
      for (const f of [a.keyPath, a.caKeyPath]) assert.equal(statSync(f).mode & 0o777, 0o600, f);

      const node = ensureClientCredential(b.pki, { user: 'system:node:agent-1', groups: ['system:nodes'] });
      assert.equal(statSync(node.keyFile).mode & 0o777, 0o600);
      assert.equal(statSync(node.certFile).mode & 0o777, 0o600);
      const s = certificateSubject(readFileSync(node.certFile, 'utf8'));
      assert.deepEqual([s.commonName, s.organizations], ['system:node:agent-1', ['system:nodes']]);
      assert.ok(isSignedBy(readFileSync(node.certFile, 'utf8'), readFileSync(b.caPath, 'utf8')));
      // Kept while it still fits; made anew when it names someone else.
      const before = readFileSync(node.certFile, 'utf8');
      assert.equal(readFileSync(ensureClientCredential(b.pki, node.identity).certFile, 'utf8'), before);
      writeFileSync(node.certFile, readFileSync(ensureClientCredential(b.pki, { user: 'mallory', groups: [] }).certFile));
      ensureClientCredential(b.pki, node.identity);
      assert.equal(certificateSubject(readFileSync(node.certFile, 'utf8')).commonName, 'system:node:agent-1');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gives each component its own identity, and only the admin token is in system:masters', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-pki-'));
    try {
      const home = new Home(dir);
      // A home from before: a shared components token in system:masters.
      writeFileSync(home.path('tokens.csv'), 'a1,admin,admin,"system:masters"\nc1,system:k8ts-components,components,"system:masters"\n');
      const tokens = ensureTokens(home);
      const csv = readFileSync(tokens.csvPath, 'utf8');
      assert.doesNotMatch(csv, /components/);
      assert.equal(csv.trim().split('\n').length, 1);
      assert.match(csv, /,kubernetes-admin,kubernetes-admin,"system:masters"/);
      assert.equal(statSync(tokens.csvPath).mode & 0o777, 0o600);

      const cert = await ensureServingCert(home);
      const config = { ...defaultConfig, agents: 2 };
      const specs = componentSpecs(home, config, tokens, cert, (id) => ensureClientCredential(cert.pki, id));
      const users = new Map<string, string>();
      for (const s of specs) {
        assert.ok(!s.args.includes('--token-file') && !s.args.includes('--token'), `${s.name} has no token`);
        if (s.pkg === 'apiserver') {
          assert.ok(s.args.includes('--client-ca-file'));
          continue;
        }
        const file = s.args[s.args.indexOf('--client-cert') + 1]!;
        users.set(s.name, certificateSubject(readFileSync(file, 'utf8')).commonName);
        assert.equal(identityOf(s.name, pkgOfProcess(s.name, config))?.user, users.get(s.name));
      }
      assert.deepEqual(Object.fromEntries(users), {
        'scheduler-1': 'system:kube-scheduler',
        'scheduler-2': 'system:kube-scheduler',
        'controller-manager-1': 'system:kube-controller-manager',
        'controller-manager-2': 'system:kube-controller-manager',
        dns: 'system:k8ts-dns',
        ingress: 'system:k8ts-ingress',
        proxy: 'system:kube-proxy',
        'agent-1': 'system:node:agent-1',
        'agent-2': 'system:node:agent-2',
      });
      const cm = specs.find((s) => s.name === 'controller-manager-1')!;
      assert.equal(cm.args[cm.args.indexOf('--cluster-signing-key-file') + 1], cert.caKeyPath);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('finds the first address of a Service range', () => {
    assert.equal(firstServiceIp('10.96.0.0/16'), '10.96.0.1');
    assert.equal(firstServiceIp('nonsense'), undefined);
    // Masked as the apiserver's allocator masks it: the range's first address, plus one.
    assert.equal(firstServiceIp('10.96.7.9/16'), '10.96.0.1');
    assert.equal(firstServiceIp('10.0.0.255/32'), undefined);
    assert.equal(firstServiceIp('10.0.0.300/16'), undefined);
  });
});
