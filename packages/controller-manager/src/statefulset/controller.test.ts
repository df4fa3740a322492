import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyDefaults, type ControllerRevision, type KubeObject, type Pod, type StatefulSet } from '@k8ts/api';
import { ctxFor, FakeClient } from '../testing/fixtures.js';
import type { Lister } from '../framework/types.js';
import { StatefulSetController } from './controller.js';

/** A lister reading the fake store itself: a cache that is never stale. */
const live = <T extends KubeObject>(client: FakeClient, resource: string): Lister<T> => ({
  get: (ns, name) => client.peek<T>(resource, ns, name),
  list: (ns) => client.objects<T>(resource, ns),
});

function sts(extra: Record<string, unknown> = {}): StatefulSet {
  const s = {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      replicas: 3,
      serviceName: 'web',
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'k8ts/hello:1.0' }] } },
      ...extra,
    },
  } as StatefulSet;
  applyDefaults('statefulsets', s);
  return s;
}

function setup(set: StatefulSet) {
  const client = new FakeClient();
  client.seed('statefulsets', set);
  const { ctx, recorder, queue } = ctxFor(client);
  const c = new StatefulSetController(
    ctx,
    { statefulsets: live(client, 'statefulsets'), pods: live(client, 'pods'), controllerrevisions: live(client, 'controllerrevisions'), persistentvolumeclaims: live(client, 'persistentvolumeclaims') },
    queue,
  );
  const pods = () => client.objects<Pod>('pods').sort((a, b) => a.metadata.name!.localeCompare(b.metadata.name!));
  const names = () => pods().map((p) => p.metadata.name);
  /** What the agent does: the pod runs and turns Ready (or not). */
  const run = async (name: string, ready = true) => {
    const p = client.peek<Pod>('pods', 'default', name)!;
    p.status = { phase: 'Running', podIP: '10.0.0.1', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: '2024-01-01T00:00:00Z' }] };
    await client.update('pods', p, { subresource: 'status' });
  };
  const runAll = async () => {
    for (const p of pods()) await run(p.metadata.name!);
  };
  const get = () => client.peek<StatefulSet>('statefulsets', 'default', 'web')!;
  const edit = async (f: (s: StatefulSet) => void) => {
    const s = get();
    f(s);
    await client.update('statefulsets', s);
  };
  return { client, c, recorder, pods, names, run, runAll, get, edit, sync: () => c.sync('default/web') };
}

test('OrderedReady: one ordinal at a time, each after its predecessors are Running and Ready; identity, hostname and subdomain', async () => {
  const w = setup(sts());
  await w.sync();
  assert.deepEqual(w.names(), ['web-0']);
  const p0 = w.pods()[0]!;
  assert.equal(p0.metadata.labels!['statefulset.kubernetes.io/pod-name'], 'web-0');
  assert.equal(p0.metadata.labels!['apps.kubernetes.io/pod-index'], '0');
  assert.equal(p0.spec!.hostname, 'web-0');
  assert.equal(p0.spec!.subdomain, 'web');
  assert.equal(p0.metadata.ownerReferences![0]!.kind, 'StatefulSet');
  const revs = w.client.objects<ControllerRevision>('controllerrevisions');
  assert.equal(revs.length, 1);
  assert.equal(p0.metadata.labels!['controller-revision-hash'], revs[0]!.metadata.name);
  assert.match(revs[0]!.metadata.name!, /^web-[bcdfghjklmnpqrstvwxz2456789]+$/);
  assert.equal(revs[0]!.revision, 1);

  await w.sync(); // web-0 still Pending: nothing more
  assert.deepEqual(w.names(), ['web-0']);
  await w.run('web-0', false); // Running but not Ready: still waiting
  await w.sync();
  assert.deepEqual(w.names(), ['web-0']);
  await w.run('web-0');
  await w.sync();
  assert.deepEqual(w.names(), ['web-0', 'web-1']);
  await w.run('web-1');
  await w.sync();
  await w.run('web-2');
  await w.sync();
  assert.deepEqual(w.names(), ['web-0', 'web-1', 'web-2']);
  const st = w.get().status!;
  assert.equal(st.replicas, 3);
  assert.equal(st.readyReplicas, 3);
  assert.equal(st.availableReplicas, 3);
  assert.equal(st.currentReplicas, 3);
  assert.equal(st.updatedReplicas, 3);
  assert.equal(st.currentRevision, revs[0]!.metadata.name);
  assert.equal(st.updateRevision, st.currentRevision);
  assert.equal(st.observedGeneration, 1);
  assert.equal(st.collisionCount, 0);

  // A deleted pod comes back under the same name.
  await w.client.delete('pods', 'default', 'web-1');
  await w.sync();
  assert.deepEqual(w.names(), ['web-0', 'web-1', 'web-2']);
});

test('Parallel: every ordinal at once; scale down deletes all condemned pods without waiting', async () => {
  const w = setup(sts({ podManagementPolicy: 'Parallel', replicas: 4 }));
  await w.sync();
  assert.deepEqual(w.names(), ['web-0', 'web-1', 'web-2', 'web-3']);
  await w.edit((s) => (s.spec!.replicas = 1));
  await w.sync();
  assert.deepEqual(w.names(), ['web-0']);
});

test('OrderedReady scale down: highest ordinal first, one at a time, and only while the rest are healthy', async () => {
  const w = setup(sts({ podManagementPolicy: 'Parallel', replicas: 5 }));
  await w.sync();
  await w.runAll();
  await w.edit((s) => {
    s.spec!.podManagementPolicy = 'OrderedReady';
    s.spec!.replicas = 2;
  });
  await w.sync();
  assert.deepEqual(w.names(), ['web-0', 'web-1', 'web-2', 'web-3']);
  await w.sync();
  assert.deepEqual(w.names(), ['web-0', 'web-1', 'web-2']);
  // An unhealthy pod below blocks the next deletion.
  await w.run('web-0', false);
  await w.sync();
  assert.deepEqual(w.names(), ['web-0', 'web-1', 'web-2']);
  await w.run('web-0');
  await w.sync();
  assert.deepEqual(w.names(), ['web-0', 'web-1']);
  const ev = w.recorder.events.filter((e) => e.reason === 'SuccessfulDelete').map((e) => e.message);
  assert.deepEqual(ev, ['delete Pod web-4 in StatefulSet web successful', 'delete Pod web-3 in StatefulSet web successful', 'delete Pod web-2 in StatefulSet web successful']);
});

test('rolling update: reverse ordinal order, one pod at a time, stopping at the partition; rollback reuses the old revision', async () => {
  const w = setup(sts({ podManagementPolicy: 'Parallel' }));
  await w.sync();
  await w.runAll();
  await w.sync();
  const rev1 = w.get().status!.currentRevision!;
  await w.edit((s) => {
    s.spec!.template.spec!.containers[0]!.image = 'k8ts/hello:2.0';
    s.spec!.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { partition: 1 } };
  });
  await w.sync();
  // web-2 was deleted for the update; the next pass recreates it at the new revision.
  assert.deepEqual(w.names(), ['web-0', 'web-1']);
  const st = w.get().status!;
  assert.notEqual(st.updateRevision, rev1);
  assert.equal(st.currentRevision, rev1);
  await w.sync();
  const web2 = w.client.peek<Pod>('pods', 'default', 'web-2')!;
  assert.equal(web2.spec!.containers[0]!.image, 'k8ts/hello:2.0');
  assert.equal(web2.metadata.labels!['controller-revision-hash'], st.updateRevision);
  await w.sync(); // web-2 not ready yet: web-1 stays
  assert.equal(w.client.peek<Pod>('pods', 'default', 'web-1')!.spec!.containers[0]!.image, 'k8ts/hello:1.0');
  await w.run('web-2');
  await w.sync();
  await w.sync();
  await w.run('web-1');
  await w.sync();
  // The partition keeps web-0 at the old revision.
  assert.deepEqual(
    w.pods().map((p) => p.spec!.containers[0]!.image),
    ['k8ts/hello:1.0', 'k8ts/hello:2.0', 'k8ts/hello:2.0'],
  );
  assert.equal(w.get().status!.updatedReplicas, 2);
  assert.equal(w.get().status!.currentReplicas, 1);

  // Back to the first template: its revision becomes the newest again.
  await w.edit((s) => {
    s.spec!.template.spec!.containers[0]!.image = 'k8ts/hello:1.0';
    s.spec!.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { partition: 0 } };
  });
  for (let i = 0; i < 6; i++) {
    await w.sync();
    await w.runAll();
  }
  const revs = w.client.objects<ControllerRevision>('controllerrevisions');
  assert.equal(revs.length, 2);
  assert.equal(revs.find((r) => r.metadata.name === rev1)!.revision, 3);
  assert.deepEqual(new Set(w.pods().map((p) => p.spec!.containers[0]!.image)), new Set(['k8ts/hello:1.0']));
  const fin = w.get().status!;
  assert.equal(fin.currentRevision, rev1);
  assert.equal(fin.updateRevision, rev1);
  assert.equal(fin.updatedReplicas, 3);
});

const claimTemplate = { metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } };

test('volumeClaimTemplates: one claim per ordinal, created before its pod, the pod volume naming it; Retain leaves no owners', async () => {
  const w = setup(sts({ volumeClaimTemplates: [claimTemplate] }));
  const order: string[] = [];
  w.client.prependReactor('create', '*', (a) => void order.push(`${a.resource}/${a.object?.metadata.name}`));
  await w.sync();
  assert.deepEqual(order.filter((o) => !o.startsWith('controllerrevisions')), ['persistentvolumeclaims/www-web-0', 'pods/web-0']);
  const pvc = w.client.peek('persistentvolumeclaims', 'default', 'www-web-0')!;
  assert.deepEqual(pvc.metadata.labels, { app: 'web' });
  assert.equal(pvc.metadata.ownerReferences, undefined);
  assert.deepEqual(pvc.spec!.accessModes, ['ReadWriteOnce']);
  const vol = w.pods()[0]!.spec!.volumes!.find((v) => v.name === 'www')!;
  assert.equal(vol.persistentVolumeClaim!.claimName, 'www-web-0');
  assert.ok(w.recorder.events.some((e) => e.message === 'create Claim www-web-0 Pod web-0 in StatefulSet web success'));
});

test('retention policy: whenDeleted Delete makes the set the claim controller; whenScaled Delete hands a condemned claim to its pod', async () => {
  const w = setup(sts({ podManagementPolicy: 'Parallel', replicas: 2, volumeClaimTemplates: [claimTemplate], persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Delete' } }));
  await w.sync();
  await w.runAll();
  const setUid = w.get().metadata.uid;
  for (const n of ['www-web-0', 'www-web-1']) {
    const refs = w.client.peek('persistentvolumeclaims', 'default', n)!.metadata.ownerReferences!;
    assert.deepEqual(refs.map((r) => [r.kind, r.uid, r.controller]), [['StatefulSet', setUid, true]]);
  }
  await w.edit((s) => (s.spec!.replicas = 1));
  const web1 = w.client.peek<Pod>('pods', 'default', 'web-1')!;
  await w.sync();
  const refs = w.client.peek('persistentvolumeclaims', 'default', 'www-web-1')!.metadata.ownerReferences!;
  assert.deepEqual(refs.map((r) => [r.kind, r.name, r.uid]), [['Pod', 'web-1', web1.metadata.uid]]);
  assert.deepEqual(w.names(), ['web-0']);
  // web-0's claim still belongs to the set.
  assert.equal(w.client.peek('persistentvolumeclaims', 'default', 'www-web-0')!.metadata.ownerReferences![0]!.kind, 'StatefulSet');

  // Scaled up again before the garbage collector removed the old claim: the pod waits for it.
  await w.edit((s) => (s.spec!.replicas = 2));
  await w.sync();
  assert.deepEqual(w.names(), ['web-0']);
});

test('Retain/Retain (the default) removes owner references this set and pod had put on a claim', async () => {
  const w = setup(sts({ replicas: 1, volumeClaimTemplates: [claimTemplate], persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Retain' } }));
  await w.sync();
  await w.runAll();
  assert.equal(w.client.peek('persistentvolumeclaims', 'default', 'www-web-0')!.metadata.ownerReferences!.length, 1);
  await w.edit((s) => (s.spec!.persistentVolumeClaimRetentionPolicy = { whenDeleted: 'Retain', whenScaled: 'Retain' }));
  await w.sync();
  assert.equal(w.client.peek('persistentvolumeclaims', 'default', 'www-web-0')!.metadata.ownerReferences, undefined);
});

test('revision history beyond revisionHistoryLimit is removed, oldest first, never a live one', async () => {
  const w = setup(sts({ replicas: 1, revisionHistoryLimit: 1, podManagementPolicy: 'Parallel' }));
  for (const tag of ['1.0', '2.0', '3.0', '4.0']) {
    await w.edit((s) => (s.spec!.template.spec!.containers[0]!.image = `k8ts/hello:${tag}`));
    for (let i = 0; i < 3; i++) {
      await w.sync();
      await w.runAll();
    }
  }
  await w.sync();
  const revs = w.client.objects<ControllerRevision>('controllerrevisions').map((r) => r.revision).sort();
  assert.deepEqual(revs, [3, 4]);
});

test('OnDelete: a new template replaces no pod until one is deleted by hand, which comes back at the update revision', async () => {
  const w = setup(sts({ podManagementPolicy: 'Parallel', replicas: 2, updateStrategy: { type: 'OnDelete' } }));
  await w.sync();
  await w.runAll();
  await w.sync();
  await w.edit((s) => (s.spec!.template.spec!.containers[0]!.image = 'k8ts/hello:2.0'));
  await w.sync();
  await w.sync();
  assert.deepEqual(w.pods().map((p) => p.spec!.containers[0]!.image), ['k8ts/hello:1.0', 'k8ts/hello:1.0']);
  await w.client.delete('pods', 'default', 'web-0');
  await w.sync();
  assert.deepEqual(w.pods().map((p) => p.spec!.containers[0]!.image), ['k8ts/hello:2.0', 'k8ts/hello:1.0']);
  const st = w.get().status!;
  assert.equal(st.updatedReplicas, 1);
  assert.notEqual(st.currentRevision, st.updateRevision);
});
