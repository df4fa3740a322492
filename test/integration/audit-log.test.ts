// The audit log (--audit-log-path, --audit-policy-file) of a real apiserver over etcd with
// --authorization-mode=Node,RBAC: requests of several users through kubectl 1.32, plain
// HTTPS and @k8ts/client's gRPC face (unary, Exchange, Watch, Nodes.Connect), then the file
// read back: one audit.k8s.io/v1 Event per request with its user, impersonated user, verb,
// objectRef, code and authorization decision; the 401s and 403s; watches' two stages; the
// Audit-Id header naming the event; configmaps silenced by a `level: None` rule; no token in
// the file; bodies kept where the policy says (RequestResponse: the object sent and the one
// returned; Request: a patch; a malformed body's 400 Status) on both faces.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiError, GrpcClient, NodesClient } from '@k8ts/client';
import { runKubectl, type KubectlRun } from './kubectl-cluster.js';
import { startRbacCluster, type RbacCluster } from './rbac-cluster.js';

const POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
- level: Request
  namespaces: [bodies]
  verbs: [patch]
- level: RequestResponse
  namespaces: [bodies]
- level: None
  resources:
  - group: ""
    resources: [configmaps]
- level: None
  nonResourceURLs: ["/openapi/*", "/api", "/api/*", "/apis", "/apis/*"]
- level: Metadata
`;

type Event = Record<string, any>;

let cluster: RbacCluster;
let dir: string;
const logPath = () => join(dir, 'audit.log');

function events(): Event[] {
  let text = '';
  try {
    text = readFileSync(logPath(), 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Event);
}

/** The events matching `pred` once at least `n` are in the file (lines are written a tick after the response). */
async function eventually(what: string, pred: (e: Event) => boolean, n = 1): Promise<Event[]> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const found = events().filter(pred);
    if (found.length >= n) return found;
    if (Date.now() > deadline) throw new Error(`no ${n} audit event(s) ${what} in:\n${events().map((e) => JSON.stringify(e)).join('\n')}`);
    await sleep(50);
  }
}

function rest(path: string, headers: Record<string, string>): Promise<{ code: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get({ host: '127.0.0.1', port: cluster.api.restPort, path, headers, rejectUnauthorized: false }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ code: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
  });
}

function send(method: string, path: string, headers: Record<string, string>, body: string): Promise<{ code: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port: cluster.api.restPort, method, path, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, rejectUnauthorized: false }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ code: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('audit log', () => {
  const kubectl = (user: string, args: string[]): Promise<KubectlRun> => runKubectl({ dir: cluster.dir, kubeconfig: cluster.kubeconfig(user) }, args);
  const ok = async (user: string, args: string[]) => {
    const r = await kubectl(user, args);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')} as ${user}: ${r.stderr}`);
    return r.stdout;
  };
  const bearer = (user: string) => ({ authorization: `Bearer ${cluster.tokens[user]}` });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'k8ts-audit-it-'));
    writeFileSync(join(dir, 'policy.yaml'), POLICY);
    cluster = await startRbacCluster(['alice', 'bob'], { auditLogPath: logPath(), auditPolicyFile: join(dir, 'policy.yaml'), auditLogMaxSize: 10, auditLogMaxBackup: 1 });
    await ok('admin', ['create', 'namespace', 'audited']);
    await ok('admin', ['create', 'rolebinding', 'bob-view', '--clusterrole=view', '--user=bob', '-n', 'audited']);
    await ok('admin', ['create', 'namespace', 'bodies']);
  });
  after(async () => {
    await cluster?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('kubectl requests: the user, verb, objectRef, code and the RBAC decision', async () => {
    const [create] = await eventually('for the namespace create', (e) => e.verb === 'create' && e.objectRef?.resource === 'namespaces' && e.objectRef?.name === 'audited');
    assert.equal(create.kind, 'Event');
    assert.equal(create.apiVersion, 'audit.k8s.io/v1');
    assert.equal(create.level, 'Metadata');
    assert.equal(create.stage, 'ResponseComplete');
    assert.equal(create.requestURI.split('?')[0], '/api/v1/namespaces');
    assert.deepEqual(create.user, { username: 'admin', uid: 'uid-admin', groups: ['system:masters', 'system:authenticated'] });
    assert.deepEqual(create.objectRef, { resource: 'namespaces', name: 'audited', apiVersion: 'v1' }, 'the name comes from the object sent');
    assert.equal(create.responseStatus.code, 201);
    assert.match(create.userAgent, /^kubectl(\.1\.32)?\/v1\.32\.\d+ \(linux\/amd64\) kubernetes\//);
    assert.deepEqual(create.sourceIPs, ['127.0.0.1']);
    assert.deepEqual(create.annotations, { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': '' });

    // The RBAC caches follow a watch: bob may be refused until they have his binding.
    for (let i = 0; (await kubectl('bob', ['get', 'pods', '-n', 'audited'])).code !== 0; i++) {
      assert.ok(i < 100, 'bob never allowed to list pods');
      await sleep(100);
    }
    const [list] = await eventually('for bob listing pods', (e) => e.user.username === 'bob' && e.verb === 'list' && e.objectRef?.resource === 'pods' && e.responseStatus.code === 200);
    assert.deepEqual(list.objectRef, { resource: 'pods', namespace: 'audited', apiVersion: 'v1' });
    assert.equal(list.annotations['authorization.k8s.io/decision'], 'allow');
    assert.match(list.annotations['authorization.k8s.io/reason'], /^RBAC: allowed by RoleBinding "bob-view\/audited" of ClusterRole "view" to User "bob"$/, 'rbac\'s reason, subject included');
  });

  it('a 403 is written with the forbid decision and the Status; a 401 as one ResponseStarted event with an empty user', async () => {
    const r = await kubectl('alice', ['get', 'secrets', '-n', 'audited']);
    assert.match(r.stderr, /Forbidden/);
    const [forbidden] = await eventually('for alice refused', (e) => e.user.username === 'alice' && e.objectRef?.resource === 'secrets' && e.responseStatus.code === 403);
    assert.equal(forbidden.stage, 'ResponseComplete');
    assert.equal(forbidden.verb, 'list');
    assert.equal(forbidden.annotations['authorization.k8s.io/decision'], 'forbid');
    assert.equal(forbidden.responseStatus.status, 'Failure');
    assert.equal(forbidden.responseStatus.reason, 'Forbidden');
    assert.match(forbidden.responseStatus.message, /User "alice" cannot list resource "secrets"/);

    const bad = await rest('/api/v1/namespaces/audited/pods?limit=1', { authorization: 'Bearer not-a-token-4711', 'user-agent': 'audit-test/1' });
    assert.equal(bad.code, 401);
    const [unauth, ...more] = await eventually('for the 401', (e) => e.userAgent === 'audit-test/1');
    assert.equal(more.length, 0, 'one event for a 401');
    assert.equal(unauth.stage, 'ResponseStarted');
    assert.deepEqual(unauth.user, {});
    assert.equal(unauth.verb, 'list');
    assert.equal(unauth.requestURI, '/api/v1/namespaces/audited/pods?limit=1');
    assert.deepEqual(unauth.objectRef, { resource: 'pods', namespace: 'audited', apiVersion: 'v1' });
    assert.deepEqual(unauth.responseStatus, { metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
    assert.equal(unauth.auditID, bad.headers['audit-id'], 'the 401 carries its Audit-Id too');
  });

  it('every REST response carries Audit-Id, the auditID of its event; a client Audit-ID is kept', async () => {
    const r = await rest('/api/v1/namespaces/audited', { ...bearer('admin'), 'user-agent': 'audit-test/2' });
    assert.equal(r.code, 200);
    assert.match(String(r.headers['audit-id']), /^[0-9a-f-]{36}$/);
    const [ev] = await eventually('with the Audit-Id', (e) => e.auditID === r.headers['audit-id']);
    assert.equal(ev.userAgent, 'audit-test/2');
    assert.deepEqual(ev.objectRef, { resource: 'namespaces', namespace: 'audited', name: 'audited', apiVersion: 'v1' });
    const own = await rest('/version', { 'audit-id': 'trace-42', 'user-agent': 'audit-test/3' });
    assert.equal(own.headers['audit-id'], 'trace-42');
    const [version] = await eventually('of the anonymous /version', (e) => e.auditID === 'trace-42');
    assert.deepEqual(version.user, { username: 'system:anonymous', groups: ['system:unauthenticated'] });
    assert.equal(version.verb, 'get');
    assert.equal('objectRef' in version, false, 'a non-resource request has no objectRef');
  });

  it('impersonation: the event names the authenticated user and the impersonated one', async () => {
    const r = await kubectl('admin', ['get', 'pods', '-n', 'audited', '--as=bob', '--as-group=team-b']);
    assert.equal(r.code, 0, r.stderr);
    const [ev] = await eventually('of the impersonated list', (e) => e.impersonatedUser?.username === 'bob' && e.objectRef?.resource === 'pods');
    assert.equal(ev.user.username, 'admin');
    assert.deepEqual(ev.impersonatedUser, { username: 'bob', groups: ['team-b', 'system:authenticated'] });
    assert.equal(ev.annotations['authorization.k8s.io/decision'], 'allow', 'bob may list pods there');
  });

  it('a REST watch writes ResponseStarted when its headers go out and ResponseComplete when it ends', async () => {
    await new Promise<void>((resolve, reject) => {
      const req = https.get({ host: '127.0.0.1', port: cluster.api.restPort, path: '/api/v1/namespaces/audited/pods?watch=1', headers: { ...bearer('bob'), 'user-agent': 'audit-test/watch' }, rejectUnauthorized: false }, (res) => {
        assert.equal(res.statusCode, 200);
        res.resume();
        req.destroy();
        resolve();
      });
      req.on('error', (e) => ((e as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(e)));
    });
    const [started, complete] = await eventually('of the watch', (e) => e.userAgent === 'audit-test/watch', 2);
    assert.deepEqual([started.stage, complete.stage], ['ResponseStarted', 'ResponseComplete']);
    assert.equal(started.auditID, complete.auditID);
    assert.equal(started.verb, 'watch');
    assert.equal(complete.responseStatus.code, 200);
  });

  it('an exec upgrade refused is audited as a long-running request, its answer carrying Audit-Id', async () => {
    // What kubectl's SPDY executor sends (kubectl itself would stop at the pod GET alice may not do).
    const res = await new Promise<{ code: number; auditId: unknown }>((resolve, reject) => {
      const req = https.request({
        host: '127.0.0.1',
        port: cluster.api.restPort,
        method: 'POST',
        path: '/api/v1/namespaces/audited/pods/nopod/exec?command=ls&stdout=true',
        headers: { ...bearer('alice'), connection: 'Upgrade', upgrade: 'SPDY/3.1', 'x-stream-protocol-version': 'v4.channel.k8s.io', 'user-agent': 'audit-test/exec' },
        rejectUnauthorized: false,
      });
      req.on('response', (r) => {
        r.resume();
        resolve({ code: r.statusCode ?? 0, auditId: r.headers['audit-id'] });
      });
      req.on('upgrade', (r, socket) => {
        socket.destroy();
        resolve({ code: r.statusCode ?? 0, auditId: r.headers['audit-id'] });
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(res.code, 403);
    const evs = await eventually('of the exec', (e) => e.userAgent === 'audit-test/exec', 2);
    assert.deepEqual(evs.map((e) => [e.stage, e.verb, e.responseStatus.code]), [['ResponseStarted', 'create', 403], ['ResponseComplete', 'create', 403]]);
    assert.deepEqual(evs[0].objectRef, { resource: 'pods', namespace: 'audited', name: 'nopod', apiVersion: 'v1', subresource: 'exec' });
    assert.equal(evs[0].annotations['authorization.k8s.io/decision'], 'forbid');
    assert.equal(evs[0].auditID, res.auditId);
  });

  it('the gRPC face: Exchange requests, unary list, 403, 401, Watch and Nodes.Connect', async () => {
    const admin = cluster.grpc('admin');
    const secret = await admin.create('secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'grpc-made', namespace: 'audited' }, stringData: { password: 'hunter2-do-not-log' } });
    assert.ok((secret as { metadata: { uid?: string } }).metadata.uid);
    const [create] = await eventually('of the gRPC create', (e) => e.verb === 'create' && e.objectRef?.name === 'grpc-made');
    assert.equal(create.requestURI, '/k8ts.v1.Objects/Exchange');
    assert.equal(create.user.username, 'admin');
    assert.deepEqual(create.objectRef, { resource: 'secrets', namespace: 'audited', name: 'grpc-made', apiVersion: 'v1' });
    assert.equal(create.responseStatus.code, 201);
    assert.match(create.userAgent, /grpc-node-js/);
    assert.deepEqual(create.sourceIPs, ['127.0.0.1']);

    await assert.rejects(cluster.grpc('alice').list('secrets', { namespace: 'audited' }), (e: unknown) => e instanceof ApiError && e.code === 403);
    const [refused] = await eventually('of the gRPC 403', (e) => e.requestURI === '/k8ts.v1.Objects/List' && e.user.username === 'alice');
    assert.equal(refused.verb, 'list');
    assert.equal(refused.responseStatus.code, 403);
    assert.equal(refused.annotations['authorization.k8s.io/decision'], 'forbid');

    const stranger = new GrpcClient({ server: `127.0.0.1:${cluster.api.grpcPort}`, token: 'grpc-bogus-token-0815', exchange: false });
    try {
      await assert.rejects(stranger.get('secrets', 'audited', 'grpc-made'), (e: unknown) => e instanceof ApiError && e.code === 401);
    } finally {
      stranger.close();
    }
    const [unauth] = await eventually('of the gRPC 401', (e) => e.requestURI === '/k8ts.v1.Objects/Get' && e.responseStatus.code === 401);
    assert.equal(unauth.stage, 'ResponseStarted');
    assert.deepEqual(unauth.user, {});
    assert.deepEqual(unauth.objectRef, { resource: 'secrets', namespace: 'audited', name: 'grpc-made', apiVersion: 'v1' });

    const bobClient = cluster.grpc('bob');
    const seen: string[] = [];
    const watch = bobClient.watch('pods', { namespace: 'audited' }, (ev) => seen.push(ev.type));
    await eventually('of the gRPC watch starting', (e) => e.requestURI === '/k8ts.v1.Objects/Watch' && e.user.username === 'bob' && e.stage === 'ResponseStarted');
    watch.stop();
    const [ws, wc] = await eventually('of the gRPC watch', (e) => e.requestURI === '/k8ts.v1.Objects/Watch' && e.user.username === 'bob', 2);
    assert.deepEqual([ws.stage, wc.stage, wc.verb, wc.responseStatus.code], ['ResponseStarted', 'ResponseComplete', 'watch', 200]);
    assert.equal(ws.auditID, wc.auditID);

    const nodes = new NodesClient({ server: `127.0.0.1:${cluster.api.grpcPort}`, token: cluster.tokens.alice });
    try {
      const stream = nodes.connect('node-x');
      stream.on('error', () => undefined);
      const [tunnel] = await eventually('of the refused tunnel', (e) => e.requestURI === '/k8ts.v1.Nodes/Connect' && e.user.username === 'alice' && e.stage === 'ResponseComplete');
      assert.deepEqual(tunnel.objectRef, { resource: 'nodes', name: 'node-x', apiVersion: 'v1', subresource: 'tunnel' });
      assert.equal(tunnel.responseStatus.code, 403);
      assert.equal(tunnel.annotations['authorization.k8s.io/decision'], 'forbid');
      stream.cancel();
    } finally {
      nodes.close();
    }
  });

  it('a `level: None` rule silences its resource; no token or secret value is in the file', async () => {
    await ok('admin', ['create', 'configmap', 'quiet', '-n', 'audited', '--from-literal=a=b']);
    await ok('admin', ['get', 'configmap', 'quiet', '-n', 'audited']);
    await cluster.grpc('admin').get('configmaps', 'audited', 'quiet');
    // A request after them, to know their events (had there been any) were written.
    const marker = await rest('/api/v1/namespaces/audited/pods', { ...bearer('admin'), 'user-agent': 'audit-test/marker' });
    await eventually('of the marker', (e) => e.auditID === marker.headers['audit-id']);
    assert.deepEqual(events().filter((e) => e.objectRef?.resource === 'configmaps' && e.objectRef?.namespace === 'audited'), []);
    assert.deepEqual(events().filter((e) => /^\/(openapi\/|apis?(\?|\/|$))/.test(e.requestURI) && !e.objectRef), [], 'discovery silenced by nonResourceURLs');

    const text = readFileSync(logPath(), 'utf8');
    for (const [user, token] of Object.entries(cluster.tokens)) assert.equal(text.includes(token), false, `${user}'s token`);
    for (const secret of ['not-a-token-4711', 'grpc-bogus-token-0815', 'hunter2-do-not-log', 'Bearer', 'BEGIN CERTIFICATE']) assert.equal(text.includes(secret), false, secret);
    // Every line is one Event.
    for (const e of events()) {
      assert.equal(e.kind, 'Event');
      assert.ok(['ResponseStarted', 'ResponseComplete'].includes(e.stage), e.stage);
      assert.match(e.auditID, /\S/);
    }
  });

  it('bodies where the policy keeps them: a create at RequestResponse, a patch at Request, a malformed body\'s Status; REST and gRPC alike', async () => {
    const json = { ...bearer('admin'), 'content-type': 'application/json' };
    const sent = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'made', namespace: 'bodies', labels: { a: 'b' } }, data: { greeting: 'hello' } };
    const created = await send('POST', '/api/v1/namespaces/bodies/configmaps', { ...json, 'user-agent': 'audit-test/create' }, JSON.stringify(sent));
    assert.equal(created.code, 201, created.body);
    const [create] = await eventually('of the create', (e) => e.auditID === created.headers['audit-id']);
    assert.equal(create.level, 'RequestResponse');
    assert.deepEqual(create.requestObject, sent, 'the object as sent');
    assert.deepEqual(create.responseObject, JSON.parse(created.body), 'the object as returned');

    const patch = { data: { greeting: 'hi' } };
    const patched = await send('PATCH', '/api/v1/namespaces/bodies/configmaps/made', { ...bearer('admin'), 'content-type': 'application/merge-patch+json', 'user-agent': 'audit-test/patch' }, JSON.stringify(patch));
    assert.equal(patched.code, 200, patched.body);
    const [p] = await eventually('of the patch', (e) => e.auditID === patched.headers['audit-id']);
    assert.equal(p.level, 'Request');
    assert.equal(p.verb, 'patch');
    assert.deepEqual(p.requestObject, patch, 'the patch body');
    assert.equal('responseObject' in p, false, 'Request keeps no response');

    const bad = await send('POST', '/api/v1/namespaces/bodies/configmaps', { ...json, 'user-agent': 'audit-test/malformed' }, '{"metadata": {"name": ');
    assert.equal(bad.code, 400, bad.body);
    const [refused] = await eventually('of the malformed create', (e) => e.auditID === bad.headers['audit-id']);
    assert.equal(refused.level, 'RequestResponse');
    assert.equal(refused.responseStatus.code, 400);
    assert.deepEqual(refused.responseObject, JSON.parse(bad.body), 'the Status answered');
    assert.equal(refused.responseObject.kind, 'Status');
    assert.equal('requestObject' in refused, false, 'nothing decoded, nothing kept');
    // Still serving, and a read at RequestResponse keeps what it returned.
    const read = await rest('/api/v1/namespaces/bodies/configmaps/made', bearer('admin'));
    assert.equal(read.code, 200);
    const [get] = await eventually('of the read', (e) => e.auditID === read.headers['audit-id']);
    assert.deepEqual(get.responseObject, JSON.parse(read.body));
    assert.equal(get.responseObject.data.greeting, 'hi');
    assert.equal('requestObject' in get, false);

    const admin = cluster.grpc('admin');
    const grpcSent = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'grpc-cm', namespace: 'bodies' }, data: { x: '1' } };
    const grpcMade = await admin.create('configmaps', grpcSent);
    const [gc] = await eventually('of the gRPC create', (e) => e.verb === 'create' && e.objectRef?.name === 'grpc-cm' && e.requestURI.startsWith('/k8ts.v1.Objects/'));
    assert.equal(gc.level, 'RequestResponse');
    assert.deepEqual(gc.requestObject, grpcSent);
    assert.deepEqual(gc.responseObject, grpcMade);
    await admin.patch('configmaps', 'bodies', 'grpc-cm', 'application/json-patch+json', [{ op: 'replace', path: '/data/x', value: '2' }]);
    const [gp] = await eventually('of the gRPC patch', (e) => e.verb === 'patch' && e.objectRef?.name === 'grpc-cm');
    assert.equal(gp.level, 'Request');
    assert.deepEqual(gp.requestObject, [{ op: 'replace', path: '/data/x', value: '2' }]);
    assert.equal('responseObject' in gp, false);
    await assert.rejects(admin.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Not_Valid', namespace: 'bodies' } }), (e: unknown) => e instanceof ApiError && e.code === 422);
    const [gi] = await eventually('of the gRPC invalid create', (e) => e.verb === 'create' && e.objectRef?.name === 'Not_Valid');
    assert.equal(gi.responseObject.kind, 'Status');
    assert.equal(gi.responseObject.reason, 'Invalid');
    assert.equal(gi.responseStatus.code, 422);
  });
});
