import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { AuditLog } from './log.js';
import { levelFor, parsePolicy, METADATA_FOR_ALL, type AuditAttributes } from './policy.js';

const attrs = (over: Partial<AuditAttributes> = {}): AuditAttributes => ({
  user: { name: 'alice', groups: ['dev', 'system:authenticated'] },
  verb: 'get',
  resourceRequest: true,
  path: '/api/v1/namespaces/default/secrets/s',
  apiGroup: '',
  resource: 'secrets',
  subresource: '',
  namespace: 'default',
  name: 's',
  ...over,
});

const POLICY = `
apiVersion: audit.k8s.io/v1
kind: Policy
rules:
- level: None
  users: ["system:kube-proxy"]
  verbs: ["watch"]
- level: None
  nonResourceURLs: ["/healthz*", "/version"]
- level: Metadata
  resources:
  - group: ""
    resources: ["secrets", "configmaps"]
- level: None
  userGroups: ["system:nodes"]
- level: Metadata
  namespaces: ["kube-system"]
- level: Request
  resources:
  - group: apps
    resources: ["deployments/*"]
`;

test('the first matching rule decides the level, as kube-apiserver reads a Policy', () => {
  const p = parsePolicy(POLICY);
  assert.equal(levelFor(p, attrs()), 'Metadata');
  assert.equal(levelFor(p, attrs({ user: { name: 'system:kube-proxy', groups: [] }, verb: 'watch', resource: 'services', name: '' })), 'None');
  assert.equal(levelFor(p, attrs({ resourceRequest: false, path: '/healthz/ready', resource: '' })), 'None');
  assert.equal(levelFor(p, attrs({ resourceRequest: false, path: '/metrics', resource: '' })), 'None', 'no rule matched: None');
  assert.equal(levelFor(p, attrs({ user: { name: 'system:node:a', groups: ['system:nodes'] }, resource: 'pods' })), 'None');
  assert.equal(levelFor(p, attrs({ resource: 'pods', namespace: 'kube-system' })), 'Metadata');
  assert.equal(levelFor(p, attrs({ apiGroup: 'apps', resource: 'deployments', subresource: 'scale' })), 'Request');
  assert.equal(levelFor(p, attrs({ apiGroup: 'apps', resource: 'deployments' })), 'None', 'deployments/* names subresources only');
  assert.equal(levelFor(METADATA_FOR_ALL, attrs()), 'Metadata');
});

test('bad policies are refused with the reason', () => {
  assert.throws(() => parsePolicy('kind: Policy\napiVersion: v1\nrules: []'), /expected kind Policy/);
  assert.throws(() => parsePolicy('kind: Policy\napiVersion: audit.k8s.io/v1\nrules: [{level: Loud}]'), /rules\[0\]\.level must be one of/);
  assert.throws(() => parsePolicy('kind: Policy\napiVersion: audit.k8s.io/v1\nrules: [{level: None, nonResourceURLs: ["/x"], namespaces: ["a"]}]'), /may not mix/);
});

test('events are JSON lines in audit.k8s.io/v1 shape, without credentials', async () => {
  const dir = mkdtempSync(join(os.tmpdir(), 'k8ts-audit-'));
  try {
    const log = new AuditLog({ path: join(dir, 'audit.log'), policy: parsePolicy(POLICY) });
    const base = { requestURI: '/api/v1/namespaces/default/secrets/s', apiVersion: 'v1', sourceIP: '127.0.0.1', userAgent: 'kubectl/v1.32.0', code: 200, receivedAt: new Date() };
    log.record({ ...attrs(), ...base, decision: { allowed: true, reason: 'RBAC: allowed by RoleBinding "r/default"' } });
    log.record({ ...attrs({ user: { name: 'system:node:a', groups: ['system:nodes'] }, resource: 'pods' }), ...base });
    await log.close();
    const lines = readFileSync(join(dir, 'audit.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(lines.length, 1, 'the node request matched a None rule');
    const ev = lines[0];
    assert.equal(ev.kind, 'Event');
    assert.equal(ev.apiVersion, 'audit.k8s.io/v1');
    assert.equal(ev.level, 'Metadata');
    assert.equal(ev.stage, 'ResponseComplete');
    assert.deepEqual(ev.user, { username: 'alice', groups: ['dev', 'system:authenticated'] });
    assert.deepEqual(ev.objectRef, { resource: 'secrets', namespace: 'default', name: 's', apiGroup: '', apiVersion: 'v1' });
    assert.equal(ev.responseStatus.code, 200);
    assert.equal(ev.annotations['authorization.k8s.io/decision'], 'allow');
    assert.match(ev.requestReceivedTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    assert.match(ev.auditID, /^[0-9a-f-]{36}$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
