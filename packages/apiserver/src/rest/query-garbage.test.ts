// Every query parameter and header a handler reads, given garbage, over the real registry
// (on the in-memory etcd): a 4xx Status or a success, never a 5xx.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { capturedLogger } from '../testing/captured-logger.js';
import { startTestRestServer, type TestRestServer } from '../testing/rest-server.js';

const TOKEN = 'garbage-token';
let rest: TestRestServer;
let base: string;
const { logger, lines } = capturedLogger('error');

before(async () => {
  rest = await startTestRestServer({ token: TOKEN, logger });
  base = rest.base;
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } };
  await rest.registry.create('pods', 'default', pod);
  await rest.registry.create('configmaps', 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } });
});

after(async () => {
  await rest.stop();
});

interface Answer {
  status: number;
  body: string;
}

/** One request; a streaming answer (a watch) is cut after its headers and first bytes. */
function request(method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const h: Record<string, string> = { authorization: `Bearer ${TOKEN}`, ...headers };
    if (body !== undefined) h['content-length'] = String(Buffer.byteLength(body));
    // A connection of its own: a cut watch leaves none half-read for the next request.
    const req = http.request(`${base}${path}`, { method, headers: h, agent: false }, (res) => {
      let text = '';
      const done = () => resolve({ status: res.statusCode ?? 0, body: text });
      if (res.headers['transfer-encoding'] === 'chunked' && (res.statusCode ?? 0) < 300) {
        res.destroy();
        return done();
      }
      res.on('data', (c) => (text += c));
      res.on('end', done);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const GARBAGE = ['x', '-1', '1.5', '1e400', '99999999999999999999999', '0x10', '\u0000', '{}', 'a in (', '=,=', '\\', 'ü😀', 'x'.repeat(5000), '9007199254740993'];
const PARAMS = [
  'limit', 'continue', 'resourceVersion', 'resourceVersionMatch', 'timeoutSeconds', 'labelSelector', 'fieldSelector',
  'gracePeriodSeconds', 'propagationPolicy', 'orphanDependents', 'dryRun', 'includeObject', 'watch', 'allowWatchBookmarks',
  'fieldManager', 'force', 'ignoreStoreReadErrorWithClusterBreakingPotential', 'sendInitialEvents', 'pretty',
];

function assertNot5xx(a: Answer, what: string): void {
  assert.ok(a.status > 0 && a.status < 500, `${what} → ${a.status} ${a.body.slice(0, 300)}`);
  if (a.status >= 400) {
    const s = JSON.parse(a.body);
    assert.equal(s.kind, 'Status', what);
    assert.equal(s.code, a.status, what);
  }
}

test('garbage in any query parameter of any verb is never a 5xx', async () => {
  const targets: [string, string, string?, string?][] = [
    ['GET', '/api/v1/pods'],
    ['GET', '/api/v1/namespaces/default/configmaps'],
    ['GET', '/api/v1/namespaces/default/configmaps/c'],
    ['GET', '/api/v1/namespaces/default/pods?watch=1&timeoutSeconds=1'],
    ['GET', '/api/v1/watch/namespaces/default/configmaps/c?timeoutSeconds=1'],
    ['POST', '/api/v1/namespaces/default/configmaps', 'application/json', JSON.stringify({ metadata: { generateName: 'g-' } })],
    ['PUT', '/api/v1/namespaces/default/configmaps/c', 'application/json', JSON.stringify({ metadata: { name: 'c' }, data: { a: 'b' } })],
    ['PATCH', '/api/v1/namespaces/default/configmaps/c', 'application/merge-patch+json', JSON.stringify({ data: { x: 'y' } })],
    ['PATCH', '/api/v1/namespaces/default/configmaps/c', 'application/apply-patch+yaml', JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } })],
    ['DELETE', '/api/v1/namespaces/default/configmaps/none'],
    ['DELETE', '/api/v1/namespaces/default/configmaps?labelSelector=nothing%3Dhere'],
    ['DELETE', '/api/v1/namespaces/default/pods/none'],
  ];
  let n = 0;
  for (const [method, path, type, body] of targets) {
    for (const p of PARAMS) {
      for (const g of GARBAGE) {
        const sep = path.includes('?') ? '&' : '?';
        const url = `${path}${sep}${encodeURIComponent(p)}=${encodeURIComponent(g)}`;
        assertNot5xx(await request(method, url, type ? { 'content-type': type } : {}, body), `${method} ${url.slice(0, 200)}`);
        n++;
      }
    }
  }
  assert.ok(n > 3000);
  assert.deepEqual(lines.filter((l) => l.msg === 'internal error' || l.msg === 'request failed'), []);
});

test('garbage Accept and Content-Type headers are never a 5xx', async () => {
  const headers = ['', 'x', '*/*;q=garbage', 'application/json;as=Table;v=v9;g=meta.k8s.io', 'application/json;as=Table;g=meta.k8s.io;v=v1', 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1', 'application/vnd.kubernetes.protobuf', 'application/yaml', ';;;,,,', 'text/html', '\u00fc\u00ff', 'application/json; charset=\u00fc'];
  for (const h of headers) {
    for (const [method, path, body] of [
      ['GET', '/api/v1/namespaces/default/pods'],
      ['GET', '/api/v1/namespaces/default/pods/p'],
      ['POST', '/api/v1/namespaces/default/configmaps', JSON.stringify({ metadata: { generateName: 'h-' } })],
      ['PUT', '/api/v1/namespaces/default/configmaps/c', JSON.stringify({ metadata: { name: 'c' } })],
      ['PATCH', '/api/v1/namespaces/default/configmaps/c', JSON.stringify({ data: { h: 'h' } })],
      ['DELETE', '/api/v1/namespaces/default/configmaps/none', JSON.stringify({ gracePeriodSeconds: 0 })],
    ] as [string, string, string?][]) {
      assertNot5xx(await request(method, path, { accept: h }, body), `${method} ${path} Accept: ${h}`);
      assertNot5xx(await request(method, path, { 'content-type': h }, body), `${method} ${path} Content-Type: ${h}`);
    }
  }
});

test('DeleteOptions bodies of the wrong types are 400, never a 5xx', async () => {
  await rest.registry.create('pods', 'default', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'q' }, spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'busybox' }] } });
  const bodies = [
    '[]', '1', '"x"', 'null', '{"kind":"Pod"}', '{"gracePeriodSeconds":"x"}', '{"gracePeriodSeconds":1e300}', '{"gracePeriodSeconds":1.5}',
    '{"propagationPolicy":5}', '{"propagationPolicy":"Sideways"}', '{"orphanDependents":"yes"}', '{"preconditions":"x"}', '{"preconditions":{"uid":5}}',
    '{"dryRun":"All"}', '{"dryRun":["Some"]}', '{"dryRun":[1]}', '{"ignoreStoreReadErrorWithClusterBreakingPotential":"true"}', '{"__proto__":{"dryRun":["All"]}}',
  ];
  for (const b of bodies) {
    const a = await request('DELETE', '/api/v1/namespaces/default/pods/q', { 'content-type': 'application/json' }, b);
    assertNot5xx(a, `DELETE body ${b}`);
  }
  for (const g of ['9007199254740991', '-9007199254740991', '2147483648']) {
    assertNot5xx(await request('DELETE', `/api/v1/namespaces/default/pods/q?gracePeriodSeconds=${g}&dryRun=All`), `gracePeriodSeconds=${g}`);
  }
  const wrong = await request('DELETE', '/api/v1/namespaces/default/pods/q', { 'content-type': 'application/json' }, '{"gracePeriodSeconds":"x"}');
  assert.equal(wrong.status, 400);
  assert.match(JSON.parse(wrong.body).message, /cannot unmarshal string into Go struct field DeleteOptions.gracePeriodSeconds of type int64/);
});
