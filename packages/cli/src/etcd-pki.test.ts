import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { certificateAltNames, certificateSubject, isSignedBy } from '@k8ts/client';
import { Home, defaultConfig } from './home.js';
import { ensureServingCert, ensureTokens } from './tokens.js';
import { ensureClientCredential } from './cluster-pki.js';
import { APISERVER_ETCD_CLIENT_NAME, ETCD_CA_NAME, ETCD_HEALTHCHECK_CLIENT_NAME, ensureEtcdPki, etcdPkiPaths } from './etcd-pki.js';
import { componentSpecs, etcdArgs, etcdMetricsPort, EMBEDDED_ETCD_MEMBER } from './components.js';
import { COMPOSE_ETCD_MEMBERS } from './compose/etcd.js';

const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

function withDir(fn: (dir: string) => void | Promise<void>) {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-etcd-pki-'));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

const pem = (f: string) => readFileSync(f, 'utf8');
const mode = (f: string) => statSync(f).mode & 0o777;

describe('etcd PKI', () => {
  it(
    'lays out kubeadm\'s files: a CA of its own, server and peer pairs, the apiserver and healthcheck clients; keys 0600',
    withDir(async (dir) => {
      const cluster = await ensureServingCert(new Home(dir));
      const pki = ensureEtcdPki(dir, [{ name: 'k8ts', hostnames: ['box'] }]);
      assert.equal(pki.caCertFile, join(dir, 'pki', 'etcd', 'ca.crt'));
      assert.equal(pki.caKeyFile, join(dir, 'pki', 'etcd', 'ca.key'));
      assert.equal(pki.apiserverClient.certFile, join(dir, 'pki', 'apiserver-etcd-client.crt'));
      assert.equal(pki.healthcheckClient.keyFile, join(dir, 'pki', 'etcd', 'healthcheck-client.key'));
      const m = pki.members[0]!;
      assert.deepEqual([m.certFile, m.peerKeyFile], [join(dir, 'pki', 'etcd', 'server.crt'), join(dir, 'pki', 'etcd', 'peer.key')]);

      assert.equal(certificateSubject(pem(pki.caCertFile)).commonName, ETCD_CA_NAME);
      assert.notEqual(pem(pki.caCertFile), pem(cluster.caPath), 'etcd has a CA apart from the cluster CA');
      for (const f of [pki.caKeyFile, m.keyFile, m.peerKeyFile, pki.apiserverClient.keyFile, pki.apiserverClient.certFile, pki.healthcheckClient.keyFile, pki.healthcheckClient.certFile]) assert.equal(mode(f), 0o600, f);

      for (const f of [m.certFile, m.peerCertFile]) {
        const cert = pem(f);
        assert.ok(isSignedBy(cert, pem(pki.caCertFile)), `${f} is signed by the etcd CA`);
        assert.ok(!isSignedBy(cert, pem(cluster.caPath)), `${f} is not signed by the cluster CA`);
        assert.equal(certificateSubject(cert).commonName, 'k8ts');
        assert.deepEqual(certificateAltNames(cert), { dnsNames: ['localhost', 'box'], ips: ['127.0.0.1', '::1'] });
        assert.deepEqual(new X509Certificate(cert).keyUsage?.sort(), [SERVER_AUTH, CLIENT_AUTH].sort(), 'a member is its peers\' client too');
      }
      for (const [c, cn] of [[pki.apiserverClient, APISERVER_ETCD_CLIENT_NAME], [pki.healthcheckClient, ETCD_HEALTHCHECK_CLIENT_NAME]] as const) {
        assert.equal(certificateSubject(pem(c.certFile)).commonName, cn);
        assert.deepEqual(new X509Certificate(pem(c.certFile)).keyUsage, [CLIENT_AUTH]);
        assert.ok(isSignedBy(pem(c.certFile), pem(c.caFile)));
        assert.equal(c.caFile, pki.caCertFile);
      }
    }),
  );

  it(
    'keeps what still fits and makes anew what does not (a new host name, another CA)',
    withDir((dir) => {
      const a = ensureEtcdPki(dir, [{ name: 'k8ts' }]);
      const before = { server: pem(a.members[0]!.certFile), client: pem(a.apiserverClient.certFile), ca: pem(a.caCertFile) };
      const b = ensureEtcdPki(dir, [{ name: 'k8ts' }]);
      assert.deepEqual({ server: pem(b.members[0]!.certFile), client: pem(b.apiserverClient.certFile), ca: pem(b.caCertFile) }, before);

      const c = ensureEtcdPki(dir, [{ name: 'k8ts', hostnames: ['renamed'], ips: ['10.0.0.5'] }]);
      assert.notEqual(pem(c.members[0]!.certFile), before.server);
      assert.deepEqual(certificateAltNames(pem(c.members[0]!.peerCertFile)), { dnsNames: ['localhost', 'renamed'], ips: ['127.0.0.1', '::1', '10.0.0.5'] });

      // A CA made again (its files removed): every leaf is reissued under it.
      rmSync(join(dir, 'pki', 'etcd', 'ca.key'));
      const d = ensureEtcdPki(dir, [{ name: 'k8ts' }]);
      assert.notEqual(pem(d.caCertFile), before.ca);
      for (const f of [d.members[0]!.certFile, d.apiserverClient.certFile, d.healthcheckClient.certFile]) assert.ok(isSignedBy(pem(f), pem(d.caCertFile)), f);
    }),
  );

  it(
    'gives each compose member its own pair under etcd/<member>/, named for its service',
    withDir((dir) => {
      const pki = ensureEtcdPki(dir, COMPOSE_ETCD_MEMBERS);
      assert.deepEqual(pki.members.map((m) => m.certFile), ['etcd-1', 'etcd-2', 'etcd-3'].map((n) => join(dir, 'pki', 'etcd', n, 'server.crt')));
      for (const m of pki.members) {
        assert.equal(certificateSubject(pem(m.certFile)).commonName, m.name);
        assert.ok(certificateAltNames(pem(m.certFile)).dnsNames.includes(m.name));
        assert.ok(certificateAltNames(pem(m.peerCertFile)).dnsNames.includes(m.name));
      }
      assert.ok(!existsSync(join(dir, 'pki', 'etcd', 'server.crt')));
    }),
  );

  it(
    '`k8ts up` runs etcd over https with client and peer certificate auth, and the apiserver with its etcd client',
    withDir(async (dir) => {
      const home = new Home(dir);
      const config = { ...defaultConfig, agents: 1 };
      const pki = ensureEtcdPki(dir, [EMBEDDED_ETCD_MEMBER]);
      const args = etcdArgs(home, config);
      const flag = (name: string) => args[args.indexOf(name) + 1];
      for (const f of ['--listen-client-urls', '--advertise-client-urls', '--listen-peer-urls', '--initial-advertise-peer-urls']) assert.match(flag(f)!, /^https:\/\/127\.0\.0\.1:/, f);
      assert.equal(flag('--listen-metrics-urls'), `http://127.0.0.1:${etcdMetricsPort(config)}`);
      assert.ok(args.includes('--client-cert-auth=true') && args.includes('--peer-client-cert-auth=true'));
      const m = pki.members[0]!;
      assert.deepEqual([flag('--cert-file'), flag('--key-file'), flag('--trusted-ca-file')], [m.certFile, m.keyFile, pki.caCertFile]);
      assert.deepEqual([flag('--peer-cert-file'), flag('--peer-key-file'), flag('--peer-trusted-ca-file')], [m.peerCertFile, m.peerKeyFile, pki.caCertFile]);
      for (const f of [m.certFile, m.keyFile, m.peerCertFile, m.peerKeyFile]) assert.ok(existsSync(f), f);

      const cert = await ensureServingCert(home);
      const api = componentSpecs(home, config, ensureTokens(home), cert, (id) => ensureClientCredential(cert.pki, id)).find((s) => s.name === 'apiserver')!.args;
      const apiFlag = (name: string) => api[api.indexOf(name) + 1];
      assert.equal(apiFlag('--etcd-servers'), `https://127.0.0.1:${config.etcdClientPort}`);
      const paths = etcdPkiPaths(join(dir, 'pki'));
      assert.deepEqual([apiFlag('--etcd-cafile'), apiFlag('--etcd-certfile'), apiFlag('--etcd-keyfile')], [paths.caCertFile, paths.apiserverClient.certFile, paths.apiserverClient.keyFile]);
    }),
  );
});
