// Object builders for the controllers' unit tests.
import type { Pod, ReplicaSet, Deployment, KubeObject } from '@k8ts/api';
import { FakeClient } from '@k8ts/client/testing';
import { createLogger } from '@k8ts/client';
import { defaultControllerOptions, RecordingQueue, RecordingRecorder, staticLister, type ControllerContext } from '../framework/types.js';

let uidSeq = 0;
export const uid = (p = 'uid') => `${p}-${++uidSeq}`;

export function ctxFor(client: FakeClient, now?: () => number) {
  const recorder = new RecordingRecorder();
  const ctx: ControllerContext = {
    client,
    recorder,
    logger: createLogger('controller-manager-test', {}),
    options: { ...defaultControllerOptions },
    ...(now ? { now } : {}),
  };
  ctx.logger.level = 'silent';
  return { ctx, recorder, queue: new RecordingQueue() };
}

export function replicaSet(name: string, replicas: number, labels: Record<string, string> = { app: name }, extra: Partial<ReplicaSet['spec']> = {}): ReplicaSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace: 'default', uid: uid('rs'), generation: 1, creationTimestamp: '2024-01-01T00:00:00Z', resourceVersion: '1' },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
      ...extra,
    },
  };
}

export function pod(name: string, labels: Record<string, string>, opts: { owner?: KubeObject; ownerKind?: string; node?: string; phase?: string; ready?: boolean; created?: string; deleting?: boolean; restarts?: number; ip?: string; readySince?: string } = {}): Pod {
  const p: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      uid: uid('pod'),
      labels,
      resourceVersion: '1',
      creationTimestamp: opts.created ?? '2024-01-01T00:00:00Z',
    },
    spec: { containers: [{ name: 'c', image: 'nginx' }], ...(opts.node ? { nodeName: opts.node } : {}) },
    status: {
      phase: opts.phase ?? (opts.node ? 'Running' : 'Pending'),
      ...(opts.ip ? { podIP: opts.ip } : {}),
      conditions: [{ type: 'Ready', status: opts.ready ? 'True' : 'False', lastTransitionTime: opts.readySince ?? '2024-01-01T00:00:00Z' }],
      containerStatuses: [{ name: 'c', image: 'nginx', imageID: '', ready: !!opts.ready, restartCount: opts.restarts ?? 0 }],
    },
  };
  if (opts.owner)
    (p.metadata as any).ownerReferences = [
      { apiVersion: 'apps/v1', kind: opts.ownerKind ?? opts.owner.kind ?? 'ReplicaSet', name: opts.owner.metadata.name, uid: opts.owner.metadata.uid, controller: true, blockOwnerDeletion: true },
    ];
  if (opts.deleting) (p.metadata as any).deletionTimestamp = '2024-01-01T00:01:00Z';
  return p;
}

export function deployment(name: string, replicas: number, image = 'nginx:1', extra: Partial<Deployment['spec']> = {}): Deployment {
  const labels = { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default', uid: uid('deploy'), generation: 1, creationTimestamp: '2024-01-01T00:00:00Z', resourceVersion: '1' },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: 'c', image }] } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      ...extra,
    },
  };
}

export { staticLister, FakeClient };

/**
 * Seeds FakeClient with fixture objects and returns the cache a controller would hold:
 * the fixtures with the store's uid and resourceVersion (owner references rewritten to the
 * new uids), keeping fixture-only fields the store resets (deletionTimestamp, creation time).
 */
export function seedWorld(client: FakeClient, objs: [string, KubeObject][]): Map<string, KubeObject[]> {
  const uidMap = new Map<string, string>();
  const out = new Map<string, KubeObject[]>();
  for (const [resource, fixture] of objs) {
    const f = structuredClone(fixture) as any;
    for (const r of f.metadata.ownerReferences ?? []) r.uid = uidMap.get(r.uid) ?? r.uid;
    const { resourceVersion: _rv, ...m } = f.metadata;
    const stored = client.seed(resource, { ...f, metadata: m }) as any;
    if (f.metadata.uid) uidMap.set(f.metadata.uid, stored.metadata.uid);
    const cached = { ...f, metadata: { ...f.metadata, uid: stored.metadata.uid, resourceVersion: stored.metadata.resourceVersion } };
    fixture.metadata = { ...fixture.metadata, uid: stored.metadata.uid } as any;
    if (!out.has(resource)) out.set(resource, []);
    out.get(resource)!.push(cached);
  }
  return out;
}
