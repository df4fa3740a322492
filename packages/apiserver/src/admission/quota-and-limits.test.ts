// LimitRanger and ResourceQuota admission on the real registry over the in-memory etcd.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeObject } from '@k8ts/api';
import { ApiError } from '@k8ts/client';
import { EtcdRegistry } from '../registry/registry.js';
import { memoryStore } from '../storage/memory-kv.js';
import { registerQuotaAndLimits } from './quota-and-limits.js';

const user = { name: 'alice', groups: ['system:authenticated'] };
let registry: EtcdRegistry;
let stop: () => void;

before(async () => {
  registry = new EtcdRegistry({ store: memoryStore().store });
  await registry.ensureSystemNamespaces();
  stop = await registerQuotaAndLimits(registry);
});
after(async () => {
  stop();
  await registry.close();
});

async function namespace(name: string): Promise<string> {
  await registry.create('namespaces', '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  return name;
}

const pod = (name: string, resources?: Record<string, unknown>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name },
  spec: { containers: [{ name: 'web', image: 'k8ts/hello:1.0', ...(resources ? { resources } : {}) }] },
});

/** Until the admission caches have seen what was just written. */
const settle = () => sleep(50);

async function quota(ns: string, name: string, hard: Record<string, string>): Promise<void> {
  const q = await registry.create('resourcequotas', ns, { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name }, spec: { hard } });
  // What the resourcequota controller writes first.
  await registry.update('resourcequotas', ns, name, { ...q, status: { hard, used: Object.fromEntries(Object.keys(hard).map((k) => [k, '0'])) } }, { subresource: 'status' });
  await settle();
}

const forbidden = (re: RegExp) => (e: unknown) => e instanceof ApiError && e.code === 403 && re.test(e.status.message ?? '');

describe('LimitRanger', () => {
  it('applies default requests and limits to a pod created without resources, and notes it', async () => {
    const ns = await namespace('lr-defaults');
    await registry.create('limitranges', ns, { apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'defaults' }, spec: { limits: [{ type: 'Container', default: { cpu: '500m', memory: '128Mi' }, defaultRequest: { cpu: '100m', memory: '64Mi' } }] } });
    await settle();
    const p = await registry.create('pods', ns, pod('p'), { user });
    assert.deepEqual(p.spec.containers[0].resources, { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '100m', memory: '64Mi' } });
    assert.equal(p.metadata.annotations?.['kubernetes.io/limit-ranger'], 'LimitRanger plugin set: cpu, memory request for container web; cpu, memory limit for container web');
    assert.equal(p.status.qosClass, 'Burstable');
  });

  it('refuses a pod outside min/max/maxLimitRequestRatio with upstream messages, storing nothing', async () => {
    const ns = await namespace('lr-bounds');
    await registry.create('limitranges', ns, { apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'bounds' }, spec: { limits: [{ type: 'Container', max: { cpu: '1' }, min: { cpu: '100m' }, maxLimitRequestRatio: { cpu: '2' } }] } });
    await settle();
    await assert.rejects(registry.create('pods', ns, pod('big', { limits: { cpu: '2' }, requests: { cpu: '2' } }), { user }), forbidden(/^pods "big" is forbidden: maximum cpu usage per Container is 1, but limit is 2$/));
    await assert.rejects(registry.create('pods', ns, pod('tiny', { requests: { cpu: '50m' }, limits: { cpu: '50m' } }), { user }), forbidden(/minimum cpu usage per Container is 100m, but request is 50m/));
    await assert.rejects(registry.create('pods', ns, pod('ratio', { requests: { cpu: '100m' }, limits: { cpu: '1' } }), { user }), forbidden(/cpu max limit to request ratio per Container is 2, but provided ratio is 10\.000000/));
    assert.equal((await registry.list('pods', { namespace: ns })).items.length, 0);
    // Defaults from max (default limit) and then the default request: inside the range.
    const ok = await registry.create('pods', ns, pod('fits'), { user });
    assert.deepEqual(ok.spec.containers[0].resources, { limits: { cpu: '1' }, requests: { cpu: '1' } });
  });
});

describe('ResourceQuota admission', () => {
  it('charges creates to status.used and refuses the one over the quota with upstream message, changing nothing', async () => {
    const ns = await namespace('rq-count');
    await quota(ns, 'pods', { pods: '2', 'count/configmaps': '5' });
    await registry.create('pods', ns, pod('a'), { user });
    await registry.create('pods', ns, pod('b'), { user });
    assert.deepEqual((await registry.get('resourcequotas', ns, 'pods')).status.used, { 'count/configmaps': '0', pods: '2' });
    await assert.rejects(registry.create('pods', ns, pod('c'), { user }), forbidden(/^pods "c" is forbidden: exceeded quota: pods, requested: pods=1, used: pods=2, limited: pods=2$/));
    await assert.rejects(registry.get('pods', ns, 'c'), (e: unknown) => e instanceof ApiError && e.code === 404);
    assert.deepEqual((await registry.get('resourcequotas', ns, 'pods')).status.used, { 'count/configmaps': '0', pods: '2' });
    await registry.create('configmaps', ns, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' } }, { user });
    assert.equal((await registry.get('resourcequotas', ns, 'pods')).status.used['count/configmaps'], '1');
  });

  it('compute quotas: pods must state what is limited; requests add up', async () => {
    const ns = await namespace('rq-compute');
    await quota(ns, 'compute', { 'requests.cpu': '1', 'limits.memory': '1Gi' });
    await assert.rejects(registry.create('pods', ns, pod('bare'), { user }), forbidden(/^pods "bare" is forbidden: failed quota: compute: must specify limits\.memory for: web; requests\.cpu for: web$/));
    const res = { requests: { cpu: '600m' }, limits: { memory: '512Mi' } };
    await registry.create('pods', ns, pod('one', res), { user });
    await assert.rejects(
      registry.create('pods', ns, pod('two', res), { user }),
      forbidden(/exceeded quota: compute, requested: requests\.cpu=600m, used: requests\.cpu=600m, limited: requests\.cpu=1$/),
    );
  });

  it('concurrent creates cannot both take the last unit', async () => {
    const ns = await namespace('rq-race');
    await quota(ns, 'one', { pods: '1' });
    const results = await Promise.allSettled([registry.create('pods', ns, pod('x'), { user }), registry.create('pods', ns, pod('y'), { user })]);
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    assert.ok(forbidden(/exceeded quota: one, requested: pods=1, used: pods=1, limited: pods=1/)(refused.reason));
    assert.equal((await registry.get('resourcequotas', ns, 'one')).status.used.pods, '1');
  });

  it('a quota enforced (status.hard) without its usage counted refuses as "status unknown"', async () => {
    const ns = await namespace('rq-unknown');
    const q = await registry.create('resourcequotas', ns, { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'fresh' }, spec: { hard: { pods: '1' } } });
    await registry.update('resourcequotas', ns, 'fresh', { ...q, status: { hard: { pods: '1' } } }, { subresource: 'status' });
    await settle();
    await assert.rejects(registry.create('pods', ns, pod('p'), { user }), forbidden(/status unknown for quota: fresh, resources: pods/));
  });
});
