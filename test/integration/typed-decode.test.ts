// Request bodies are decoded against the Kubernetes schema (issue 12): wrong types are a 400
// metav1.Status naming the field and store nothing, on create, on status patches and on
// merge patches; unknown and duplicate fields follow fieldValidation; kubectl prints the
// Warning headers. Real etcd, real apiserver, raw HTTPS requests and the real kubectl 1.32.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startKubectlCluster, type KubectlCluster } from './kubectl-cluster.js';

let cluster: KubectlCluster;
let ca: Buffer;

before(async () => {
  cluster = await startKubectlCluster();
  ca = readFileSync(join(cluster.dir, 'tls.crt'));
});

after(async () => {
  await cluster?.stop();
});

interface Answer {
  code: number;
  body: any;
  warnings: string[];
}

function call(method: string, path: string, body?: string, contentType = 'application/json'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      `${cluster.restUrl}${path}`,
      // Content-Length always: Node sends a DELETE's body neither chunked nor sized otherwise.
      { method, ca, headers: { Authorization: `Bearer ${cluster.token}`, 'Content-Type': contentType, Accept: 'application/json', 'Content-Length': Buffer.byteLength(body ?? '') } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          // Node joins repeated headers in res.headers: read them one by one.
          const warnings = res.rawHeaders.filter((_, i) => i % 2 === 1 && res.rawHeaders[i - 1]!.toLowerCase() === 'warning');
          resolve({ code: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined, warnings });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const PODS = '/api/v1/namespaces/default/pods';

function podJson(name: string, container: Record<string, unknown> = {}, spec: Record<string, unknown> = {}, metadata: Record<string, unknown> = {}): string {
  return JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name, ...metadata }, spec: { containers: [{ name: 'c', image: 'k8ts/hello:1.0', ...container }], ...spec } });
}

async function assertRefused(a: Answer, code: number, message: RegExp, name: string, field?: string): Promise<void> {
  assert.equal(a.code, code, JSON.stringify(a.body));
  assert.equal(a.body.kind, 'Status');
  assert.equal(a.body.status, 'Failure');
  assert.equal(a.body.reason, code === 400 ? 'BadRequest' : 'Invalid');
  assert.match(a.body.message, message);
  if (field) assert.ok(a.body.details.causes.some((c: any) => c.field === field), JSON.stringify(a.body.details));
  assert.equal((await call('GET', `${PODS}/${name}`)).code, 404, `${name} must not be stored`);
}

test('wrong types in a create are a 400 naming the field, and nothing is stored', async () => {
  await assertRefused(await call('POST', PODS, podJson('t1', { command: 'sh' })), 400, /^Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal string into Go struct field Container.spec.containers.command of type \[\]string$/, 't1', 'spec.containers[0].command');
  await assertRefused(await call('POST', PODS, podJson('t2', {}, {}, { labels: ['a'] })), 400, /cannot unmarshal array into Go struct field ObjectMeta.metadata.labels of type map\[string\]string/, 't2', 'metadata.labels');
  await assertRefused(await call('POST', PODS, podJson('t3', { env: [{ name: 'A', value: 1 }] })), 400, /Go struct field EnvVar.spec.containers.env.value of type string/, 't3', 'spec.containers[0].env[0].value');
  await assertRefused(await call('POST', PODS, podJson('t4', {}, { terminationGracePeriodSeconds: 'x' })), 400, /of type int64/, 't4', 'spec.terminationGracePeriodSeconds');
  await assertRefused(await call('POST', PODS, JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 't5' }, spec: 'x' })), 400, /Go struct field Pod.spec of type v1.PodSpec/, 't5', 'spec');
  await assertRefused(await call('POST', PODS, podJson('t6', { ports: '80' })), 400, /of type \[\]v1.ContainerPort/, 't6', 'spec.containers[0].ports');
  await assertRefused(await call('POST', PODS, podJson('t7', { ports: [{ containerPort: 2 ** 31 }] })), 400, /number 2147483648 .* of type int32/, 't7');
  await assertRefused(await call('POST', PODS, podJson('t8', {}, { activeDeadlineSeconds: 1e308 })), 400, /number 1e308 .* of type int64/, 't8');
  // As in Go, a null list element is the zero Container, which validation then refuses.
  await assertRefused(await call('POST', PODS, JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 't9' }, spec: { containers: [null] } })), 422, /spec.containers\[0\].name: Required value/, 't9');
  const cm = await call('POST', '/api/v1/namespaces/default/configmaps', JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c1' }, data: 'str' }));
  assert.equal(cm.code, 400);
  assert.match(cm.body.message, /^ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal string into Go struct field ConfigMap.data of type map\[string\]string$/);
  assert.equal((await call('GET', '/api/v1/namespaces/default/configmaps/c1')).code, 404);
  const dep = await call('POST', '/apis/apps/v1/namespaces/default/deployments', JSON.stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd1' }, spec: { replicas: 2 ** 31 } }));
  assert.equal(dep.code, 400);
  assert.match(dep.body.message, /^Deployment in version "v1" cannot be handled as a Deployment: .*DeploymentSpec.spec.replicas of type int32/);
});

test('JSON nested 10,000 deep is a 400, in a body and in a patch', async () => {
  const deep = '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000);
  const body = `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"deep"},"spec":{"containers":[{"name":"c","image":"i"}]},"x":${deep}}`;
  await assertRefused(await call('POST', PODS, body), 400, /exceeded max depth/, 'deep');
  assert.equal((await call('POST', PODS, podJson('p0'))).code, 201);
  const patched = await call('PATCH', `${PODS}/p0`, `{"metadata":{"labels":${deep}}}`, 'application/merge-patch+json');
  assert.equal(patched.code, 400, JSON.stringify(patched.body));
  assert.match(patched.body.message, /exceeded max depth/);
});

test('status and merge patches that produce wrong types are a 400 and change nothing', async () => {
  const created = await call('POST', PODS, podJson('p1'));
  assert.equal(created.code, 201, JSON.stringify(created.body));
  const rv = created.body.metadata.resourceVersion;
  const cases: [string, string, string, RegExp][] = [
    ['/status', 'application/merge-patch+json', '{"status":{"podIPs":"x"}}', /Go struct field PodStatus.status.podIPs of type \[\]v1.PodIP/],
    ['/status', 'application/strategic-merge-patch+json', '{"status":{"conditions":1.5}}', /cannot unmarshal number into Go struct field PodStatus.status.conditions of type \[\]v1.PodCondition/],
    ['', 'application/merge-patch+json', '{"metadata":[]}', /cannot unmarshal array into Go struct field Pod.metadata of type v1.ObjectMeta/],
    ['', 'application/json-patch+json', '[{"op":"add","path":"/spec/containers/0/args","value":"x"}]', /of type \[\]string/],
  ];
  for (const [sub, type, patch, message] of cases) {
    const a = await call('PATCH', `${PODS}/p1${sub}`, patch, type);
    assert.equal(a.code, 400, `${patch}: ${JSON.stringify(a.body)}`);
    assert.equal(a.body.kind, 'Status');
    assert.match(a.body.message, message);
  }
  const after = await call('GET', `${PODS}/p1`);
  assert.equal(after.body.metadata.resourceVersion, rv, 'nothing was written');
});

test('unknown fields: Ignore drops silently, Warn (the default) drops with a Warning header, Strict is a 400', async () => {
  const body = (name: string) => podJson(name, { imagePullPolicyy: 'Always' });
  const ignored = await call('POST', `${PODS}?fieldValidation=Ignore`, body('u1'));
  assert.equal(ignored.code, 201);
  assert.deepEqual(ignored.warnings, []);
  assert.equal(ignored.body.spec.containers[0].imagePullPolicyy, undefined);
  for (const [name, query] of [['u2', '?fieldValidation=Warn'], ['u3', '']]) {
    const warned = await call('POST', `${PODS}${query}`, body(name));
    assert.equal(warned.code, 201);
    assert.deepEqual(warned.warnings, ['299 - "unknown field \\"spec.containers[0].imagePullPolicyy\\""']);
    const stored = await call('GET', `${PODS}/${name}`);
    assert.equal(stored.body.spec.containers[0].imagePullPolicyy, undefined, 'dropped, not stored');
  }
  await assertRefused(await call('POST', `${PODS}?fieldValidation=Strict`, body('u4')), 400, /^Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.containers\[0\].imagePullPolicyy"$/, 'u4', 'spec.containers[0].imagePullPolicyy');
  const bad = await call('POST', `${PODS}?fieldValidation=strict`, body('u5'));
  assert.equal(bad.code, 422);
  assert.match(bad.body.message, /fieldValidation: Unsupported value: "strict"/);
  const patched = await call('PATCH', `${PODS}/u1?fieldValidation=Strict`, '{"spec":{"bogus":1}}', 'application/merge-patch+json');
  assert.equal(patched.code, 400);
  assert.match(patched.body.message, /strict decoding error: unknown field "spec.bogus"/);
  const warnedPatch = await call('PATCH', `${PODS}/u1`, '{"spec":{"bogus":1}}', 'application/strategic-merge-patch+json');
  assert.equal(warnedPatch.code, 200);
  assert.deepEqual(warnedPatch.warnings, ['299 - "unknown field \\"spec.bogus\\""']);
});

test('duplicate keys: the last wins with a warning; Strict refuses; YAML bodies too', async () => {
  const dup = '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"d1","name":"d2"},"spec":{"containers":[{"name":"c","image":"a","image":"b"}]}}';
  const warned = await call('POST', PODS, dup);
  assert.equal(warned.code, 201, JSON.stringify(warned.body));
  assert.equal(warned.body.metadata.name, 'd2');
  assert.equal(warned.body.spec.containers[0].image, 'b');
  assert.deepEqual(warned.warnings, ['299 - "duplicate field \\"metadata.name\\""', '299 - "duplicate field \\"spec.containers[0].image\\""']);
  const strict = await call('POST', `${PODS}?fieldValidation=Strict`, dup.replace(/d2/, 'd3'));
  assert.equal(strict.code, 400);
  assert.match(strict.body.message, /strict decoding error: duplicate field "metadata.name", duplicate field "spec.containers\[0\].image"/);
  const yaml = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: y1\nspec:\n  containers:\n  - name: c\n    image: a\n    image: b\n    command: sh\n';
  const typed = await call('POST', PODS, yaml, 'application/yaml');
  assert.equal(typed.code, 400);
  assert.match(typed.body.message, /of type \[\]string/);
  const y = await call('POST', PODS, yaml.replace('    command: sh\n', ''), 'application/yaml');
  assert.equal(y.code, 201, JSON.stringify(y.body));
  assert.deepEqual(y.warnings, ['299 - "duplicate field \\"spec.containers[0].image\\""']);
});

test('kubectl 1.32 apply of a manifest with an unknown field: refused by default (--validate=strict), a warning with --validate=warn', async () => {
  const home = join(cluster.dir, 'home-decode');
  mkdirSync(home, { recursive: true });
  const file = join(cluster.dir, 'typo.yaml');
  writeFileSync(file, 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: typo\nspec:\n  containers:\n  - name: c\n    image: k8ts/hello:1.0\n    imagePullPolicyy: Always\n');
  const apply = (...flags: string[]) =>
    new Promise<{ code: number; out: string }>((resolve) => {
      execFile('/usr/lib/google-cloud-sdk/bin/kubectl.1.32', ['--kubeconfig', cluster.kubeconfig, 'apply', ...flags, '-f', file], { env: { PATH: process.env.PATH, HOME: home }, timeout: 60_000 }, (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
      );
    });
  // kubectl finds fieldValidation in the server's OpenAPI and asks for Strict, as against Kubernetes.
  const strict = await apply();
  assert.notEqual(strict.code, 0);
  assert.match(strict.out, /Error from server \(BadRequest\): error when creating ".*typo.yaml": Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.containers\[0\].imagePullPolicyy"/);
  assert.equal((await call('GET', `${PODS}/typo`)).code, 404);
  const warn = await apply('--validate=warn');
  assert.equal(warn.code, 0, warn.out);
  assert.match(warn.out, /Warning: unknown field "spec.containers\[0\].imagePullPolicyy"/);
  assert.match(warn.out, /pod\/typo created/);
  const stored = await call('GET', `${PODS}/typo`);
  assert.equal(stored.body.spec.containers[0].imagePullPolicyy, undefined);
  // A second apply is a strategic merge patch: the unknown field is reported again.
  const again = await apply('--validate=warn');
  assert.equal(again.code, 0, again.out);
  assert.match(again.out, /pod\/typo (unchanged|configured)/);
});

test('subresource bodies are decoded too: a Binding whose target is a string is a 400', async () => {
  assert.equal((await call('POST', PODS, podJson('b1'))).code, 201);
  const bad = await call('POST', `${PODS}/b1/binding`, JSON.stringify({ apiVersion: 'v1', kind: 'Binding', metadata: { name: 'b1' }, target: 'node-1' }));
  assert.equal(bad.code, 400, JSON.stringify(bad.body));
  assert.match(bad.body.message, /^Binding in version "v1" cannot be handled as a Binding: json: cannot unmarshal string into Go struct field Binding.target of type v1.ObjectReference$/);
  const pod = await call('GET', `${PODS}/b1`);
  assert.equal(pod.body.spec.nodeName, undefined, 'not bound');
});

test('DeleteOptions bodies are decoded: a grace period that is a string is a 400 and deletes nothing', async () => {
  assert.equal((await call('POST', PODS, podJson('g1'))).code, 201);
  const bad = await call('DELETE', `${PODS}/g1`, JSON.stringify({ kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 'x' }));
  assert.equal(bad.code, 400, JSON.stringify(bad.body));
  assert.match(bad.body.message, /^DeleteOptions in version "v1" cannot be handled as a DeleteOptions: json: cannot unmarshal string into Go struct field DeleteOptions.gracePeriodSeconds of type int64$/);
  const pod = await call('GET', `${PODS}/g1`);
  assert.equal(pod.body.metadata.deletionTimestamp, undefined);
  const good = await call('DELETE', `${PODS}/g1`, JSON.stringify({ kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 0 }));
  assert.equal(good.code, 200, JSON.stringify(good.body));
});
