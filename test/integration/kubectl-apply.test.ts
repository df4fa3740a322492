// Server-side apply with the real kubectl 1.32 against a real etcd and the real apiserver:
// field managers, conflicts, --force-conflicts, pruning of dropped fields, and the moves
// between client-side and server-side apply.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { join } from 'node:path';
import { kubectlOk, runKubectl, startKubectlCluster, type KubectlCluster } from './kubectl-cluster.js';

let cluster: KubectlCluster;

before(async () => {
  cluster = await startKubectlCluster();
});

after(async () => {
  await cluster?.stop();
});

const kubectl = (args: string[]) => runKubectl(cluster, args, { minor: 32 });
const ok = (args: string[]) => kubectlOk(cluster, args, { minor: 32 });

function manifest(name: string, text: string): string {
  const p = join(cluster.dir, name);
  writeFileSync(p, text);
  return p;
}

function deployment(name: string, replicas: number, labels = 'app: web'): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  labels: {${labels}}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx:1.27
`;
}

async function getJson(kind: string, name: string): Promise<any> {
  return JSON.parse(await ok(['get', kind, name, '-o', 'json', '--show-managed-fields']));
}

function managers(obj: any): string[] {
  return (obj.metadata.managedFields ?? []).map((m: any) => `${m.manager}/${m.operation}`).sort();
}

test('apply --server-side records an Apply entry; -o yaml shows it only with --show-managed-fields', async () => {
  assert.match(await ok(['apply', '--server-side', '-f', manifest('d1.yaml', deployment('d1', 2))]), /deployment.apps\/d1 serverside-applied/);
  const shown = await ok(['get', 'deployment', 'd1', '-o', 'yaml', '--show-managed-fields']);
  assert.match(shown, /managedFields:/);
  assert.match(shown, /manager: kubectl\n\s+operation: Apply/);
  assert.match(shown, /f:replicas: \{\}/);
  assert.match(shown, /k:\{"name":"web"\}:/);
  const hidden = await ok(['get', 'deployment', 'd1', '-o', 'yaml']);
  assert.doesNotMatch(hidden, /managedFields/);
  const obj = await getJson('deployment', 'd1');
  const entry = obj.metadata.managedFields[0];
  assert.equal(entry.apiVersion, 'apps/v1');
  assert.equal(entry.fieldsType, 'FieldsV1');
  assert.match(entry.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal(entry.fieldsV1['f:metadata']['f:name'], undefined, 'name is owned by no one');
});

test('a second manager changing an owned field gets 409 naming field and manager; --force-conflicts takes it', async () => {
  const other = manifest('d1-5.yaml', deployment('d1', 5));
  const r = await kubectl(['apply', '--server-side', '--field-manager=other', '-f', other]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /Apply failed with 1 conflict: conflict with "kubectl": \.spec\.replicas/);
  assert.equal((await getJson('deployment', 'd1')).spec.replicas, 2, 'nothing changed');
  await ok(['apply', '--server-side', '--field-manager=other', '--force-conflicts', '-f', other]);
  const obj = await getJson('deployment', 'd1');
  assert.equal(obj.spec.replicas, 5);
  const mine = obj.metadata.managedFields.find((m: any) => m.manager === 'kubectl');
  const theirs = obj.metadata.managedFields.find((m: any) => m.manager === 'other');
  assert.equal(mine.fieldsV1['f:spec']['f:replicas'], undefined);
  assert.deepEqual(theirs.fieldsV1['f:spec']['f:replicas'], {});
});

test('an Update manager conflicts too, named with its apiVersion', async () => {
  await ok(['scale', 'deployment', 'd1', '--replicas=3']);
  const r = await kubectl(['apply', '--server-side', '--field-manager=other', '-f', manifest('d1-6.yaml', deployment('d1', 6))]);
  assert.notEqual(r.code, 0);
  // kubectl scale names no fieldManager: the manager is its User-Agent's prefix, the binary's
  // name (kubectl.1.32 here), as upstream derives it.
  assert.match(r.stderr, /conflict with "kubectl\.1\.32"( with subresource "scale")? using apps\/v1: \.spec\.replicas/);
});

test('a field dropped from the applied manifest is removed', async () => {
  await ok(['apply', '--server-side', '-f', manifest('d2.yaml', deployment('d2', 1, 'app: web, tier: front'))]);
  assert.equal((await getJson('deployment', 'd2')).metadata.labels.tier, 'front');
  await ok(['apply', '--server-side', '-f', manifest('d2b.yaml', deployment('d2', 1))]);
  const obj = await getJson('deployment', 'd2');
  assert.deepEqual(obj.metadata.labels, { app: 'web' });
});

test('--server-side then plain (client-side) apply', async () => {
  await ok(['apply', '--server-side', '-f', manifest('d3.yaml', deployment('d3', 1))]);
  const r = await kubectl(['apply', '-f', manifest('d3b.yaml', deployment('d3', 4, 'app: web, tier: back'))]);
  assert.equal(r.code, 0, r.stderr);
  const obj = await getJson('deployment', 'd3');
  assert.equal(obj.spec.replicas, 4);
  assert.equal(obj.metadata.labels.tier, 'back');
  assert.ok(obj.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']);
  assert.ok(managers(obj).includes('kubectl-client-side-apply/Update'), managers(obj).join());
});

test('client-side apply then --server-side: no conflict, and the client-side manager is migrated', async () => {
  const cm = (v: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm1\ndata:\n  a: "${v}"\n  b: x\n`;
  await ok(['apply', '-f', manifest('cm1.yaml', cm('1'))]);
  let obj = await getJson('configmap', 'cm1');
  assert.deepEqual(managers(obj), ['kubectl-client-side-apply/Update']);
  const r = await kubectl(['apply', '--server-side', '-f', manifest('cm1b.yaml', cm('2'))]);
  assert.equal(r.code, 0, r.stderr);
  obj = await getJson('configmap', 'cm1');
  assert.equal(obj.data.a, '2');
  // kubectl folds the client-side manager into its Apply entry, and keeps the annotation
  // under a manager of its own.
  assert.deepEqual(managers(obj), ['kubectl-last-applied/Apply', 'kubectl/Apply']);
  const last = obj.metadata.managedFields.find((m: any) => m.manager === 'kubectl-last-applied');
  assert.deepEqual(last.fieldsV1, { 'f:metadata': { 'f:annotations': { 'f:kubectl.kubernetes.io/last-applied-configuration': {} } } });
  const kubectlSet = obj.metadata.managedFields.find((m: any) => m.manager === 'kubectl').fieldsV1;
  assert.deepEqual(kubectlSet['f:data'], { 'f:a': {}, 'f:b': {} });
  // The annotation follows server-side apply, so a later client-side apply diffs from it.
  assert.match(obj.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'], /"a":"2"/);
  await ok(['apply', '-f', manifest('cm1c.yaml', cm('3').replace('  b: x\n', ''))]);
  obj = await getJson('configmap', 'cm1');
  assert.deepEqual(obj.data, { a: '3' });
});

test('create and edit-style writes record Update entries named after the client', async () => {
  await ok(['create', 'configmap', 'cm2', '--from-literal=k=v']);
  assert.deepEqual(managers(await getJson('configmap', 'cm2')), ['kubectl-create/Update']);
  await ok(['label', 'configmap', 'cm2', 'x=y']);
  const obj = await getJson('configmap', 'cm2');
  assert.deepEqual(managers(obj), ['kubectl-create/Update', 'kubectl-label/Update']);
  const label = obj.metadata.managedFields.find((m: any) => m.manager === 'kubectl-label');
  assert.deepEqual(label.fieldsV1, { 'f:metadata': { 'f:labels': { 'f:x': {} } } });
});

function request(method: string, path: string, body: string, contentType: string): Promise<{ code: number; body: any }> {
  const url = new URL(cluster.restUrl + path);
  return new Promise((resolve, reject) => {
    const req = https.request(
      { method, hostname: url.hostname, port: url.port, path: url.pathname + url.search, ca: readFileSync(join(cluster.dir, 'tls.crt')), headers: { authorization: `Bearer ${cluster.token}`, 'content-type': contentType, 'user-agent': 'curl/8.0' } },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ code: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

test('REST: apply needs a fieldManager; a conflict is a Status with FieldManagerConflict causes; hostile configurations are 4xx', async () => {
  const path = '/apis/apps/v1/namespaces/default/deployments/d1';
  const cfg = JSON.stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd1' }, spec: { replicas: 9 } });
  const missing = await request('PATCH', path, cfg, 'application/apply-patch+yaml');
  assert.equal(missing.code, 400);
  assert.match(missing.body.message, /fieldManager: Required value/);
  const conflict = await request('PATCH', `${path}?fieldManager=third`, cfg, 'application/apply-patch+yaml');
  assert.equal(conflict.code, 409);
  assert.equal(conflict.body.reason, 'Conflict');
  assert.equal(conflict.body.details.causes[0].type, 'FieldManagerConflict');
  assert.equal(conflict.body.details.causes[0].field, '.spec.replicas');
  for (const bad of [
    '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d1"},"spec":{"template":{"spec":{"containers":[{"image":"x"}]}}}}',
    '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d1","managedFields":[]}}',
    '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d1"},"spec":{"template":{"spec":{"containers":[{"name":"a"},{"name":"a"}]}}}}',
    '{"apiVersion":"apps/v1","kind":"Deployment","metadata":"x"}',
    '[1]',
    'a: [',
  ]) {
    const r = await request('PATCH', `${path}?fieldManager=third&force=true`, bad, 'application/apply-patch+yaml');
    assert.ok(r.code >= 400 && r.code < 500, `${bad}: ${r.code} ${JSON.stringify(r.body)}`);
  }
  // A client may write managedFields itself; garbage there leaves the server's.
  const before = (await getJson('deployment', 'd1')).metadata.managedFields;
  const garbage = await request('PATCH', `${path}?fieldManager=third`, JSON.stringify({ metadata: { managedFields: [{ manager: 'x', operation: 'Steal' }] } }), 'application/merge-patch+json');
  assert.equal(garbage.code, 200, JSON.stringify(garbage.body));
  assert.deepEqual(garbage.body.metadata.managedFields, before);
  const long = await request('PATCH', `${path}?fieldManager=${'m'.repeat(129)}`, '{}', 'application/merge-patch+json');
  assert.equal(long.code, 422);
  const forced = await request('PATCH', `${path}?force=true`, '{}', 'application/merge-patch+json');
  assert.equal(forced.code, 422);
  assert.match(forced.body.message, /force: Forbidden/);
});
