import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readEtcdTls } from './etcd-client.js';

test('etcd TLS follows the scheme of --etcd-servers, with the --etcd-* files read', () => {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-etcd-tls-'));
  try {
    for (const n of ['ca', 'cert', 'key']) writeFileSync(join(dir, n), `${n}-pem`);
    const files = { caFile: join(dir, 'ca'), certFile: join(dir, 'cert'), keyFile: join(dir, 'key') };
    assert.equal(readEtcdTls(['http://127.0.0.1:2379'], {}), undefined, 'plaintext stays plaintext');
    const tls = readEtcdTls(['https://etcd-1:2379', 'HTTPS://etcd-2:2379'], files)!;
    assert.deepEqual([tls.ca?.toString(), tls.cert?.toString(), tls.key?.toString()], ['ca-pem', 'cert-pem', 'key-pem']);
    // https without files: the system's roots, no client certificate
    assert.deepEqual(readEtcdTls(['https://etcd:2379'], {}), { ca: undefined, cert: undefined, key: undefined });

    assert.throws(() => readEtcdTls(['http://127.0.0.1:2379'], files), /need https:\/\/ --etcd-servers/);
    assert.throws(() => readEtcdTls(['https://a:2379', 'http://b:2379'], files), /mixes https:\/\/ and plaintext/);
    assert.throws(() => readEtcdTls(['https://a:2379'], { caFile: files.caFile, certFile: files.certFile }), /--etcd-certfile and --etcd-keyfile go together/);
    assert.throws(() => readEtcdTls(['https://a:2379'], { caFile: join(dir, 'missing') }), /ENOENT/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
