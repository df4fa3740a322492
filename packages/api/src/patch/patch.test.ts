import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyPatch } from './index.js';
import { PatchError } from '../errors.js';

const SMP = 'application/strategic-merge-patch+json';
const MERGE = 'application/merge-patch+json';
const JSONP = 'application/json-patch+json';
const APPLY = 'application/apply-patch+yaml';

function deployment(): any {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', labels: { app: 'web' }, finalizers: ['a/x'] },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            { name: 'nginx', image: 'nginx:1.24', ports: [{ containerPort: 80, protocol: 'TCP' }], env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] },
            { name: 'sidecar', image: 'busybox', args: ['sleep', '1000'] },
          ],
          tolerations: [{ key: 'k', operator: 'Exists' }],
        },
      },
    },
  };
}

test('kubectl label / annotate: merge patch on metadata, null removes', () => {
  const orig = deployment();
  const out: any = applyPatch(MERGE, orig, '{"metadata":{"labels":{"env":"debug"}}}', 'deployments');
  assert.deepEqual(out.metadata.labels, { app: 'web', env: 'debug' });
  assert.equal(orig.metadata.labels.env, undefined, 'original untouched');
  const out2: any = applyPatch(MERGE, out, '{"metadata":{"labels":{"env":null},"annotations":{"note":"hi"}}}', 'deployments');
  assert.deepEqual(out2.metadata.labels, { app: 'web' });
  assert.deepEqual(out2.metadata.annotations, { note: 'hi' });
});

test('kubectl scale: merge patch of spec.replicas', () => {
  const out: any = applyPatch(MERGE, deployment(), { spec: { replicas: 5 } }, 'deployments');
  assert.equal(out.spec.replicas, 5);
  assert.equal(out.spec.template.spec.containers.length, 2);
});

test('kubectl cordon / uncordon: strategic patch of spec.unschedulable', () => {
  const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, spec: { podCIDR: '10.0.0.0/24' } };
  const c: any = applyPatch(SMP, node, '{"spec":{"unschedulable":true}}', 'nodes');
  assert.equal(c.spec.unschedulable, true);
  assert.equal(c.spec.podCIDR, '10.0.0.0/24');
  const u: any = applyPatch(SMP, c, '{"spec":{"unschedulable":null}}', 'nodes');
  assert.equal('unschedulable' in u.spec, false);
});

test('kubectl set image: containers merged by name, other fields kept', () => {
  const out: any = applyPatch(SMP, deployment(), '{"spec":{"template":{"spec":{"containers":[{"image":"nginx:1.25","name":"nginx"}]}}}}', 'deployments');
  const cs = out.spec.template.spec.containers;
  assert.equal(cs.length, 2);
  assert.equal(cs[0].image, 'nginx:1.25');
  assert.deepEqual(cs[0].ports, [{ containerPort: 80, protocol: 'TCP' }]);
  assert.equal(cs[1].name, 'sidecar');
});

test('merge patch replaces lists whole (the difference from strategic)', () => {
  const out: any = applyPatch(MERGE, deployment(), '{"spec":{"template":{"spec":{"containers":[{"image":"nginx:1.25","name":"nginx"}]}}}}', 'deployments');
  assert.deepEqual(out.spec.template.spec.containers, [{ image: 'nginx:1.25', name: 'nginx' }]);
});

test('kubectl apply: $setElementOrder and $patch: delete on containers and env', () => {
  const patch = {
    metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"x":1}\n' } },
    spec: {
      template: {
        spec: {
          '$setElementOrder/containers': [{ name: 'nginx' }],
          containers: [
            { '$setElementOrder/env': [{ name: 'B' }, { name: 'C' }], env: [{ name: 'A', $patch: 'delete' }, { name: 'C', value: '3' }], name: 'nginx' },
            { $patch: 'delete', name: 'sidecar' },
          ],
        },
      },
    },
  };
  const out: any = applyPatch(SMP, deployment(), JSON.stringify(patch), 'deployments');
  const cs = out.spec.template.spec.containers;
  assert.equal(cs.length, 1);
  assert.equal(cs[0].name, 'nginx');
  assert.deepEqual(cs[0].env, [{ name: 'B', value: '2' }, { name: 'C', value: '3' }]);
  assert.equal(out.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'], '{"x":1}\n');
  for (const c of cs) for (const k of Object.keys(c)) assert.ok(!k.startsWith('$'), `directive ${k} left in object`);
});

test('$setElementOrder reorders and keeps server-only items in place', () => {
  const orig = { spec: { containers: [{ name: 'a' }, { name: 'x' }, { name: 'b' }] } };
  const out: any = applyPatch(SMP, orig, { spec: { '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }], containers: [{ name: 'b', image: 'i' }] } }, 'pods');
  // mergeSortedSlice: b and x both existed, x first, so x stays ahead; then the patch order.
  assert.deepEqual(out.spec.containers.map((c: any) => c.name), ['x', 'b', 'a']);
  assert.equal(out.spec.containers.find((c: any) => c.name === 'b').image, 'i');
});

test('$retainKeys: switching a Deployment to Recreate drops rollingUpdate', () => {
  const out: any = applyPatch(SMP, deployment(), '{"spec":{"strategy":{"$retainKeys":["type"],"rollingUpdate":null,"type":"Recreate"}}}', 'deployments');
  assert.deepEqual(out.spec.strategy, { type: 'Recreate' });
});

test('finalizers merge as a set; $deleteFromPrimitiveList removes', () => {
  const out: any = applyPatch(SMP, deployment(), { metadata: { finalizers: ['a/x', 'b/y'] } }, 'deployments');
  assert.deepEqual(out.metadata.finalizers, ['a/x', 'b/y']);
  const out2: any = applyPatch(SMP, out, { metadata: { '$deleteFromPrimitiveList/finalizers': ['a/x'] } }, 'deployments');
  assert.deepEqual(out2.metadata.finalizers, ['b/y']);
});

test('tolerations and taints are atomic: replaced whole', () => {
  const out: any = applyPatch(SMP, deployment(), { spec: { template: { spec: { tolerations: [{ key: 'z', operator: 'Exists' }] } } } }, 'deployments');
  assert.deepEqual(out.spec.template.spec.tolerations, [{ key: 'z', operator: 'Exists' }]);
  const node = { metadata: { name: 'n' }, spec: { taints: [{ key: 'a', effect: 'NoSchedule' }] } };
  const n2: any = applyPatch(SMP, node, { spec: { taints: [{ key: 'b', effect: 'NoExecute' }] } }, 'nodes');
  assert.deepEqual(n2.spec.taints, [{ key: 'b', effect: 'NoExecute' }]);
});

test('service ports merge by port; container ports by containerPort; conditions by type', () => {
  const svc = { metadata: { name: 's' }, spec: { ports: [{ name: 'http', port: 80, targetPort: 8080 }, { name: 'https', port: 443 }] } };
  const s2: any = applyPatch(SMP, svc, { spec: { ports: [{ port: 80, targetPort: 9090 }] } }, 'services');
  assert.deepEqual(s2.spec.ports, [{ name: 'http', port: 80, targetPort: 9090 }, { name: 'https', port: 443 }]);
  const pod = { metadata: { name: 'p' }, status: { conditions: [{ type: 'Ready', status: 'False' }, { type: 'PodScheduled', status: 'True' }] } };
  const p2: any = applyPatch(SMP, pod, { status: { conditions: [{ type: 'Ready', status: 'True' }] } }, 'pods');
  assert.deepEqual(p2.status.conditions, [{ type: 'Ready', status: 'True' }, { type: 'PodScheduled', status: 'True' }]);
  const d2: any = applyPatch(SMP, deployment(), { spec: { template: { spec: { containers: [{ name: 'nginx', ports: [{ containerPort: 443 }] }] } } } }, 'deployments');
  assert.deepEqual(d2.spec.template.spec.containers[0].ports.map((p: any) => p.containerPort), [80, 443]);
});

test('$patch: replace on a map and in a list', () => {
  const out: any = applyPatch(SMP, deployment(), { spec: { template: { metadata: { labels: { $patch: 'replace', tier: 'x' } } } } }, 'deployments');
  assert.deepEqual(out.spec.template.metadata.labels, { tier: 'x' });
  const out2: any = applyPatch(SMP, deployment(), { spec: { template: { spec: { containers: [{ $patch: 'replace' }, { name: 'only', image: 'i' }] } } } }, 'deployments');
  assert.deepEqual(out2.spec.template.spec.containers, [{ name: 'only', image: 'i' }]);
});

test('strategic patch: a keyed list element without its key is a 422', () => {
  assert.throws(
    () => applyPatch(SMP, deployment(), { spec: { template: { spec: { containers: [{ image: 'x' }] } } } }, 'deployments'),
    (e: unknown) => e instanceof PatchError && e.code === 422 && /does not contain declared merge key: name/.test(e.message),
  );
});

test('json patch: ops apply; a missing path is a 422; bad JSON a 400', () => {
  const out: any = applyPatch(JSONP, deployment(), '[{"op":"replace","path":"/spec/replicas","value":7},{"op":"add","path":"/metadata/labels/x","value":"y"}]', 'deployments');
  assert.equal(out.spec.replicas, 7);
  assert.equal(out.metadata.labels.x, 'y');
  assert.throws(() => applyPatch(JSONP, deployment(), '[{"op":"remove","path":"/spec/nope/deeper"}]', 'deployments'), (e: unknown) => e instanceof PatchError && e.code === 422);
  assert.throws(() => applyPatch(JSONP, deployment(), '[{"op":"test","path":"/spec/replicas","value":3}]', 'deployments'), (e: unknown) => e instanceof PatchError && e.code === 422);
  assert.throws(() => applyPatch(JSONP, deployment(), '[{"op":', 'deployments'), (e: unknown) => e instanceof PatchError && e.code === 400);
  assert.throws(() => applyPatch(MERGE, deployment(), '{nope', 'deployments'), (e: unknown) => e instanceof PatchError && e.code === 400);
});

test('unknown patch type is rejected', () => {
  assert.throws(() => applyPatch('text/plain', {}, '{}', 'pods'), PatchError);
  // Content-Type parameters are ignored.
  const out: any = applyPatch('application/merge-patch+json; charset=utf-8', { a: 1 }, '{"b":2}', 'pods');
  assert.deepEqual(out, { a: 1, b: 2 });
});

test('server-side apply: YAML merged into the live object, lists by key', () => {
  const live = deployment();
  live.status = { replicas: 2 };
  const yaml = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    tier: front
spec:
  replicas: 3
  template:
    spec:
      containers:
      - name: nginx
        image: nginx:1.26
`;
  const out: any = applyPatch(APPLY, live, yaml, 'deployments');
  assert.equal(out.spec.replicas, 3);
  assert.deepEqual(out.metadata.labels, { app: 'web', tier: 'front' });
  assert.equal(out.spec.template.spec.containers.length, 2);
  assert.equal(out.spec.template.spec.containers[0].image, 'nginx:1.26');
  assert.deepEqual(out.status, { replicas: 2 });
  // Creating through apply: an empty live object.
  const created: any = applyPatch(APPLY, undefined, yaml, 'deployments');
  assert.equal(created.kind, 'Deployment');
  assert.throws(() => applyPatch(APPLY, live, 'a: [', 'deployments'), (e: unknown) => e instanceof PatchError && e.code === 400);
  assert.throws(() => applyPatch(APPLY, live, 'metadata: {name: x}', 'deployments'), PatchError);
});

test('kubectl apply on a Service: ports by port with $setElementOrder, removed port deleted', () => {
  const svc = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 's', namespace: 'default' },
    spec: { clusterIP: '10.96.0.7', ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }, { name: 'metrics', port: 9090, protocol: 'TCP', targetPort: 9090 }] },
  };
  const patch = { spec: { '$setElementOrder/ports': [{ port: 443 }, { port: 80 }], ports: [{ name: 'https', port: 443, targetPort: 8443 }, { $patch: 'delete', port: 9090 }] } };
  const out: any = applyPatch(SMP, svc, JSON.stringify(patch), 'services');
  assert.deepEqual(out.spec.ports, [{ name: 'https', port: 443, targetPort: 8443 }, { name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }]);
  assert.equal(out.spec.clusterIP, '10.96.0.7', 'server-set fields survive apply');
});

test('container ports merge by containerPort with $setElementOrder/ports', () => {
  const pod = { spec: { containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 80, protocol: 'TCP' }, { containerPort: 81, protocol: 'TCP' }] }] } };
  const patch = { spec: { containers: [{ name: 'c', '$setElementOrder/ports': [{ containerPort: 81 }, { containerPort: 80 }], ports: [{ containerPort: 81, name: 'alt' }] }] } };
  const out: any = applyPatch(SMP, pod, patch, 'pods');
  assert.deepEqual(out.spec.containers[0].ports, [{ containerPort: 81, protocol: 'TCP', name: 'alt' }, { containerPort: 80, protocol: 'TCP' }]);
});

test('$patch: delete on a map and null inside list elements', () => {
  const pod = { spec: { securityContext: { runAsUser: 1 }, containers: [{ name: 'c', image: 'i', resources: { limits: { cpu: '1' } } }] } };
  const out: any = applyPatch(SMP, pod, { spec: { securityContext: { $patch: 'delete' }, containers: [{ name: 'c', resources: null }] } }, 'pods');
  assert.equal('securityContext' in out.spec, false);
  assert.deepEqual(out.spec.containers, [{ name: 'c', image: 'i' }]);
  assert.throws(() => applyPatch(SMP, pod, { spec: { $patch: 'explode' } }, 'pods'), (e: unknown) => e instanceof PatchError && e.code === 422);
});
