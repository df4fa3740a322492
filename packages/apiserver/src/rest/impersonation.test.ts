// Impersonation on the REST face: a plain request and a stream upgrade run as the identity the
// Impersonate-* headers ask for when the table allows it, and get Kubernetes' 403 otherwise.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { Registry as MetricsRegistry } from 'prom-client';
import { createRestServer } from './index.js';
import { EtcdRegistry } from '../registry/registry.js';
import { memoryStore } from '../storage/memory-kv.js';
import { tableAuthorizer } from '../testing/table-authorizer.js';
import { createImpersonator } from '../auth/impersonation.js';
import { registerReviews } from '../reviews/index.js';

const table = tableAuthorizer([{ subjects: ['alice'], verbs: ['impersonate'], resources: ['users', 'groups'] }]);
const users: Record<string, { name: string; groups: string[] }> = {
  'Bearer a': { name: 'alice', groups: ['system:authenticated'] },
  'Bearer b': { name: 'bob', groups: ['system:authenticated'] },
};
let server: http.Server;
let registry: EtcdRegistry;
let port: number;

before(async () => {
  const logger = pino({ level: 'silent' });
  registry = new EtcdRegistry({ store: memoryStore(logger).store, logger });
  registerReviews(registry, { authorize: (a) => table.authorize(a), rulesFor: (u, ns) => table.rulesFor(u, ns) });
  server = createRestServer({
    registry,
    authenticate: async (c) => (c.authorization ? users[c.authorization] ?? null : null),
    logger,
    metricsRegistry: new MetricsRegistry(),
    impersonate: createImpersonator((a) => table.authorize(a)),
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as AddressInfo).port;
});

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  await registry.close();
});

function whoami(headers: Record<string, string | string[]>): Promise<{ status: number; json: any }> {
  const body = JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' });
  return new Promise((resolve, reject) => {
    const req = http.request({ port, method: 'POST', path: '/apis/authentication.k8s.io/v1/selfsubjectreviews', headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, json: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('a request runs as the impersonated user and groups when allowed', async () => {
  const r = await whoami({ authorization: 'Bearer a', 'impersonate-user': 'carol', 'impersonate-group': ['g1', 'g2'] });
  assert.equal(r.status, 201);
  assert.deepEqual(r.json.status.userInfo, { username: 'carol', groups: ['g1', 'g2', 'system:authenticated'] });
  const plain = await whoami({ authorization: 'Bearer b' });
  assert.equal(plain.json.status.userInfo.username, 'bob');
});

test('a caller without impersonate gets the 403 Status, and no caller a 401', async () => {
  const r = await whoami({ authorization: 'Bearer b', 'impersonate-user': 'alice' });
  assert.equal(r.status, 403);
  assert.equal(r.json.kind, 'Status');
  assert.equal(r.json.reason, 'Forbidden');
  assert.equal(r.json.message, 'users "alice" is forbidden: User "bob" cannot impersonate resource "users" in API group "" at the cluster scope');
  assert.equal((await whoami({ 'impersonate-user': 'alice' })).status, 401);
});

test('a stream upgrade with impersonation headers the caller may not use is refused with 403', async () => {
  const reply = await new Promise<string>((resolve, reject) => {
    const req = http.request({
      port,
      path: '/api/v1/namespaces/default/pods/p/exec?command=sh',
      headers: { authorization: 'Bearer b', 'impersonate-user': 'alice', connection: 'Upgrade', upgrade: 'SPDY/3.1', 'x-stream-protocol-version': 'v4.channel.k8s.io' },
    });
    req.on('response', (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve(`${res.statusCode} ${text}`));
    });
    req.on('upgrade', () => reject(new Error('upgraded')));
    req.on('error', reject);
    req.end();
  });
  assert.match(reply, /^403 /);
  assert.match(reply, /users \\"alice\\" is forbidden: User \\"bob\\" cannot impersonate resource \\"users\\"/);
});
