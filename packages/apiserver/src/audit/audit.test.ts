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
import { jsonOfText, objectJson, patchJson, replyJson } from './bodies.js';

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

const cmCreate: RequestAttributes = { verb: 'create', resourceRequest: true, path: '/api/v1/namespaces/default/configmaps', apiGroup: '', apiVersion: 'v1', resource: 'configmaps', subresource: '', namespace: 'default', name: '' };
const SENT = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default' }, data: { a: 'b' } };
const RETURNED = { ...SENT, metadata: { ...SENT.metadata, uid: 'u-1', resourceVersion: '7', managedFields: [{ manager: 'kubectl', operation: 'Update' }] } };

/** One create at each level, its bodies offered as the REST face offers them (when the audit says it keeps them). */
async function createAtEachLevel(): Promise<Record<string, any>> {
  const policy = `
apiVersion: audit.k8s.io/v1
kind: Policy
rules:
- {level: None, namespaces: [none]}
- {level: Metadata, namespaces: [metadata]}
- {level: Request, namespaces: [request]}
- {level: RequestResponse, namespaces: [requestresponse]}
`;
  const byLevel: Record<string, any> = {};
  const events = await withLog(policy, (l) => {
    for (const ns of ['none', 'metadata', 'request', 'requestresponse']) {
      const a = new RequestAudit(l, { ...source, userAgent: ns });
      a.evaluate(ALICE, { ...cmCreate, namespace: ns });
      a.decided(true, '');
      if (a.keepsRequestBody) a.requestBody(JSON.stringify(SENT));
      a.requestObject({ name: 'c' });
      if (a.keepsResponseBody) a.responseBody(JSON.stringify(RETURNED));
      a.complete(201);
    }
  });
  for (const e of events) byLevel[e.userAgent] = e;
  return byLevel;
}

test('the level is written as the policy says; Request keeps requestObject, RequestResponse responseObject too, in audit.k8s.io/v1 field order', async () => {
  const ev = await createAtEachLevel();
  assert.deepEqual(Object.keys(ev), ['metadata', 'request', 'requestresponse'], 'None writes nothing');
  assert.equal(ev.metadata.level, 'Metadata');
  assert.equal('requestObject' in ev.metadata || 'responseObject' in ev.metadata, false);
  assert.equal(ev.request.level, 'Request');
  assert.deepEqual(ev.request.requestObject, SENT);
  assert.equal('responseObject' in ev.request, false);
  assert.equal(ev.requestresponse.level, 'RequestResponse');
  assert.deepEqual(ev.requestresponse.requestObject, SENT);
  assert.deepEqual(ev.requestresponse.responseObject, RETURNED);
  assert.deepEqual(ev.requestresponse.responseStatus, { metadata: {}, code: 201 });
  assert.deepEqual(Object.keys(ev.requestresponse), ['kind', 'apiVersion', 'level', 'auditID', 'stage', 'requestURI', 'verb', 'user', 'sourceIPs', 'userAgent', 'objectRef', 'responseStatus', 'requestObject', 'responseObject', 'requestReceivedTimestamp', 'stageTimestamp', 'annotations']);

  const f: AuditEventFields = { level: 'RequestResponse', auditID: 'a', stage: 'ResponseComplete', requestURI: '/x', verb: 'patch', sourceIPs: [], code: 200, requestObject: '[{"op":"add","path":"/a","value":1}]', responseObject: JSON.stringify(RETURNED), requestReceivedTimestamp: 't', stageTimestamp: 't' };
  assert.equal(auditEventLine(f), JSON.stringify(auditEvent(f)) + '\n', 'the bodies go into the line as the JSON they are');
});

test('no bodies for long-running requests, non-resource requests, or at Metadata; a 401 at RequestResponse keeps its Status', async () => {
  const all = 'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- {level: RequestResponse}\n';
  const events = await withLog(all, (l) => {
    const watch = new RequestAudit(l, { ...source, userAgent: 'watch' });
    watch.evaluate(ALICE, { ...secretGet, verb: 'watch', name: '' });
    assert.equal(watch.keepsRequestBody || watch.keepsResponseBody, false);
    watch.responseBody('{"kind":"Status"}');
    watch.responseStarted(200);
    watch.complete();
    const log = new RequestAudit(l, { ...source, userAgent: 'log' });
    log.evaluate(ALICE, { ...secretGet, resource: 'pods', subresource: 'log' });
    assert.equal(log.keepsResponseBody, false, 'a log read is long-running: its body is a stream');
    log.complete(200);
    const version = new RequestAudit(l, { ...source, userAgent: 'version' });
    version.evaluate(ALICE, { verb: 'get', resourceRequest: false, path: '/version', apiGroup: '', apiVersion: '', resource: '', subresource: '', namespace: '', name: '' });
    assert.equal(version.keepsResponseBody, false);
    version.responseBody('{"major":"1"}');
    version.complete(200);
    const anon = new RequestAudit(l, { ...source, userAgent: 'anon' });
    anon.unauthenticated({ ...secretGet, verb: 'create', name: '' }, failureStatus(401, 'Unauthorized', 'Unauthorized'));
  });
  const by = Object.fromEntries(events.map((e) => [`${e.userAgent}/${e.stage}`, e]));
  for (const e of events) if (e.userAgent !== 'anon') assert.equal('requestObject' in e || 'responseObject' in e, false, `${e.userAgent} ${e.stage}`);
  assert.equal(by['watch/ResponseComplete'].level, 'RequestResponse');
  assert.deepEqual(by['anon/ResponseStarted'].responseObject, failureStatus(401, 'Unauthorized', 'Unauthorized'));
  assert.equal('requestObject' in by['anon/ResponseStarted'], false);

  const metadata = await withLog(undefined, (l) => {
    const a = new RequestAudit(l, source);
    a.evaluate(ALICE, cmCreate);
    assert.equal(a.keepsRequestBody || a.keepsResponseBody, false);
    a.requestBody('{"a":1}');
    a.responseBody('{"b":2}');
    a.complete(201);
  });
  assert.equal('requestObject' in metadata[0] || 'responseObject' in metadata[0], false, 'offered bodies are dropped below their level');
});

test('without a policy file (what `k8ts up` runs by default) no body is kept: token requests, token reviews, Secrets stay at Metadata', async () => {
  const writes: RequestAttributes[] = [
    { ...cmCreate, resource: 'serviceaccounts', name: 'default', subresource: 'token', path: '/api/v1/namespaces/default/serviceaccounts/default/token' },
    { ...cmCreate, apiGroup: 'authentication.k8s.io', resource: 'tokenreviews', namespace: '', path: '/apis/authentication.k8s.io/v1/tokenreviews' },
    { ...cmCreate, resource: 'secrets' },
    cmCreate,
  ];
  const events = await withLog(undefined, (l) => {
    for (const w of writes) {
      const a = new RequestAudit(l, source);
      a.evaluate(ALICE, w);
      assert.equal(a.keepsRequestBody || a.keepsResponseBody, false, w.resource);
      a.requestBody('{"spec":{"token":"t0ps3cret"}}');
      a.responseBody('{"status":{"token":"t0ps3cret"}}');
      a.complete(201);
    }
  });
  assert.deepEqual(events.map((e) => [e.objectRef.resource, e.level]), writes.map((w) => [w.resource, 'Metadata']));
  assert.equal(JSON.stringify(events).includes('t0ps3cret'), false);
});

test('omitManagedFields: the rule\'s when it says, else the policy\'s; objects, lists and Tables lose metadata.managedFields, the originals keep them', async () => {
  const p = parsePolicy('apiVersion: audit.k8s.io/v1\nkind: Policy\nomitManagedFields: true\nrules:\n- {level: RequestResponse, namespaces: [keep], omitManagedFields: false}\n- {level: RequestResponse}\n');
  assert.equal(ruleFor(p, attrs({ namespace: 'keep' })).omitManagedFields, false);
  assert.equal(ruleFor(p, attrs()).omitManagedFields, true);
  assert.equal(ruleFor(METADATA_FOR_ALL, attrs()).omitManagedFields, false);
  assert.throws(() => parsePolicy('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: [{level: Request, omitManagedFields: "yes"}]'), /rules\[0\]\.omitManagedFields must be true or false/);

  assert.deepEqual(JSON.parse(objectJson(RETURNED, true)).metadata, { name: 'c', namespace: 'default', uid: 'u-1', resourceVersion: '7' });
  assert.ok(RETURNED.metadata.managedFields, 'the object itself keeps them');
  const list = { kind: 'ConfigMapList', apiVersion: 'v1', metadata: {}, items: [RETURNED, RETURNED] };
  assert.deepEqual(JSON.parse(objectJson(list, true)).items.map((i: any) => 'managedFields' in i.metadata), [false, false]);
  const table = { kind: 'Table', apiVersion: 'meta.k8s.io/v1', rows: [{ cells: ['c'], object: RETURNED }] };
  assert.equal('managedFields' in JSON.parse(objectJson(table, true)).rows[0].object.metadata, false);
  assert.equal(objectJson(RETURNED, false), JSON.stringify(RETURNED));
  assert.equal(replyJson('{"metadata":{"managedFields":[],"name":"x"}}', true), '{"metadata":{"name":"x"}}');
  assert.equal(replyJson('{"a" : 1}', false), '{"a" : 1}', 'the server\'s own JSON goes in as is');
});

test('patch bodies as JSON: merge and JSON patches as sent, an apply\'s YAML as JSON, and nothing for a patch that does not parse', () => {
  assert.equal(patchJson('application/merge-patch+json', '{ "data": {"a": "b"} }', false), '{"data":{"a":"b"}}');
  assert.equal(patchJson('application/json-patch+json', '[{"op":"remove","path":"/data/a"}]', false), '[{"op":"remove","path":"/data/a"}]');
  assert.equal(patchJson('application/apply-patch+yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: "1"\n', false), '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"a":"1"}}');
  assert.equal(patchJson('application/merge-patch+json', '{"data": ', false), undefined);
  assert.equal(patchJson('application/apply-patch+yaml', 'a: [', false), undefined);
  assert.equal(patchJson('application/merge-patch+json', '{"metadata":{"managedFields":[{}]}}', true), '{"metadata":{}}');
  assert.equal(jsonOfText('{\n  "a": 1\n}', false), '{"a":1}', 'a client\'s text is re-encoded: no newline reaches the line');
  assert.equal(jsonOfText('not json', false), undefined);
});
