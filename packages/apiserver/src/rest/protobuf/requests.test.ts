// Protobuf bodies through the REST server (the real registry over the in-memory etcd): the exact bytes
// kubectl 1.32/1.33 sent (testdata/, captured by test/integration/kubectl-protobuf.test.ts
// with K8TS_PROTOBUF_CAPTURE), and DeleteOptions as client-go's typed clients (helm) send them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { startTestRestServer, type TestRestServer } from '../../testing/rest-server.js';

const PROTOBUF = 'application/vnd.kubernetes.protobuf';
let rest: TestRestServer;
let base: string;
const fixture = (name: string) => readFileSync(new URL(`./testdata/${name}.bin`, import.meta.url));

before(async () => {
  rest = await startTestRestServer();
  base = rest.base;
});

after(async () => {
  await rest.stop();
});

function send(method: string, path: string, body?: Buffer | string, type = PROTOBUF): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { accept: `${PROTOBUF}, application/json` };
    if (body !== undefined) Object.assign(headers, { 'content-type': type, 'content-length': String(Buffer.byteLength(body)) });
    const req = http.request(`${base}${path}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A k8s protobuf body as Go writes it: magic, Unknown{typeMeta{apiVersion, kind}, raw, "", ""}. */
function goBody(apiVersion: string, kind: string, raw: number[]): Buffer {
  const str = (n: number, s: string) => [n, Buffer.byteLength(s), ...Buffer.from(s)];
  const typeMeta = [...str(0x0a, apiVersion), ...str(0x12, kind)];
  return Buffer.from([...Buffer.from('k8s\0'), 0x0a, typeMeta.length, ...typeMeta, 0x12, raw.length, ...raw, 0x1a, 0, 0x22, 0]);
}

test("kubectl 1.32 and 1.33's debug node pod keeps its host-root volume and mount", async () => {
  for (const minor of [32, 33]) {
    const r = await send('POST', '/api/v1/namespaces/default/pods', fixture(`debug-node-pod-1.${minor}`));
    assert.equal(r.status, 201, JSON.stringify(r.json));
    assert.deepEqual(r.json.spec.volumes, [{ name: 'host-root', hostPath: { path: '/', type: '' } }]);
    assert.deepEqual(r.json.spec.containers[0].volumeMounts, [{ name: 'host-root', mountPath: '/host' }]);
    assert.equal(r.json.spec.hostPID, true);
    assert.deepEqual(r.json.spec.tolerations, [{ operator: 'Exists' }]);
  }
});

test("kubectl's job from a cronjob keeps securityContext, tolerations, volumes and pointer zeros", async () => {
  for (const minor of [32, 33]) {
    const r = await send('POST', '/apis/batch/v1/namespaces/default/jobs', fixture(`job-from-cronjob-1.${minor}`));
    assert.equal(r.status, 201, JSON.stringify(r.json));
    const spec = r.json.spec.template.spec;
    assert.deepEqual(spec.securityContext, { runAsUser: 1000, runAsGroup: 3000, fsGroup: 2000, runAsNonRoot: true });
    assert.equal(spec.tolerations.length, 2);
    assert.equal(spec.tolerations[1].tolerationSeconds, 30);
    assert.deepEqual(spec.volumes.map((v: any) => Object.keys(v).sort().join()), ['emptyDir,name', 'configMap,name', 'hostPath,name']);
    assert.equal(spec.containers[0].securityContext.allowPrivilegeEscalation, false);
    assert.equal(r.json.spec.backoffLimit, 0);
    assert.equal(r.json.spec.suspend, false);
    await send('DELETE', `/apis/batch/v1/namespaces/default/jobs/${r.json.metadata.name}`);
  }
});

test("helm's DeleteOptions (typed client-go: protobuf, the resource's group version) delete", async () => {
  const secret = JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'sh.helm.release.v1.x.v1' }, type: 'helm.sh/release.v1' });
  assert.equal((await send('POST', '/api/v1/namespaces/default/secrets', secret, 'application/json')).status, 201);
  // What helm 3.17 sent on `helm uninstall` for its release Secret: DeleteOptions{} in v1,
  // no field at all (every field is a pointer or a list).
  const helmBody = fixture('helm-3.17-delete-options');
  assert.deepEqual(helmBody, goBody('v1', 'DeleteOptions', []));
  const empty = await send('DELETE', '/api/v1/namespaces/default/secrets/sh.helm.release.v1.x.v1', helmBody);
  assert.equal(empty.status, 200, JSON.stringify(empty.json));
  assert.equal((await send('GET', '/api/v1/namespaces/default/secrets/sh.helm.release.v1.x.v1')).status, 404);

  const cm = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } });
  assert.equal((await send('POST', '/api/v1/namespaces/default/configmaps', cm, 'application/json')).status, 201);
  // propagationPolicy = 4: "Background"; gracePeriodSeconds = 1: 0.
  const background = await send('DELETE', '/api/v1/namespaces/default/configmaps/c', goBody('v1', 'DeleteOptions', [0x08, 0x00, 0x22, 10, ...Buffer.from('Background')]));
  assert.equal(background.status, 200, JSON.stringify(background.json));

  const dep = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } } };
  assert.equal((await send('POST', '/apis/apps/v1/namespaces/default/deployments', JSON.stringify(dep), 'application/json')).status, 201);
  const foreground = await send('DELETE', '/apis/apps/v1/namespaces/default/deployments/d', goBody('apps/v1', 'DeleteOptions', [0x22, 10, ...Buffer.from('Foreground')]));
  assert.equal(foreground.status, 200, JSON.stringify(foreground.json));
});

test('bad protobuf bodies are 400 Status answers naming the problem, and change nothing', async () => {
  // A ConfigMap with field number 77 (varint).
  const unknown = await send('POST', '/api/v1/namespaces/default/configmaps', goBody('v1', 'ConfigMap', [0x0a, 0x03, 0x0a, 0x01, 0x78, 0xe8, 0x04, 0x01]));
  assert.equal(unknown.status, 400);
  assert.equal(unknown.json.kind, 'Status');
  assert.match(unknown.json.message, /field number 77 .*k8s\.io\.api\.core\.v1\.ConfigMap/);
  assert.equal((await send('GET', '/api/v1/namespaces/default/configmaps/x')).status, 404);
  const badDelete = await send('DELETE', '/api/v1/namespaces/default/configmaps/x', goBody('v1', 'DeleteOptions', [0x38, 0x01]));
  assert.equal(badDelete.status, 400);
  assert.match(badDelete.json.message, /field number 7 .*DeleteOptions/);
  const wrongKind = await send('DELETE', '/api/v1/namespaces/default/configmaps/x', goBody('v1', 'Widget', []));
  assert.equal(wrongKind.status, 415);
});

test('a watch asked for as protobuf (typed client-go) is answered as a JSON stream, which client-go reads by its Content-Type', async () => {
  const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
    const req = http.request(`${base}/api/v1/namespaces/default/configmaps?watch=1&timeoutSeconds=1`, { headers: { accept: `${PROTOBUF};stream=watch` } }, resolve);
    req.on('error', reject);
    req.end();
  });
  assert.equal(res.statusCode, 200);
  assert.match(String(res.headers['content-type']), /^application\/json/);
  res.resume();
  await new Promise((r) => res.on('end', r));
});
