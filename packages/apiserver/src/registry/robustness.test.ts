// The real registry over the in-memory etcd (storage/memory-kv.ts): undecodable stored
// values in lists, watches, GET and DELETE; the scale subresource under concurrent writers.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { WatchEvent } from '@k8ts/api';
import { ApiError } from '@k8ts/client';
import { EtcdRegistry } from './registry.js';
import { memoryStore, type MemoryKv } from '../storage/memory-kv.js';
import { capturedLogger } from '../testing/captured-logger.js';

const svc = (name: string) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { ports: [{ port: 80 }] } });
const cm = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { a: 'b' } });
const deployment = (name: string) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name },
  spec: { replicas: 1, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
});

let registry: EtcdRegistry;
let kv: MemoryKv;
let lines: any[];

before(async () => {
  const log = capturedLogger();
  lines = log.lines;
  const m = memoryStore(log.logger);
  kv = m.kv;
  registry = new EtcdRegistry({ store: m.store, logger: log.logger, watch: { logger: log.logger } });
  await registry.ensureSystemNamespaces();
});

after(() => registry.close());

const code = (status: number) => (e: unknown) => e instanceof ApiError && e.code === status;

describe('an undecodable stored value', () => {
  it('is left out of lists and watches (logged), answers GET with 500 naming it, and only the unsafe delete removes it', async () => {
    await registry.create('configmaps', 'default', cm('one'));
    const events: WatchEvent[] = [];
    const list0 = await registry.list('configmaps', { namespace: 'default' });
    const w = registry.watch('configmaps', { namespace: 'default', resourceVersion: list0.metadata.resourceVersion, labelSelector: 'x!=y' }, (ev) => events.push(ev));
    await new Promise((r) => setTimeout(r, 20));
    kv.putRaw('/registry/configmaps/default/bad', '{"metadata":[');
    await registry.create('configmaps', 'default', cm('two'));
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(events.map((e) => `${e.type} ${e.object.metadata?.name}`), ['ADDED two'], 'the watch goes on past it');

    const list = await registry.list('configmaps', { namespace: 'default' });
    assert.deepEqual(list.items.map((o) => o.metadata.name), ['one', 'two']);
    const paged = await registry.list('configmaps', { limit: 1, continue: (await registry.list('configmaps', { limit: 1 })).metadata.continue });
    assert.deepEqual(paged.items.map((o) => o.metadata.name), ['two'], 'a page reads on past it');
    assert.ok(lines.some((l) => l.key === '/registry/configmaps/default/bad' && l.msg === 'list skipped an undecodable stored value'));
    assert.ok(lines.some((l) => l.key === '/registry/configmaps/default/bad' && l.msg === 'watch skipped an undecodable stored value'));

    await assert.rejects(registry.get('configmaps', 'default', 'bad'), (e: unknown) => code(500)(e) && /\/registry\/configmaps\/default\/bad/.test((e as Error).message));
    await assert.rejects(registry.delete('configmaps', 'default', 'bad'), (e: unknown) => code(500)(e) && /ignoreStoreReadErrorWithClusterBreakingPotential/.test((e as Error).message));
    await registry.delete('configmaps', 'default', 'bad', { ignoreStoreReadErrorWithClusterBreakingPotential: true, dryRun: true } as never);
    assert.ok(kv.data.has('/registry/configmaps/default/bad'), 'a dry run removes nothing');
    const res = await registry.delete('configmaps', 'default', 'bad', { ignoreStoreReadErrorWithClusterBreakingPotential: true } as never);
    assert.equal(res.finished, true);
    assert.equal(kv.data.has('/registry/configmaps/default/bad'), false);
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(events.map((e) => `${e.type} ${e.object.metadata?.name}`), ['ADDED two', 'DELETED bad']);
    await assert.rejects(registry.get('configmaps', 'default', 'bad'), code(404));
    await registry.delete('configmaps', 'default', 'one', { ignoreStoreReadErrorWithClusterBreakingPotential: true } as never);
    await assert.rejects(registry.get('configmaps', 'default', 'one'), code(404), 'on a decodable object the option is a normal delete');
    w.stop();
  });

  it('garbage under /registry/services/default/bad: services list, the rest are there', async () => {
    await registry.create('services', 'default', svc('a'));
    kv.putRaw('/registry/services/default/bad', 'garbage');
    await registry.create('services', 'default', svc('z'));
    const all = await registry.list('services', {});
    assert.deepEqual(all.items.map((o) => o.metadata.name), ['a', 'z']);
    const selected = await registry.list('services', { fieldSelector: 'spec.type=ClusterIP' });
    assert.deepEqual(selected.items.map((o) => o.metadata.name), ['a', 'z']);
  });
});

describe('scale subresource under concurrent writers', () => {
  it('PATCH and PUT of /scale without a resourceVersion never answer 409; one in the body is a precondition', async () => {
    await registry.create('deployments', 'default', deployment('web'));
    let conflicts = 0;
    const writers: Promise<unknown>[] = [];
    for (let i = 0; i < 60; i++) {
      // Another writer changes the deployment between the scale's read and its write.
      // (Its own retries may run out under this contention: not the subject here.)
      writers.push(registry.patch('deployments', 'default', 'web', 'application/merge-patch+json', JSON.stringify({ metadata: { annotations: { n: String(i) } } })).catch((e) => (code(409)(e) ? undefined : Promise.reject(e))));
      writers.push(registry.patch('deployments', 'default', 'web', 'application/merge-patch+json', JSON.stringify({ spec: { replicas: i % 7 } }), { subresource: 'scale' }).catch((e) => (code(409)(e) ? conflicts++ : Promise.reject(e))));
      writers.push(registry.patch('deployments', 'default', 'web', 'application/json-patch+json', JSON.stringify([{ op: 'replace', path: '/spec/replicas', value: i % 5 }]), { subresource: 'scale' }).catch((e) => (code(409)(e) ? conflicts++ : Promise.reject(e))));
      writers.push(registry.update('deployments', 'default', 'web', { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'web' }, spec: { replicas: i % 3 } } as never, { subresource: 'scale' }).catch((e) => (code(409)(e) ? conflicts++ : Promise.reject(e))));
    }
    await Promise.all(writers);
    assert.equal(conflicts, 0);

    const scale = await registry.getSubresource('deployments', 'default', 'web', 'scale');
    await registry.patch('deployments', 'default', 'web', 'application/merge-patch+json', JSON.stringify({ metadata: { annotations: { later: 'x' } } }));
    await assert.rejects(registry.patch('deployments', 'default', 'web', 'application/merge-patch+json', JSON.stringify({ metadata: { resourceVersion: scale.metadata.resourceVersion }, spec: { replicas: 9 } }), { subresource: 'scale' }), code(409));
    await assert.rejects(registry.update('deployments', 'default', 'web', { ...scale, spec: { replicas: 9 } }, { subresource: 'scale' }), code(409));
    const fresh = await registry.getSubresource('deployments', 'default', 'web', 'scale');
    const ok = await registry.patch('deployments', 'default', 'web', 'application/merge-patch+json', JSON.stringify({ metadata: { resourceVersion: fresh.metadata.resourceVersion }, spec: { replicas: 4 } }), { subresource: 'scale' });
    assert.equal(ok.object.spec?.replicas, 4);
    for (const bad of [{ spec: { replicas: -1 } }, { spec: { replicas: 1.5 } }, { spec: { replicas: 'x' } }, { spec: 'x' }, { spec: { replicas: 2 ** 40 } }]) {
      await assert.rejects(registry.patch('deployments', 'default', 'web', 'application/merge-patch+json', JSON.stringify(bad), { subresource: 'scale' }), code(422), JSON.stringify(bad));
    }
  });
});

describe('objects of the wrong shape reaching the registry', () => {
  it('are a 400 (defaulting, validation, patches and metadata that is no object), never an internal error', async () => {
    const pod = (spec: unknown) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'w' }, spec }) as never;
    for (const spec of [5, 'x', [1], { containers: 5 }, { containers: [1] }, { containers: [{ name: 'c', image: 'i', ports: 'x' }] }, { tolerations: [null], containers: [{ name: 'c', image: 'i' }] }]) {
      await assert.rejects(registry.create('pods', 'default', pod(spec)), (e: unknown) => e instanceof ApiError && (e.code === 400 || e.code === 422), JSON.stringify(spec));
    }
    await registry.create('configmaps', 'default', cm('shape'));
    for (const metadata of [true, 'x', 5, [1]]) {
      await assert.rejects(registry.patch('configmaps', 'default', 'shape', 'application/merge-patch+json', JSON.stringify({ metadata })), code(400), JSON.stringify(metadata));
    }
    let nested = '1';
    for (let i = 0; i < 20000; i++) nested = `{"a":${nested}}`;
    await assert.rejects(registry.patch('configmaps', 'default', 'shape', 'application/merge-patch+json', `{"data":{"k":"v"},"x":${nested}}`), code(400));
  });
});

describe("the api's errors", () => {
  it('are ApiErrors answered with their own Status; anything else is a 500', async () => {
    const { toApiError } = await import('./errors.js');
    const { DecodeError, ApplyConflictError, ApiError } = await import('@k8ts/api');
    const decodeError = new DecodeError('Pod in version "v1" cannot be handled as a Pod: x', [{ field: 'spec', message: 'x' }]);
    assert.ok(decodeError instanceof ApiError);
    assert.equal(toApiError(decodeError), decodeError);
    assert.equal(toApiError(decodeError).code, 400);
    const conflict = new ApplyConflictError([]);
    assert.ok(conflict instanceof ApiError);
    assert.equal(toApiError(conflict).code, 409);
    assert.equal(toApiError(new Error('boom')).code, 500);
  });
});

describe('DeleteOptions bodies (both faces decode them here)', () => {
  it('are 400 for a wrong type, another kind or a dryRun value other than All', async () => {
    const { decodeDeleteOptions } = await import('./decode.js');
    for (const body of [{ gracePeriodSeconds: 'x' }, { kind: 'Pod' }, { dryRun: ['Some'] }, { dryRun: 'All' }, { preconditions: { uid: 5 } }]) {
      assert.throws(() => decodeDeleteOptions(body), (e: { code?: number }) => e.code === 400, JSON.stringify(body));
    }
    assert.deepEqual(decodeDeleteOptions({ kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 0, dryRun: ['All'], x: 1 }), { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 0, dryRun: ['All'] });
  });
});
