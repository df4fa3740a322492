// The autoscaling/v1 view of the HPAs and the read-only metrics.k8s.io resources at the REST
// face, good and bad input alike, over the real registry on the in-memory etcd.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startTestRestServer, type TestRestServer } from '../testing/rest-server.js';
import { startMetricsApi, type MetricsApi } from '../metrics-api/index.js';

const TOKEN = 'secret-token';
let rest: TestRestServer;
let metrics: MetricsApi;

before(async () => {
  rest = await startTestRestServer({ token: TOKEN });
  // No agent is connected: every scrape round is empty.
  metrics = startMetricsApi({ registry: rest.registry, tunnel: rest.hub, resolutionMs: 60_000 });
});
after(async () => {
  await metrics.stop();
  await rest.stop();
});

function request(method: string, path: string, body?: string, contentType = 'application/json'): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` };
    if (body !== undefined) Object.assign(headers, { 'content-type': contentType, 'content-length': String(Buffer.byteLength(body)) });
    const req = http.request(`${rest.base}${path}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: any;
        try {
          json = JSON.parse(text);
        } catch {
          json = text;
        }
        resolve({ status: res.statusCode ?? 0, json });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

const V1 = '/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers';
const V2 = '/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers';
const v1Body = (name: string, spec: unknown) => JSON.stringify({ apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: { name }, spec });
const ref = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' };

test('v1 in, v2 stored, each version read back in its own form; lists and patches through v1', async () => {
  const created = await request('POST', V1, v1Body('web', { scaleTargetRef: ref, minReplicas: 1, maxReplicas: 5, targetCPUUtilizationPercentage: 50 }));
  assert.equal(created.status, 201, JSON.stringify(created.json));
  assert.equal(created.json.apiVersion, 'autoscaling/v1');
  assert.equal(created.json.spec.targetCPUUtilizationPercentage, 50);
  const v2 = await request('GET', `${V2}/web`);
  assert.deepEqual(v2.json.spec.metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }]);
  const list = await request('GET', V1);
  assert.equal(list.json.kind, 'HorizontalPodAutoscalerList');
  assert.equal(list.json.apiVersion, 'autoscaling/v1');
  assert.equal(list.json.items[0].spec.targetCPUUtilizationPercentage, 50);
  const patched = await request('PATCH', `${V1}/web`, JSON.stringify({ spec: { targetCPUUtilizationPercentage: 70 } }), 'application/merge-patch+json');
  assert.equal(patched.status, 200, JSON.stringify(patched.json));
  assert.equal(patched.json.spec.targetCPUUtilizationPercentage, 70);
  assert.equal((await request('GET', `${V2}/web`)).json.spec.metrics[0].resource.target.averageUtilization, 70);
  // v2-only fields survive a v1 round trip.
  await request('PATCH', `${V2}/web`, JSON.stringify({ spec: { behavior: { scaleDown: { stabilizationWindowSeconds: 5 } } } }), 'application/merge-patch+json');
  const v1 = (await request('GET', `${V1}/web`)).json;
  const put = await request('PUT', `${V1}/web`, JSON.stringify(v1));
  assert.equal(put.status, 200, JSON.stringify(put.json));
  assert.equal((await request('GET', `${V2}/web`)).json.spec.behavior.scaleDown.stabilizationWindowSeconds, 5);
});

test('bad input through the v1 view is a 4xx and stores nothing', async () => {
  const wrongType = await request('POST', V1, v1Body('bad1', { scaleTargetRef: ref, maxReplicas: 5, targetCPUUtilizationPercentage: 'lots' }));
  assert.equal(wrongType.status, 400, JSON.stringify(wrongType.json));
  const inverted = await request('POST', V1, v1Body('bad2', { scaleTargetRef: ref, minReplicas: 5, maxReplicas: 2 }));
  assert.equal(inverted.status, 422);
  assert.match(inverted.json.message, /spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`/);
  const notAnObject = await request('POST', V1, JSON.stringify({ apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: { name: 'bad3' }, spec: [1, 2] }));
  assert.equal(notAnObject.status, 400);
  const badAnnotation = await request('POST', V1, JSON.stringify({ apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: { name: 'bad4', annotations: { 'autoscaling.alpha.kubernetes.io/metrics': '{not json' } }, spec: { scaleTargetRef: ref, maxReplicas: 2 } }));
  assert.equal(badAnnotation.status, 201, 'an unreadable annotation is ignored, as upstream ignores it');
  const wrongVersion = await request('POST', V1, JSON.stringify({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'bad5' }, spec: { scaleTargetRef: ref, maxReplicas: 2 } }));
  assert.equal(wrongVersion.status, 400);
  const apply = await request('PATCH', `${V1}/web?fieldManager=me`, 'spec: {maxReplicas: 3}', 'application/apply-patch+yaml');
  assert.equal(apply.status, 415);
  const badPatch = await request('PATCH', `${V1}/web`, '{"spec": ', 'application/merge-patch+json');
  assert.equal(badPatch.status, 400);
  const names = (await request('GET', V2)).json.items.map((i: any) => i.metadata.name).sort();
  assert.deepEqual(names, ['bad4', 'web']);
});

test('metrics.k8s.io: discovered, read-only, NotFound in metrics-server\'s words', async () => {
  const groups = (await request('GET', '/apis')).json.groups.map((g: any) => g.name);
  assert.ok(groups.includes('metrics.k8s.io'));
  const resources = (await request('GET', '/apis/metrics.k8s.io/v1beta1')).json.resources;
  assert.deepEqual(resources.map((r: any) => [r.name, r.kind, r.verbs]), [['nodes', 'NodeMetrics', ['get', 'list']], ['pods', 'PodMetrics', ['get', 'list']]]);
  const autoscaling = (await request('GET', '/apis/autoscaling')).json;
  assert.equal(autoscaling.preferredVersion.version, 'v2');
  const list = await request('GET', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods');
  assert.deepEqual([list.status, list.json.kind, list.json.items], [200, 'PodMetricsList', []]);
  const missing = await request('GET', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/nope');
  assert.equal(missing.status, 404);
  assert.equal(missing.json.message, 'podmetrics.metrics.k8s.io "default/nope" not found');
  assert.equal((await request('GET', '/apis/metrics.k8s.io/v1beta1/nodes/n1')).json.message, 'nodemetrics.metrics.k8s.io "n1" not found');
  assert.equal((await request('POST', '/apis/metrics.k8s.io/v1beta1/nodes', JSON.stringify({ apiVersion: 'metrics.k8s.io/v1beta1', kind: 'NodeMetrics', metadata: { name: 'x' } }))).status, 405);
  assert.equal((await request('DELETE', '/apis/metrics.k8s.io/v1beta1/nodes/n1')).status, 405);
  assert.equal((await request('GET', '/apis/metrics.k8s.io/v1beta1/nodes?watch=1')).status, 405);
  assert.equal((await request('GET', '/apis/metrics.k8s.io/v1beta1/nodes?labelSelector=%3D%3D%3D')).status, 400);
  // The core pods and nodes are still the core ones.
  assert.equal((await request('GET', '/api/v1/nodes')).json.kind, 'NodeList');
});
