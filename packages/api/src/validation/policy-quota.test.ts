import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validate } from './index.js';
import { applyDefaults } from '../defaults.js';
import { podQuotaConstraintError, podQuotaUsage, prettyResourceList, quotaUsageOf } from '../helpers/quota.js';

const msgs = (resource: string, obj: any) => validate(resource, { metadata: { name: 'x', namespace: 'ns' }, ...obj }).map((e) => `${e.field}: ${e.message}`);

test('a PodDisruptionBudget with both minAvailable and maxUnavailable, or a bad percent, is invalid as upstream words it', () => {
  const both = msgs('poddisruptionbudgets', { spec: { minAvailable: 1, maxUnavailable: 1, selector: { matchLabels: { a: 'b' } } } });
  assert.equal(both.length, 1);
  assert.match(both[0]!, /^spec: Invalid value: .*: minAvailable and maxUnavailable cannot be both set$/);
  assert.deepEqual(msgs('poddisruptionbudgets', { spec: { minAvailable: '5x' } }), [
    `spec.minAvailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"5x"}: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')`,
  ]);
  assert.deepEqual(msgs('poddisruptionbudgets', { spec: { maxUnavailable: '120%' } }), [`spec.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"120%"}: must not be greater than 100%`]);
  assert.deepEqual(msgs('poddisruptionbudgets', { spec: { minAvailable: -1 } }), ['spec.minAvailable: Invalid value: -1: must be greater than or equal to 0']);
  assert.deepEqual(msgs('poddisruptionbudgets', { spec: { minAvailable: '50%', selector: { matchLabels: { app: 'web' } } } }), []);
});

test('ResourceQuota names and values, LimitRange bounds', () => {
  assert.deepEqual(msgs('resourcequotas', { spec: { hard: { pods: '2', 'requests.cpu': '1', 'count/deployments.apps': '3' } } }), []);
  assert.deepEqual(msgs('resourcequotas', { spec: { hard: { widgets: '1' } } }), ['spec.hard[widgets]: Invalid value: "widgets": must be a standard resource for quota']);
  assert.deepEqual(msgs('resourcequotas', { spec: { hard: { pods: '-1' } } }), ['spec.hard[pods]: Invalid value: "-1": must be greater than or equal to 0']);
  assert.deepEqual(msgs('resourcequotas', { spec: { hard: { pods: '1.5' } } }), ['spec.hard[pods]: Invalid value: "1.5": must be an integer']);
  assert.deepEqual(msgs('limitranges', { spec: { limits: [{ type: 'Container', min: { cpu: '2' }, max: { cpu: '1' } }] } }).slice(0, 1), [
    'spec.limits[0].min[cpu]: Invalid value: "2": min value 2 is greater than max value 1',
  ]);
  assert.deepEqual(msgs('limitranges', { spec: { limits: [{ type: 'Pod', default: { cpu: '1' } }] } }), ["spec.limits[0].default: Forbidden: may not be specified when `type` is 'Pod'"]);
});

test('a Container LimitRange item defaults its default limit to max and its default request to the default', () => {
  const lr: any = { metadata: { name: 'l' }, spec: { limits: [{ type: 'Container', max: { cpu: '2' }, min: { memory: '64Mi' } }] } };
  applyDefaults('limitranges', lr);
  assert.deepEqual(lr.spec.limits[0].default, { cpu: '2' });
  assert.deepEqual(lr.spec.limits[0].defaultRequest, { cpu: '2', memory: '64Mi' });
});

test('what a pod and other objects cost a quota', () => {
  const pod: any = { metadata: { name: 'p' }, spec: { containers: [{ name: 'a', resources: { requests: { cpu: '250m', memory: '64Mi' }, limits: { cpu: '500m' } } }, { name: 'b', resources: { requests: { cpu: '250m' } } }] }, status: { phase: 'Running' } };
  const u = podQuotaUsage(pod);
  assert.equal(u.pods, 1);
  assert.equal(u['count/pods'], 1);
  assert.equal(u['requests.cpu'], 0.5);
  assert.equal(u.cpu, 0.5);
  assert.equal(u['limits.cpu'], 0.5);
  assert.equal(u['requests.memory'], 64 * 1024 * 1024);
  assert.equal(podQuotaUsage({ ...pod, status: { phase: 'Succeeded' } }).pods, undefined);
  assert.equal(podQuotaConstraintError(pod, ['limits.cpu', 'pods']), 'must specify limits.cpu for: b');
  assert.equal(podQuotaConstraintError(pod, ['requests.cpu']), undefined);
  assert.deepEqual(quotaUsageOf('deployments', { metadata: { name: 'd' } } as any), { 'count/deployments.apps': 1 });
  assert.equal(quotaUsageOf('configmaps', { metadata: { name: 'c' } } as any).configmaps, 1);
  assert.equal(prettyResourceList({ 'requests.memory': 64 * 1024 * 1024, pods: 2, 'requests.cpu': 0.5 }), 'pods=2,requests.cpu=500m,requests.memory=64Mi');
});
