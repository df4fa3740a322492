import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Deployment, KubeObject, Pod, ReplicaSet } from '@k8ts/api';
import { DeploymentController } from './controller.js';
import { computeHash } from '../util/hash.js';
import { resolveFenceposts } from './util.js';
import { ctxFor, deployment, staticLister, FakeClient, seedWorld } from '../testing/fixtures.js';

function setup(objs: [string, KubeObject][]) {
  const client = new FakeClient();
  const world = seedWorld(client, objs);
  const { ctx, recorder, queue } = ctxFor(client);
  const c = new DeploymentController(
    ctx,
    {
      deployments: staticLister((world.get('deployments') ?? []) as Deployment[]),
      replicasets: staticLister((world.get('replicasets') ?? []) as ReplicaSet[]),
      pods: staticLister((world.get('pods') ?? []) as Pod[]),
    },
    queue,
  );
  return { client, recorder, c };
}

function rsFor(d: Deployment, image: string, replicas: number, revision: number, available = replicas, created = '2024-01-01T00:00:00Z'): ReplicaSet {
  const template = structuredClone(d.spec!.template!);
  template.spec!.containers[0]!.image = image;
  const hash = computeHash(template);
  template.metadata!.labels = { ...template.metadata!.labels, 'pod-template-hash': hash };
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${d.metadata.name}-${hash}`,
      namespace: 'default',
      uid: `rs-${hash}`,
      creationTimestamp: created,
      generation: 1,
      labels: template.metadata!.labels,
      annotations: { 'deployment.kubernetes.io/revision': String(revision), 'deployment.kubernetes.io/desired-replicas': String(d.spec!.replicas), 'deployment.kubernetes.io/max-replicas': String(d.spec!.replicas! + 1) },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: d.metadata.name!, uid: d.metadata.uid!, controller: true, blockOwnerDeletion: true }],
    },
    spec: { replicas, selector: { matchLabels: template.metadata!.labels }, template },
    status: { replicas, readyReplicas: available, availableReplicas: available, observedGeneration: 1 },
  };
}

test('fenceposts: surge rounds up, unavailable rounds down, both zero gives one unavailable', () => {
  assert.deepEqual(resolveFenceposts(deployment('a', 3)), { surge: 1, unavailable: 0 });
  assert.deepEqual(resolveFenceposts(deployment('a', 10)), { surge: 3, unavailable: 2 });
  assert.deepEqual(resolveFenceposts(deployment('a', 2, 'x', { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } } })), { surge: 0, unavailable: 1 });
});

test('a new deployment gets a ReplicaSet named after its template hash, revision 1, with the hash in selector and template', async () => {
  const d = deployment('web', 3);
  const { client, recorder, c } = setup([['deployments', d]]);
  await c.sync('default/web');
  const [rs] = client.actionsOf('create', 'replicasets').map((a) => a.object as ReplicaSet);
  assert.ok(rs);
  const hash = rs.metadata.labels!['pod-template-hash']!;
  assert.match(hash, /^[bcdfghjklmnpqrstvwxz2456789]+$/);
  assert.equal(rs.metadata.name, `web-${hash}`);
  assert.equal(rs.spec!.selector.matchLabels!['pod-template-hash'], hash);
  assert.equal(rs.spec!.template!.metadata!.labels!['pod-template-hash'], hash);
  assert.equal(rs.spec!.replicas, 3);
  assert.equal(rs.metadata.annotations!['deployment.kubernetes.io/revision'], '1');
  assert.equal(rs.metadata.annotations!['deployment.kubernetes.io/desired-replicas'], '3');
  assert.equal(rs.metadata.annotations!['deployment.kubernetes.io/max-replicas'], '4');
  assert.equal(rs.metadata.ownerReferences![0]!.uid, d.metadata.uid);
  assert.ok(recorder.events.some((e) => e.reason === 'ScalingReplicaSet' && e.message === `Scaled up replica set web-${hash} to 3`));
  const stored = client.peek<Deployment>('deployments', 'default', 'web')!;
  assert.equal(stored.metadata.annotations!['deployment.kubernetes.io/revision'], '1');
});

test('rolling update: surge one new pod, then scale the old set down keeping replicas - maxUnavailable available', async () => {
  const d = deployment('web', 4, 'nginx:2');
  const old = rsFor(d, 'nginx:1', 4, 1);
  let w = setup([['deployments', d], ['replicasets', old]]);
  await w.c.sync('default/web');
  const created = w.client.actionsOf('create', 'replicasets')[0]!.object as ReplicaSet;
  assert.equal(created.spec!.replicas, 1); // 4 + surge 1 - 4 current
  assert.equal(created.metadata.annotations!['deployment.kubernetes.io/revision'], '2');
  // Same sync: the new set is at its size, so the old one gives up what availability allows.
  assert.equal(w.client.peek<ReplicaSet>('replicasets', 'default', old.metadata.name!)!.spec!.replicas, 3);

  // Next round: new RS exists with one unavailable pod; the old one may lose one (4+1-3-1 = 1).
  // Later: old at 3, new at 1 (unavailable): total 4 < 4 + surge, so the new set grows to 2
  // and the old one waits (available 3 = minAvailable).
  const d2 = deployment('web', 4, 'nginx:2');
  const old2 = rsFor(d2, 'nginx:1', 3, 1);
  const newRS = rsFor(d2, 'nginx:2', 1, 2, 0, '2024-01-02T00:00:00Z');
  w = setup([['deployments', d2], ['replicasets', old2], ['replicasets', newRS]]);
  await w.c.sync('default/web');
  assert.equal(w.client.actionsOf('update', 'replicasets').filter((a) => a.object!.spec.replicas !== undefined && a.name === old2.metadata.name).length, 0);
  assert.equal(w.client.peek<ReplicaSet>('replicasets', 'default', newRS.metadata.name!)!.spec!.replicas, 2);
});

test('rollback: a template equal to an old ReplicaSet makes it new again with the next revision and scales it up', async () => {
  const d = deployment('web', 2, 'nginx:1');
  const v1 = rsFor(d, 'nginx:1', 0, 1, 0);
  const v2 = rsFor(d, 'nginx:2', 2, 2, 2, '2024-01-02T00:00:00Z');
  // kubectl rollout undo sends the old template with Go's zero values (creationTimestamp: null).
  (d.spec!.template!.metadata as any).creationTimestamp = null;
  d.spec!.template!.spec!.containers[0]!.resources = {};
  const { client, c, recorder } = setup([['deployments', d], ['replicasets', v1], ['replicasets', v2]]);
  await c.sync('default/web');
  assert.equal(client.actionsOf('create', 'replicasets').length, 0);
  const v1now = client.peek<ReplicaSet>('replicasets', 'default', v1.metadata.name!)!;
  assert.equal(v1now.metadata.annotations!['deployment.kubernetes.io/revision'], '3');
  assert.equal(v1now.spec!.replicas, 1); // 2 + surge 1 - 2 current
  assert.ok(recorder.events.some((e) => e.message === `Scaled up replica set ${v1.metadata.name} to 1 from 0`));
  assert.equal(client.peek<Deployment>('deployments', 'default', 'web')!.metadata.annotations!['deployment.kubernetes.io/revision'], '3');
});

test('complete deployment reports Available and Progressing NewReplicaSetAvailable; scaling resizes the active set', async () => {
  const d = deployment('web', 3);
  const rs = rsFor(d, 'nginx:1', 3, 1);
  let w = setup([['deployments', d], ['replicasets', rs]]);
  await w.c.sync('default/web');
  const st = w.client.peek<Deployment>('deployments', 'default', 'web')!.status!;
  assert.equal(st.replicas, 3);
  assert.equal(st.updatedReplicas, 3);
  assert.equal(st.availableReplicas, 3);
  assert.equal(st.observedGeneration, d.metadata.generation);
  assert.equal(st.conditions!.find((x) => x.type === 'Available')!.reason, 'MinimumReplicasAvailable');
  assert.equal(st.conditions!.find((x) => x.type === 'Progressing')!.reason, 'NewReplicaSetAvailable');

  const d5 = deployment('web', 5);
  const rs5 = rsFor(d5, 'nginx:1', 3, 1);
  rs5.metadata.annotations!['deployment.kubernetes.io/desired-replicas'] = '3';
  w = setup([['deployments', d5], ['replicasets', rs5]]);
  await w.c.sync('default/web');
  assert.equal(w.client.peek<ReplicaSet>('replicasets', 'default', rs5.metadata.name!)!.spec!.replicas, 5);
  assert.ok(w.recorder.events.some((e) => e.message === `Scaled up replica set ${rs5.metadata.name} to 5 from 3`));
});

test('Recreate scales old sets to zero and waits for their pods before creating the new one', async () => {
  const d = deployment('web', 2, 'nginx:2', { strategy: { type: 'Recreate' } });
  const old = rsFor(d, 'nginx:1', 2, 1);
  const w = setup([['deployments', d], ['replicasets', old]]);
  await w.c.sync('default/web');
  assert.equal(w.client.peek<ReplicaSet>('replicasets', 'default', old.metadata.name!)!.spec!.replicas, 0);
  assert.equal(w.client.actionsOf('create', 'replicasets').length, 0);
});

test('a ReplicaSet that cannot be created is reported as an event and a Progressing=False condition, and the sync fails for a retry', async () => {
  const d = deployment('web', 1);
  const { client, c, recorder } = setup([['deployments', d]]);
  client.prependReactor('create', 'replicasets', () => {
    throw new Error('admission denied');
  });
  await assert.rejects(c.sync('default/web'), /admission denied/);
  assert.ok(recorder.events.some((e) => e.reason === 'ReplicaSetCreateError' && e.type === 'Warning'));
  const cond = client.peek<Deployment>('deployments', 'default', 'web')!.status!.conditions!.find((x) => x.type === 'Progressing')!;
  assert.equal(cond.status, 'False');
  assert.equal(cond.reason, 'ReplicaSetCreateError');
});
