import test from 'node:test';
import assert from 'node:assert/strict';
import { createKeyAndCsr } from '@k8ts/client';
import { startTestRestServer } from '../testing/rest-server.js';
import { registerCertificates } from './index.js';

const PATH = '/apis/certificates.k8s.io/v1/certificatesigningrequests';

function csrBody(name: string, cn: string, orgs: string[], signerName = 'kubernetes.io/kube-apiserver-client-kubelet', extra: Record<string, unknown> = {}) {
  const { csrPem } = createKeyAndCsr({ commonName: cn, organizations: orgs }, 1024);
  return {
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: { name },
    spec: { request: Buffer.from(csrPem).toString('base64'), signerName, usages: ['digital signature', 'client auth'], username: 'forged', groups: ['system:masters'], ...extra },
  };
}

test('CSRs: requester identity from the server, PEM checked, approval writes only conditions, spec immutable', async (t) => {
  const ts = await startTestRestServer();
  registerCertificates(ts.registry);
  t.after(() => ts.stop());
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(ts.base + path, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as any };
  };
  const created = await call('POST', PATH, csrBody('node-csr-1', 'system:node:n4', ['system:nodes']));
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.equal(created.body.spec.username, 'admin');
  assert.deepEqual(created.body.spec.groups, ['system:masters']);
  assert.equal(created.body.status, undefined);

  const garbage = await call('POST', PATH, { ...csrBody('bad', 'x', []), spec: { ...csrBody('bad', 'x', []).spec, request: Buffer.from('not a csr').toString('base64') } });
  assert.equal(garbage.status, 422);
  assert.match(garbage.body.message, /spec.request.*PEM block type must be CERTIFICATE REQUEST/);
  const noSigner = await call('POST', PATH, { ...csrBody('bad', 'x', []), spec: { ...csrBody('bad', 'x', []).spec, signerName: '', usages: ['flying'] } });
  assert.equal(noSigner.status, 422);
  assert.match(noSigner.body.message, /spec.signerName: Required value/);
  assert.match(noSigner.body.message, /spec.usages\[0\]: Unsupported value: "flying"/);
  const masters = await call('POST', PATH, csrBody('admin-csr', 'evil', ['system:masters'], 'kubernetes.io/kube-apiserver-client'));
  assert.equal(masters.status, 403);
  assert.match(masters.body.message, /system:masters group is not allowed/);

  // kubectl certificate approve: PUT /approval with the Approved condition appended.
  const cur = (await call('GET', `${PATH}/node-csr-1`)).body;
  const approved = await call('PUT', `${PATH}/node-csr-1/approval`, {
    ...cur,
    spec: { ...cur.spec, signerName: 'example.com/other' },
    status: { certificate: Buffer.from('x').toString('base64'), conditions: [{ type: 'Approved', status: 'True', reason: 'KubectlApprove', message: 'ok' }] },
  });
  assert.equal(approved.status, 200, JSON.stringify(approved.body));
  assert.equal(approved.body.spec.signerName, 'kubernetes.io/kube-apiserver-client-kubelet', 'spec kept');
  assert.equal(approved.body.status.certificate, undefined, 'certificate not writable through approval');
  assert.equal(approved.body.status.conditions[0].type, 'Approved');
  assert.ok(approved.body.status.conditions[0].lastUpdateTime);
  // Approved and Denied together, or removing Approved: refused.
  const both = await call('PUT', `${PATH}/node-csr-1/approval`, { ...approved.body, status: { conditions: [...approved.body.status.conditions, { type: 'Denied', status: 'True' }] } });
  assert.equal(both.status, 422);
  assert.match(both.body.message, /mutually exclusive/);
  const removed = await call('PUT', `${PATH}/node-csr-1/approval`, { ...approved.body, status: { conditions: [] } });
  assert.equal(removed.status, 422);
  assert.match(removed.body.message, /may not remove a condition of type "Approved"/);
  // /status may not approve; the spec may not change.
  const cur2 = (await call('POST', PATH, csrBody('node-csr-2', 'system:node:n5', ['system:nodes']))).body;
  const viaStatus = await call('PUT', `${PATH}/node-csr-2/status`, { ...cur2, status: { conditions: [{ type: 'Approved', status: 'True' }] } });
  assert.equal(viaStatus.status, 422);
  const specChange = await call('PUT', `${PATH}/node-csr-2`, { ...cur2, spec: { ...cur2.spec, usages: ['client auth'] } });
  assert.equal(specChange.status, 422);
  assert.match(specChange.body.message, /field is immutable/);
});

test('CSRs: hostile bodies are 4xx and store nothing', async (t) => {
  const ts = await startTestRestServer();
  registerCertificates(ts.registry);
  t.after(() => ts.stop());
  const call = async (method: string, path: string, body: string) => {
    const res = await fetch(ts.base + path, { method, headers: { 'content-type': 'application/json' }, body: method === 'GET' ? undefined : body });
    return { status: res.status, body: (await res.json()) as any };
  };
  const good = csrBody('ok', 'system:node:n1', ['system:nodes']);
  const bodies: unknown[] = [
    { ...good, spec: null },
    { ...good, spec: 'x' },
    { ...good, spec: { ...good.spec, request: 12 } },
    { ...good, spec: { ...good.spec, request: '%%%not base64%%%' } },
    { ...good, spec: { ...good.spec, usages: 'client auth' } },
    { ...good, spec: { ...good.spec, usages: ['client auth', 'client auth'] } },
    { ...good, spec: { ...good.spec, expirationSeconds: 5 } },
    { ...good, spec: { ...good.spec, expirationSeconds: 'soon' } },
    { ...good, spec: { ...good.spec, signerName: 'no-slash' } },
    { ...good, spec: { ...good.spec, groups: 'x', extra: 5 } },
  ];
  for (const b of bodies) {
    const r = await call('POST', PATH, JSON.stringify(b));
    assert.ok(r.status >= 400 && r.status < 500, `${JSON.stringify(b).slice(0, 120)} → ${r.status} ${r.body.message}`);
  }
  assert.equal((await call('GET', PATH, '')).body.items.length, 0);
  assert.equal((await call('POST', PATH, JSON.stringify(good))).status, 201);
  const approvals: unknown[] = [
    { ...good, status: { conditions: 'Approved' } },
    { ...good, status: { conditions: [null, 5] } },
    { ...good, status: { conditions: [{ type: 'Approved', status: 'Maybe' }] } },
    { ...good, status: { conditions: [{ status: 'True' }] } },
    { ...good, status: { conditions: [{ type: 'Approved', status: 'True' }, { type: 'Approved', status: 'True' }] } },
    { ...good, status: 7 },
  ];
  for (const b of approvals) {
    const r = await call('PUT', `${PATH}/ok/approval`, JSON.stringify(b));
    assert.ok(r.status >= 400 && r.status < 500, `${JSON.stringify(b).slice(0, 120)} → ${r.status} ${r.body.message}`);
  }
  const stored = (await call('GET', `${PATH}/ok`, '')).body;
  assert.equal(stored.status, undefined);
  assert.equal((await call('PUT', `${PATH}/ok/approval`, '{not json')).status, 400);
  assert.equal((await call('PUT', `${PATH}/ok/frobnicate`, JSON.stringify(good))).status, 404);
});
