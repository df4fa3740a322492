// The REST face over the real registry on the in-memory etcd (storage/memory-kv.ts): auth,
// errors as Status, negotiation, watches, metrics, and exec/log streams through the tunnel
// hub with a scripted agent call.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import { startTestRestServer, type TestRestServer } from '../testing/rest-server.js';

const TOKEN = 'secret-token';
let rest: TestRestServer;
let registry: TestRestServer['registry'];
let memory: TestRestServer['memory'];
let hub: TestRestServer['hub'];
let base: string;

before(async () => {
  rest = await startTestRestServer({ token: TOKEN, bookmarkIntervalMs: 200 });
  ({ registry, memory, hub, base } = rest);
});

after(async () => {
  await rest.stop();
});

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: any;
}

function request(method: string, path: string, opts: { body?: string | Buffer; headers?: Record<string, string>; token?: string | null } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (opts.token !== null) headers.authorization = `Bearer ${opts.token ?? TOKEN}`;
    if (opts.body !== undefined) headers['content-length'] = String(Buffer.byteLength(opts.body));
    const req = http.request(`${base}${path}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: any;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

const podJson = (name: string, labels: Record<string, string> = {}, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name, labels }, spec: { containers: [{ name: 'c', image: 'busybox' }], ...extra } });

test('anonymous health and version; everything else needs a token', async () => {
  assert.equal((await request('GET', '/healthz', { token: null })).text, 'ok');
  assert.equal((await request('GET', '/readyz', { token: null })).status, 200);
  const real = registry.currentRevision.bind(registry);
  registry.currentRevision = () => Promise.reject(new Error('etcd down'));
  try {
    assert.equal((await request('GET', '/readyz', { token: null })).status, 503);
    assert.equal((await request('GET', '/livez', { token: null })).status, 200);
  } finally {
    registry.currentRevision = real;
  }
  const v = await request('GET', '/version', { token: null });
  assert.equal(v.json.major, '1');
  assert.equal(v.json.minor, '32');
  assert.match(v.json.gitVersion, /k8ts/);
  for (const token of [null, 'wrong']) {
    const r = await request('GET', '/api/v1/pods', { token });
    assert.equal(r.status, 401);
    assert.deepEqual(r.json, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
  }
});

test('create, get, conflicts and not found answer as Kubernetes does', async () => {
  const created = await request('POST', '/api/v1/namespaces/default/pods', { body: podJson('a', { env: 'prod' }), headers: { 'content-type': 'application/json' } });
  assert.equal(created.status, 201);
  assert.equal(created.json.metadata.namespace, 'default');
  const yaml = await request('POST', '/api/v1/namespaces/default/pods', {
    body: 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: b\nspec:\n  containers: [{name: c, image: busybox}]\n',
    headers: { 'content-type': 'application/yaml' },
  });
  assert.equal(yaml.status, 201);
  const dup = await request('POST', '/api/v1/namespaces/default/pods', { body: podJson('a'), headers: { 'content-type': 'application/json' } });
  assert.equal(dup.status, 409);
  assert.equal(dup.json.reason, 'AlreadyExists');
  const missing = await request('GET', '/api/v1/namespaces/default/pods/nope');
  assert.equal(missing.status, 404);
  assert.equal(missing.json.message, 'pods "nope" not found');
  assert.deepEqual(missing.json.details, { name: 'nope', kind: 'pods' });
  const wrongNs = await request('POST', '/api/v1/namespaces/default/pods', { body: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x', namespace: 'other' } }), headers: { 'content-type': 'application/json' } });
  assert.equal(wrongNs.status, 400);
  const asYaml = await request('GET', '/api/v1/namespaces/default/pods/a', { headers: { accept: 'application/yaml' } });
  assert.equal(asYaml.headers['content-type'], 'application/yaml');
  assert.match(asYaml.text, /^apiVersion: v1\nkind: Pod\n/);
});

test('bad input: unknown resource 404, malformed 400, too large 413, unknown patch type 415', async () => {
  const unknown = await request('GET', '/api/v1/namespaces/default/widgets');
  assert.equal(unknown.status, 404);
  assert.equal(unknown.json.reason, 'NotFound');
  assert.equal((await request('GET', '/apis/apps/v1/namespaces/default/pods')).status, 404);
  const malformed = await request('POST', '/api/v1/namespaces/default/pods', { body: '{"kind": "Pod", ', headers: { 'content-type': 'application/json' } });
  assert.equal(malformed.status, 400);
  assert.equal(malformed.json.reason, 'BadRequest');
  const badYaml = await request('POST', '/api/v1/namespaces/default/pods', { body: 'a: [b', headers: { 'content-type': 'application/yaml' } });
  assert.equal(badYaml.status, 400);
  const big = await request('POST', '/api/v1/namespaces/default/configmaps', { body: Buffer.alloc(3 * 1024 * 1024 + 10, 0x20), headers: { 'content-type': 'application/json' } });
  assert.equal(big.status, 413);
  assert.equal(big.json.reason, 'RequestEntityTooLarge');
  const patch = await request('PATCH', '/api/v1/namespaces/default/pods/a', { body: '{}', headers: { 'content-type': 'text/plain' } });
  assert.equal(patch.status, 415);
  assert.equal(patch.json.reason, 'UnsupportedMediaType');
  assert.equal(memory.kv.data.has('/registry/configmaps/default/'), false);
});

test('bad paths, methods and bodies never answer 500', async () => {
  const cases: [string, string, string | undefined, string, number][] = [
    ['GET', '/api/v1/namespaces/default/pods/a/nonsense', undefined, 'application/json', 404],
    ['GET', '/api/v1/namespaces/%zz/pods', undefined, 'application/json', 404],
    ['PUT', '/api/v1/namespaces/default/pods', '{}', 'application/json', 405],
    ['POST', '/api/v1/namespaces/default/pods/a', '{}', 'application/json', 405],
    ['POST', '/api/v1/namespaces/default/pods', 'k8s\u0000garbage', 'application/vnd.kubernetes.protobuf', 400],
    ['POST', '/api/v1/namespaces/default/pods', 'just a string', 'application/yaml', 400],
    ['POST', '/api/v1/namespaces/default/pods', '[1,2]', 'application/json', 400],
    ['POST', '/api/v1/namespaces/default/pods', '{}', 'text/html', 415],
    ['POST', '/api/v1/namespaces/default/pods', JSON.stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' } }), 'application/json', 400],
    ['GET', '/api/v1/pods?limit=-1', undefined, 'application/json', 400],
    ['GET', '/api/v1/namespaces/default/pods/a/exec?command=ls', undefined, 'application/json', 400],
  ];
  for (const [method, path, body, type, code] of cases) {
    const r = await request(method, path, { body, headers: { 'content-type': type } });
    assert.equal(r.status, code, `${method} ${path} (${type}): ${r.text}`);
    assert.equal(r.json?.kind, 'Status', `${method} ${path} answers a Status`);
  }
});

test('Tables: the columns kubectl prints, PartialObjectMetadata rows, labels for --show-labels', async () => {
  const r = await request('GET', '/api/v1/namespaces/default/pods?labelSelector=env%3Dprod', { headers: { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' } });
  assert.equal(r.status, 200);
  assert.equal(r.json.kind, 'Table');
  assert.deepEqual(r.json.columnDefinitions.filter((c: any) => c.priority === 0).map((c: any) => c.name), ['Name', 'Ready', 'Status', 'Restarts', 'Age']);
  assert.equal(r.json.rows.length, 1);
  assert.equal(r.json.rows[0].cells[0], 'a');
  assert.equal(r.json.rows[0].object.kind, 'PartialObjectMetadata');
  assert.deepEqual(r.json.rows[0].object.metadata.labels, { env: 'prod' });
  assert.ok(r.json.metadata.resourceVersion);
  const all = await request('GET', '/api/v1/pods', { headers: { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' } });
  assert.equal(all.json.rows.length, 2);
});

test('discovery: aggregated with its content type, legacy otherwise', async () => {
  const agg = await request('GET', '/apis', { headers: { accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json' } });
  assert.equal(agg.headers['content-type'], 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
  assert.equal(agg.json.kind, 'APIGroupDiscoveryList');
  const legacy = await request('GET', '/api', { headers: { accept: 'application/json' } });
  assert.equal(legacy.json.kind, 'APIVersions');
  assert.equal((await request('GET', '/openapi/v3')).status, 200);
  assert.equal((await request('GET', '/openapi/v3/apis/apps/v1')).json.openapi, '3.0.0');
});

test('patch, scale subresource, delete with DeleteOptions body', async () => {
  const p = await request('PATCH', '/api/v1/namespaces/default/pods/a', { body: JSON.stringify({ metadata: { labels: { env: 'debug' } } }), headers: { 'content-type': 'application/merge-patch+json' } });
  assert.equal(p.status, 200);
  assert.equal(p.json.metadata.labels.env, 'debug');
  await registry.create('deployments', 'default', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd' },
    spec: { replicas: 1, selector: { matchLabels: { app: 'd' } }, template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
  });
  const scale = await request('PATCH', '/apis/apps/v1/namespaces/default/deployments/d/scale', { body: '{"spec":{"replicas":3}}', headers: { 'content-type': 'application/merge-patch+json' } });
  assert.equal(scale.json.kind, 'Scale');
  assert.equal(scale.json.apiVersion, 'autoscaling/v1');
  assert.equal(scale.json.spec.replicas, 3);
  const del = await request('DELETE', '/api/v1/namespaces/default/pods/b', { body: JSON.stringify({ kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 0, propagationPolicy: 'Background' }), headers: { 'content-type': 'application/json' } });
  assert.equal(del.status, 200);
  assert.equal(memory.kv.data.has('/registry/pods/default/b'), false);
  const badPolicy = await request('DELETE', '/api/v1/namespaces/default/pods/a?propagationPolicy=Sometimes');
  assert.equal(badPolicy.status, 400);
});

/** Reads a watch response line by line. */
function openWatch(path: string, headers: Record<string, string> = {}): Promise<{ res: http.IncomingMessage; events: any[]; next(): Promise<any>; ended: Promise<void>; close(): void }> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${base}${path}`, { headers: { authorization: `Bearer ${TOKEN}`, ...headers } }, (res) => {
      const events: any[] = [];
      const waiters: ((e: any) => void)[] = [];
      let buf = '';
      res.on('data', (c) => {
        buf += c.toString('utf8');
        let i;
        while ((i = buf.indexOf('\n')) >= 0) {
          const ev = JSON.parse(buf.slice(0, i));
          buf = buf.slice(i + 1);
          const w = waiters.shift();
          if (w) w(ev);
          else events.push(ev);
        }
      });
      const ended = new Promise<void>((r) => res.on('end', () => r()));
      resolve({
        res,
        events,
        next: () => (events.length ? Promise.resolve(events.shift()) : new Promise((r) => waiters.push(r))),
        ended,
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
  });
}

/** The newest resourceVersion, from a list: a watch from it gets only what happens next. */
async function currentRv(): Promise<string> {
  return (await request('GET', '/api/v1/namespaces/default/pods')).json.metadata.resourceVersion;
}

test('watch: headers at once, events as lines, Tables with headers first only, timeout ends it', async () => {
  const w = await openWatch(`/api/v1/namespaces/default/pods?watch=1&timeoutSeconds=2&resourceVersion=${await currentRv()}`, { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' });
  assert.equal(w.res.statusCode, 200);
  await registry.create('pods', 'default', JSON.parse(podJson('w1')));
  await registry.create('pods', 'default', JSON.parse(podJson('w2')));
  const e1 = await w.next();
  assert.equal(e1.type, 'ADDED');
  assert.equal(e1.object.kind, 'Table');
  assert.equal(e1.object.rows[0].cells[0], 'w1');
  assert.ok(e1.object.columnDefinitions.length > 0);
  const e2 = await w.next();
  assert.equal(e2.object.columnDefinitions, null);
  assert.equal(e2.object.rows[0].cells[0], 'w2');
  const started = Date.now();
  await w.ended;
  assert.ok(Date.now() - started < 3000);
  assert.equal(registry.watches.watcherCount(), 0);
});

test('watch: BOOKMARK only when allowed, 410 Expired as an ERROR event, client leaving stops the watch', async () => {
  const rv = await currentRv();
  const plain = await openWatch(`/api/v1/namespaces/default/pods?watch=true&resourceVersion=${rv}`);
  const withBookmarks = await openWatch(`/api/v1/namespaces/default/pods?watch=true&allowWatchBookmarks=true&resourceVersion=${rv}`);
  assert.equal((await withBookmarks.next()).type, 'BOOKMARK');
  await registry.create('pods', 'default', JSON.parse(podJson('w3')));
  const ev = await plain.next();
  assert.equal(ev.type, 'ADDED');
  assert.equal(ev.object.kind, 'Pod');
  plain.close();
  withBookmarks.close();
  memory.kv.compact();
  const expired = await openWatch('/api/v1/namespaces/default/pods?watch=1&resourceVersion=1');
  const err = await expired.next();
  assert.equal(err.type, 'ERROR');
  assert.equal(err.object.code, 410);
  assert.equal(err.object.reason, 'Expired');
  await expired.ended;
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(registry.watches.watcherCount(), 0);
  const badSelector = await request('GET', '/api/v1/pods?watch=1&fieldSelector=spec.foo%3Dbar');
  assert.equal(badSelector.status, 400);
});

test('metrics count requests by verb, resource and code', async () => {
  const m = await request('GET', '/metrics');
  assert.match(m.text, /apiserver_request_total\{verb="LIST",resource="pods",subresource="",code="200"\} \d+/);
  assert.match(m.text, /apiserver_request_total\{verb="POST",resource="pods",subresource="",code="409"\} 1/);
  assert.match(m.text, /apiserver_request_duration_seconds_bucket/);
  assert.match(m.text, /apiserver_registered_watchers\{resource="pods"\} 0/);
});

/** An agent's Connect call as the hub sees it: messages in, messages out. */
class ScriptedCall extends EventEmitter {
  sent: any[] = [];
  write(msg: any): boolean {
    this.sent.push(msg);
    this.emit('sent', msg);
    return true;
  }
  end(): void {
    this.emit('ended');
  }
  /** Asynchronous, as messages from a real gRPC peer are. */
  fromAgent(msg: any): void {
    setImmediate(() => this.emit('data', msg));
  }
}

test('pods/log and pods/exec go through the tunnel to the pod node\'s agent', async () => {
  const call = new ScriptedCall();
  hub.attach('node-1', call);
  await registry.create('pods', 'default', JSON.parse(podJson('bound', {}, { nodeName: 'node-1' })));
  await registry.create('pods', 'default', JSON.parse(podJson('unbound')));

  call.on('sent', (msg) => {
    if (msg.open?.kind === 'log') {
      assert.deepEqual(JSON.parse(msg.open.params_json), { container: 'c', follow: false, timestamps: false, previous: false, tailLines: 2 });
      call.fromAgent({ stream_id: msg.stream_id, msg: 'data', data: { channel: 1, data: Buffer.from('hello\nworld\n') } });
      call.fromAgent({ stream_id: msg.stream_id, msg: 'close', close: { status_json: '' } });
    }
  });
  const log = await request('GET', '/api/v1/namespaces/default/pods/bound/log?tailLines=2');
  assert.equal(log.status, 200);
  assert.equal(log.text, 'hello\nworld\n');
  const unbound = await request('GET', '/api/v1/namespaces/default/pods/unbound/log');
  assert.equal(unbound.status, 400);
  assert.equal(unbound.json.message, 'pod unbound does not have a host assigned');

  // exec over WebSocket v5: stdin goes to the agent, stdout comes back, the exit code as a Status.
  call.removeAllListeners('sent');
  call.on('sent', (msg) => {
    if (msg.open?.kind === 'exec') {
      assert.deepEqual(JSON.parse(msg.open.params_json), { container: 'c', command: ['sh', '-c', 'cat'], stdin: true, stdout: true, stderr: true, tty: false });
    } else if (msg.data?.channel === 0) {
      call.fromAgent({ stream_id: msg.stream_id, msg: 'data', data: { channel: 1, data: msg.data.data } });
    } else if (msg.data?.channel === 255) {
      call.fromAgent({
        stream_id: msg.stream_id,
        msg: 'close',
        close: { status_json: JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'NonZeroExitCode', message: 'exit code 3', details: { causes: [{ reason: 'ExitCode', message: '3' }] } }) },
      });
    }
  });
  const ws = new WebSocket(`${base.replace('http', 'ws')}/api/v1/namespaces/default/pods/bound/exec?command=sh&command=-c&command=cat&stdin=true&stdout=true&stderr=true`, ['v5.channel.k8s.io', 'v4.channel.k8s.io'], {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  const frames: Buffer[] = [];
  const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)));
  ws.on('message', (d: Buffer) => frames.push(Buffer.from(d)));
  await new Promise<void>((r, j) => {
    ws.on('open', () => r());
    ws.on('error', j);
  });
  assert.equal(ws.protocol, 'v5.channel.k8s.io');
  ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('ping')]));
  await new Promise((r) => setTimeout(r, 50));
  ws.send(Buffer.from([255, 0]));
  assert.equal(await closed, 1000);
  assert.deepEqual(frames[0], Buffer.concat([Buffer.from([1]), Buffer.from('ping')]));
  assert.equal(frames[1][0], 3);
  const status = JSON.parse(frames[1].subarray(1).toString());
  assert.equal(status.reason, 'NonZeroExitCode');
  assert.equal(status.details.causes[0].message, '3');

  // The agent leaving ends its streams with a Status instead of hanging them.
  call.removeAllListeners('sent');
  const pending = request('GET', '/api/v1/namespaces/default/pods/bound/log?follow=true');
  await new Promise((r) => setTimeout(r, 50));
  call.emit('end');
  const r = await pending;
  assert.equal(r.status, 503);
  const noAgent = await request('GET', '/api/v1/namespaces/default/pods/bound/log');
  assert.equal(noAgent.status, 503);
});
