import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { setImmediate as tick } from 'node:timers/promises';
import { Registry } from 'prom-client';
import { failureStatus } from '@k8ts/api';
import { AuditLog, timestampedName } from './log.js';
import { levelFor, parsePolicy, ruleFor, METADATA_FOR_ALL, type AuditAttributes } from './policy.js';
import { RequestAudit, type RequestAttributes } from './request.js';
import { auditEvent, auditEventLine, type AuditEventFields } from './event.js';
import { auditIdFor, grpcPeerIp, sourceIPs } from './source.js';
import { noteRequestObject, requestObjectOf } from './notes.js';

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
omitStages: [RequestReceived]
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
  omitStages: [ResponseStarted]
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

test('omitStages of the policy and of the rule add up; a request without a user matches no users or userGroups rule', () => {
  const p = parsePolicy(POLICY);
  assert.deepEqual(ruleFor(p, attrs({ resource: 'pods', namespace: 'kube-system' })).omitStages, ['RequestReceived', 'ResponseStarted']);
  assert.deepEqual(ruleFor(p, attrs()).omitStages, ['RequestReceived']);
  const byUser = parsePolicy('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- {level: Metadata, users: [alice]}\n- {level: Metadata, userGroups: [dev]}\n');
  assert.equal(levelFor(byUser, attrs({ user: undefined })), 'None');
  assert.equal(levelFor(byUser, attrs()), 'Metadata');
});

test('bad policies are refused with the reason', () => {
  assert.throws(() => parsePolicy('kind: Policy\napiVersion: v1\nrules: []'), /expected kind Policy/);
  assert.throws(() => parsePolicy('kind: Policy\napiVersion: audit.k8s.io/v1\nrules: [{level: Loud}]'), /rules\[0\]\.level must be one of/);
  assert.throws(() => parsePolicy('kind: Policy\napiVersion: audit.k8s.io/v1\nrules: [{level: None, nonResourceURLs: ["/x"], namespaces: ["a"]}]'), /may not mix/);
  assert.throws(() => parsePolicy('kind: Policy\napiVersion: audit.k8s.io/v1\nomitStages: [Sometimes]\nrules: [{level: None}]'), /omitStages must be a list of RequestReceived/);
});

test('an event is written in audit.k8s.io/v1 field order, empty fields left out as omitempty leaves them', () => {
  const full: AuditEventFields = {
    level: 'Metadata',
    auditID: 'a1',
    stage: 'ResponseComplete',
    requestURI: '/api/v1/namespaces/default/pods/p',
    verb: 'get',
    user: { name: 'alice', uid: 'u1', groups: ['dev'], extra: {} },
    impersonatedUser: { name: 'bob', groups: [] },
    sourceIPs: ['127.0.0.1'],
    userAgent: 'kubectl/v1.32.0',
    objectRef: { resource: 'pods', namespace: 'default', name: 'p', apiGroup: '', apiVersion: 'v1', subresource: '' },
    code: 404,
    status: failureStatus(404, 'NotFound', 'pods "p" not found', { name: 'p', kind: 'pods' }),
    requestReceivedTimestamp: '2026-01-01T00:00:00.000001Z',
    stageTimestamp: '2026-01-01T00:00:00.000002Z',
    annotations: { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': '' },
  };
  const ev = auditEvent(full);
  assert.deepEqual(Object.keys(ev), ['kind', 'apiVersion', 'level', 'auditID', 'stage', 'requestURI', 'verb', 'user', 'impersonatedUser', 'sourceIPs', 'userAgent', 'objectRef', 'responseStatus', 'requestReceivedTimestamp', 'stageTimestamp', 'annotations']);
  assert.deepEqual(ev.user, { username: 'alice', uid: 'u1', groups: ['dev'] });
  assert.deepEqual(ev.impersonatedUser, { username: 'bob' });
  assert.deepEqual(ev.objectRef, { resource: 'pods', namespace: 'default', name: 'p', apiVersion: 'v1' }, 'the core group is absent, not ""');
  assert.deepEqual(ev.responseStatus, { metadata: {}, status: 'Failure', message: 'pods "p" not found', reason: 'NotFound', details: { name: 'p', kind: 'pods' }, code: 404 });
  const minimal: AuditEventFields = { level: 'Metadata', auditID: 'a"2', stage: 'ResponseStarted', requestURI: '/api?x="\\', verb: 'get', sourceIPs: [], code: 200, requestReceivedTimestamp: 't', stageTimestamp: 't' };
  const anonymous = auditEvent(minimal);
  for (const f of [full, minimal, { ...full, annotations: { a: 'b' }, status: undefined }]) {
    assert.equal(auditEventLine(f), JSON.stringify(auditEvent(f)) + '\n', 'the assembled line is the stringified event');
    assert.equal(auditEventLine(f), JSON.stringify(auditEvent(f)) + '\n', 'and again from the caches');
  }
  assert.deepEqual(anonymous.user, {}, 'no user: an empty UserInfo, never absent');
  assert.deepEqual(anonymous.responseStatus, { metadata: {}, code: 200 });
  assert.equal('objectRef' in anonymous || 'sourceIPs' in anonymous || 'annotations' in anonymous, false);
});

const secretGet: RequestAttributes = { verb: 'get', resourceRequest: true, path: '/api/v1/namespaces/default/secrets/s', apiGroup: '', apiVersion: 'v1', resource: 'secrets', subresource: '', namespace: 'default', name: 's' };
const ALICE = { name: 'alice', uid: 'uid-alice', groups: ['dev', 'system:authenticated'] };

async function withLog(policyText: string | undefined, f: (log: AuditLog) => void | Promise<void>): Promise<any[]> {
  const dir = mkdtempSync(join(os.tmpdir(), 'k8ts-audit-'));
  try {
    const log = new AuditLog({ path: join(dir, 'audit.log'), policy: policyText ? parsePolicy(policyText) : METADATA_FOR_ALL });
    await f(log);
    await log.close();
    const text = readFileSync(join(dir, 'audit.log'), 'utf8');
    return text ? text.trim().split('\n').map((l) => JSON.parse(l)) : [];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const source = { requestURI: '/api/v1/namespaces/default/secrets/s?timeout=32s', sourceIPs: ['10.0.0.9', '127.0.0.1'], userAgent: 'kubectl/v1.32.0' };

test('a request is one ResponseComplete event: user, verb, objectRef, decision, status, microsecond times', async () => {
  const [ev, ...more] = await withLog(undefined, (log) => {
    const a = new RequestAudit(log, source);
    a.evaluate(ALICE, secretGet);
    a.decided(true, 'RBAC: allowed by RoleBinding "r/default" of Role "reader" to User "alice"');
    a.complete(200);
    a.complete(500);
  });
  assert.equal(more.length, 0, 'completed once');
  assert.equal(ev.kind, 'Event');
  assert.equal(ev.apiVersion, 'audit.k8s.io/v1');
  assert.equal(ev.level, 'Metadata');
  assert.equal(ev.stage, 'ResponseComplete');
  assert.equal(ev.requestURI, source.requestURI);
  assert.equal(ev.verb, 'get');
  assert.deepEqual(ev.user, { username: 'alice', uid: 'uid-alice', groups: ['dev', 'system:authenticated'] });
  assert.deepEqual(ev.sourceIPs, ['10.0.0.9', '127.0.0.1']);
  assert.equal(ev.userAgent, 'kubectl/v1.32.0');
  assert.deepEqual(ev.objectRef, { resource: 'secrets', namespace: 'default', name: 's', apiVersion: 'v1' });
  assert.deepEqual(ev.responseStatus, { metadata: {}, code: 200 });
  assert.deepEqual(ev.annotations, { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': 'RBAC: allowed by RoleBinding "r/default" of Role "reader" to User "alice"' });
  assert.match(ev.requestReceivedTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  assert.match(ev.stageTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  assert.ok(ev.stageTimestamp >= ev.requestReceivedTimestamp);
  assert.match(ev.auditID, /^[0-9a-f-]{36}$/);
});

test('long-running requests write ResponseStarted when their headers go out, then ResponseComplete with the same auditID', async () => {
  const watch: RequestAttributes = { ...secretGet, verb: 'watch', name: '' };
  const log: RequestAttributes = { ...secretGet, resource: 'pods', name: 'p', subresource: 'log' };
  const events = await withLog(undefined, (l) => {
    for (const a of [watch, log]) {
      const r = new RequestAudit(l, source);
      r.evaluate(ALICE, a);
      r.responseStarted(200);
      r.complete();
    }
    const refused = new RequestAudit(l, source);
    refused.evaluate(ALICE, { ...secretGet, resource: 'pods', name: 'p', subresource: 'exec', verb: 'create' });
    refused.decided(false, '');
    refused.complete(403, failureStatus(403, 'Forbidden', 'pods "p" is forbidden'));
  });
  assert.deepEqual(events.map((e) => [e.verb, e.objectRef.subresource ?? '', e.stage, e.responseStatus.code]), [
    ['watch', '', 'ResponseStarted', 200],
    ['watch', '', 'ResponseComplete', 200],
    ['get', 'log', 'ResponseStarted', 200],
    ['get', 'log', 'ResponseComplete', 200],
    ['create', 'exec', 'ResponseStarted', 403],
    ['create', 'exec', 'ResponseComplete', 403],
  ]);
  assert.equal(events[0].auditID, events[1].auditID);
  assert.notEqual(events[0].auditID, events[2].auditID);
  assert.deepEqual(events[5].annotations, { 'authorization.k8s.io/decision': 'forbid', 'authorization.k8s.io/reason': '' });
  assert.equal(events[5].responseStatus.reason, 'Forbidden');
});

test('a request that failed authentication is one ResponseStarted event with an empty user; impersonation names both users', async () => {
  const events = await withLog(undefined, (l) => {
    const anon = new RequestAudit(l, source);
    anon.unauthenticated({ ...secretGet, verb: 'list', name: '' }, failureStatus(401, 'Unauthorized', 'Unauthorized'));
    anon.complete(401);
    const imp = new RequestAudit(l, source);
    imp.evaluate(ALICE, secretGet);
    imp.impersonating({ name: 'bob', groups: ['system:authenticated'] });
    imp.complete(200);
  });
  assert.equal(events.length, 2);
  assert.equal(events[0].stage, 'ResponseStarted');
  assert.deepEqual(events[0].user, {});
  assert.equal(events[0].verb, 'list');
  assert.deepEqual(events[0].responseStatus, { metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
  assert.equal(events[0].annotations, undefined);
  assert.equal(events[1].user.username, 'alice');
  assert.deepEqual(events[1].impersonatedUser, { username: 'bob', groups: ['system:authenticated'] });
});

test('the object a create sent names it in objectRef; None and omitted stages write nothing', async () => {
  const policy = `
apiVersion: audit.k8s.io/v1
kind: Policy
rules:
- {level: None, resources: [{group: "", resources: [configmaps]}]}
- {level: Metadata, verbs: [watch], omitStages: [ResponseStarted]}
- {level: Metadata}
`;
  const carrier = {};
  noteRequestObject(carrier, { metadata: { name: 'new', namespace: 'default', labels: { a: 'b' } } });
  assert.deepEqual(requestObjectOf(carrier), { namespace: 'default', name: 'new', uid: undefined, resourceVersion: undefined });
  const events = await withLog(policy, (l) => {
    const create = new RequestAudit(l, source);
    create.evaluate(ALICE, { ...secretGet, verb: 'create', name: '' });
    create.requestObject(requestObjectOf(carrier));
    create.complete(201);
    const cm = new RequestAudit(l, source);
    cm.evaluate(ALICE, { ...secretGet, resource: 'configmaps' });
    cm.complete(200);
    const watch = new RequestAudit(l, source);
    watch.evaluate(ALICE, { ...secretGet, verb: 'watch', name: '' });
    watch.responseStarted(200);
    watch.complete();
  });
  assert.deepEqual(events.map((e) => [e.verb, e.stage, e.objectRef.resource, e.objectRef.name]), [
    ['create', 'ResponseComplete', 'secrets', 'new'],
    ['watch', 'ResponseComplete', 'secrets', undefined],
  ]);
});

test('source addresses as utilnet.SourceIPs orders them; gRPC peers; a client Audit-ID kept when plain', () => {
  assert.deepEqual(sourceIPs(undefined, undefined, '::ffff:127.0.0.1'), ['127.0.0.1']);
  assert.deepEqual(sourceIPs('10.0.0.1, bogus, 10.0.0.2', '10.0.0.2', '127.0.0.1'), ['10.0.0.1', '10.0.0.2', '127.0.0.1']);
  assert.deepEqual(sourceIPs(undefined, '10.0.0.3', '10.0.0.3'), ['10.0.0.3'], 'the remote address is not repeated when it ends the chain');
  assert.equal(grpcPeerIp('ipv4:127.0.0.1:4321'), '127.0.0.1');
  assert.equal(grpcPeerIp('127.0.0.1:4321'), '127.0.0.1');
  assert.equal(grpcPeerIp('[::1]:4321'), '::1');
  assert.equal(grpcPeerIp('ipv6:[::ffff:10.1.2.3]:1'), '10.1.2.3');
  assert.equal(grpcPeerIp('unix:/tmp/s'), undefined);
  assert.equal(auditIdFor('my-trace-1'), 'my-trace-1');
  assert.match(auditIdFor('bad id\r\nX-Injected: 1'), /^[0-9a-f-]{36}$/);
  assert.match(auditIdFor(undefined), /^[0-9a-f-]{36}$/);
});

test('the log rotates at --audit-log-maxsize and keeps --audit-log-maxbackup files (audit.log.1 newest)', async () => {
  const dir = mkdtempSync(join(os.tmpdir(), 'k8ts-audit-rot-'));
  try {
    const metrics = new Registry();
    const log = new AuditLog({ path: join(dir, 'audit.log'), policy: METADATA_FOR_ALL, maxSizeMB: 1, maxBackups: 2, metricsRegistry: metrics });
    const line = JSON.stringify({ pad: 'x'.repeat(1000) }) + '\n';
    // 4.5 MB in writes of 100 KB, each on its own tick: the file passes 1 MB four times.
    for (let i = 0; i < 45; i++) {
      for (let j = 0; j < 100; j++) log.write(line);
      await tick();
      await new Promise((r) => setTimeout(r, 5));
    }
    await log.close();
    assert.deepEqual(readdirSync(dir).sort(), ['audit.log', 'audit.log.1', 'audit.log.2']);
    assert.match(await metrics.getSingleMetricAsString('apiserver_audit_event_total'), /apiserver_audit_event_total 4500/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('with --audit-log-maxsize 0 the file is never rotated', async () => {
  const dir = mkdtempSync(join(os.tmpdir(), 'k8ts-audit-norot-'));
  try {
    const log = new AuditLog({ path: join(dir, 'audit.log'), policy: METADATA_FOR_ALL, maxSizeMB: 0, maxBackups: 0 });
    const line = JSON.stringify({ pad: 'x'.repeat(1000) }) + '\n';
    for (let i = 0; i < 15; i++) {
      for (let j = 0; j < 100; j++) log.write(line);
      await tick();
    }
    await log.close();
    assert.deepEqual(readdirSync(dir), ['audit.log']);
    assert.equal(readFileSync(join(dir, 'audit.log'), 'utf8').length, 1500 * line.length);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('with --audit-log-maxbackup 0 every rotated file is kept, named by its rotation time as lumberjack names it', async () => {
  assert.equal(timestampedName('audit.log', new Date('2026-01-02T03:04:05.678Z'), undefined), 'audit-2026-01-02T03-04-05.678.log');
  assert.equal(timestampedName('audit.log', new Date('2026-01-02T03:04:05.678Z'), 2), 'audit-2026-01-02T03-04-05.678-2.log');
  const dir = mkdtempSync(join(os.tmpdir(), 'k8ts-audit-rot0-'));
  try {
    const log = new AuditLog({ path: join(dir, 'audit.log'), policy: METADATA_FOR_ALL, maxSizeMB: 1, maxBackups: 0 });
    const line = JSON.stringify({ pad: 'x'.repeat(1000) }) + '\n';
    for (let i = 0; i < 35; i++) {
      for (let j = 0; j < 100; j++) log.write(line);
      await tick();
      await new Promise((r) => setTimeout(r, 5));
    }
    await log.close();
    const files = readdirSync(dir).sort();
    assert.equal(files.length, 4, files.join(' '));
    assert.equal(files.at(-1), 'audit.log');
    for (const f of files.slice(0, -1)) assert.match(f, /^audit-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}(-\d+)?\.log$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
