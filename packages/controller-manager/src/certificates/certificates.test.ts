import test from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { FakeClient, createTestCa } from '@k8ts/client/testing';
import { certificateInfo, createKeyAndCsr, parseCsr } from '@k8ts/client';
import { staticLister } from '../framework/types.js';
import { ctxFor } from '../testing/fixtures.js';
import { decideApproval } from './approve-decision.js';
import { CsrSigningController } from './signer.js';
import type { CsrObject } from './csr-rules.js';

function csr(cn: string, orgs: string[], who: { username: string; groups: string[] }, extra: Partial<CsrObject['spec']> = {}): CsrObject {
  const { csrPem } = createKeyAndCsr({ commonName: cn, organizations: orgs }, 1024);
  return {
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: { name: `csr-${cn.replace(/:/g, '-')}` },
    spec: { request: Buffer.from(csrPem).toString('base64'), signerName: 'kubernetes.io/kube-apiserver-client-kubelet', usages: ['digital signature', 'key encipherment', 'client auth'], ...who, ...extra },
  };
}
const parsed = (c: CsrObject) => parseCsr(Buffer.from(c.spec.request!, 'base64').toString());
const bootstrapper = { username: 'system:bootstrap:abcdef', groups: ['system:bootstrappers', 'system:authenticated'] };
const node4 = { username: 'system:node:n4', groups: ['system:nodes', 'system:authenticated'] };
const noNodes = () => false;

test('csrapproving: bootstrappers and the node itself are approved; other names, orgs and usages are denied', () => {
  const ok = csr('system:node:n4', ['system:nodes'], bootstrapper);
  assert.equal(decideApproval(ok, parsed(ok), noNodes).action, 'approve');
  const renew = csr('system:node:n4', ['system:nodes'], node4);
  assert.equal(decideApproval(renew, parsed(renew), noNodes).action, 'approve');
  const other = csr('system:node:n1', ['system:nodes'], node4);
  assert.deepEqual(decideApproval(other, parsed(other), noNodes), { action: 'deny', reason: 'NodeNameMismatch', message: 'node "system:node:n4" may not request a certificate for "system:node:n1"' });
  const live = csr('system:node:n1', ['system:nodes'], bootstrapper);
  const d = decideApproval(live, parsed(live), (n) => n === 'n1');
  assert.equal(d.action === 'deny' && d.reason, 'NodeAlreadyRegistered');
  const masters = csr('system:node:n4', ['system:masters'], bootstrapper);
  const dm = decideApproval(masters, parsed(masters), noNodes);
  assert.equal(dm.action === 'deny' && dm.reason, 'InvalidKubeletClientCSR');
  const twoOrgs = csr('system:node:n4', ['system:nodes', 'system:masters'], bootstrapper);
  assert.equal(decideApproval(twoOrgs, parsed(twoOrgs), noNodes).action, 'deny');
  const notNode = csr('admin', ['system:nodes'], bootstrapper);
  assert.equal(decideApproval(notNode, parsed(notNode), noNodes).action, 'deny');
  const serverAuth = csr('system:node:n4', ['system:nodes'], bootstrapper, { usages: ['digital signature', 'client auth', 'server auth'] });
  assert.equal(decideApproval(serverAuth, parsed(serverAuth), noNodes).action, 'deny');
  assert.equal(decideApproval(ok, undefined, noNodes).action, 'deny');
  const admin = csr('system:node:n4', ['system:nodes'], { username: 'alice', groups: ['system:authenticated'] });
  assert.equal(decideApproval(admin, parsed(admin), noNodes).action, 'none', 'left for a person');
  const otherSigner = csr('system:node:n4', ['system:nodes'], bootstrapper, { signerName: 'kubernetes.io/kube-apiserver-client' });
  assert.equal(decideApproval(otherSigner, parsed(otherSigner), noNodes).action, 'none');
});

test('csrsigning: an approved kubelet CSR gets a CA-signed certificate with the duration asked; a bad one gets Failed; pending ones nothing', async () => {
  const ca = createTestCa();
  const client = new FakeClient();
  const { ctx, queue } = ctxFor(client);
  const approved = [{ type: 'Approved', status: 'True', reason: 'AutoApproved' }];
  const good = await client.create<CsrObject>('certificatesigningrequests', { ...csr('system:node:n4', ['system:nodes'], bootstrapper, { expirationSeconds: 3600 }), status: { conditions: approved } });
  const bad = await client.create<CsrObject>('certificatesigningrequests', { ...csr('system:node:n5', ['system:masters'], bootstrapper), status: { conditions: approved } });
  const pending = await client.create<CsrObject>('certificatesigningrequests', csr('system:node:n6', ['system:nodes'], bootstrapper));
  const lister = staticLister<CsrObject>([good, bad, pending]);
  const c = new CsrSigningController(ctx, { csrs: lister }, queue, { certPem: ca.certPem, keyPem: ca.keyPem, maxDurationSeconds: 365 * 86400 });
  for (const n of [good, bad, pending]) await c.sync(n.metadata.name!);
  const g = await client.get<CsrObject>('certificatesigningrequests', '', good.metadata.name!);
  const pem = Buffer.from(g.status!.certificate!, 'base64').toString();
  assert.ok(new X509Certificate(pem).checkIssued(new X509Certificate(ca.certPem)));
  const info = certificateInfo(pem);
  assert.equal(info.commonName, 'system:node:n4');
  const secs = (info.notAfter.getTime() - Date.now()) / 1000;
  assert.ok(secs > 3500 && secs <= 3600, String(secs));
  const b = await client.get<CsrObject>('certificatesigningrequests', '', bad.metadata.name!);
  assert.equal(b.status?.certificate, undefined);
  assert.equal(b.status?.conditions?.find((x) => x.type === 'Failed')?.reason, 'SignerValidationFailure');
  const p = await client.get<CsrObject>('certificatesigningrequests', '', pending.metadata.name!);
  assert.equal(p.status, undefined);
});
