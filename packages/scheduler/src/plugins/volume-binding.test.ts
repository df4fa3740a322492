import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject, Pod } from '@k8ts/api';
import { FakeClient } from '@k8ts/client/testing';
import { VolumeCache } from '../cache/volume-cache.js';
import { CycleState } from '../framework/cycle-state.js';
import { newPodInfo } from '../framework/pod-info.js';
import { snapshotOf } from '../framework/snapshot.js';
import { Code } from '../framework/status.js';
import { filterAll } from '../testing/run-plugin.js';
import { makeNode, makePod, nodeInfo } from '../testing/fixtures.js';
import { VolumeBinding } from './volume-binding.js';

const nodes = [nodeInfo(makeNode('n1')), nodeInfo(makeNode('n2'))];
const affinity = (node: string) => ({ required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [node] }] }] } });

function claimPod(...claims: string[]): Pod {
  const p = makePod('web');
  p.spec!.volumes = claims.map((c, i) => ({ name: `v${i}`, persistentVolumeClaim: { claimName: c } }));
  return p;
}
const claim = (name: string, spec: any = {}, meta: any = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name, namespace: 'default', uid: `uid-${name}`, ...meta },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: 'local-path', ...spec },
});
const volume = (name: string, spec: any = {}): KubeObject => ({ apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name }, spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], storageClassName: 'local-path', hostPath: { path: '/x' }, ...spec } });
const sc = (name: string, mode: string, provisioner = 'rancher.io/local-path'): KubeObject => ({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name }, provisioner, volumeBindingMode: mode } as KubeObject);

function cacheWith(objs: { claims?: KubeObject[]; volumes?: KubeObject[]; classes?: KubeObject[] }): VolumeCache {
  const c = new VolumeCache();
  for (const o of objs.claims ?? []) c.setClaim(o);
  for (const o of objs.volumes ?? []) c.setVolume(o);
  for (const o of objs.classes ?? []) c.setClass(o);
  return c;
}

test('a pod without claims is not the plugin\'s business', () => {
  assert.deepEqual(filterAll(new VolumeBinding(new VolumeCache(), undefined), makePod('p'), nodes), { n1: '', n2: '' });
});

test('a missing or terminating claim keeps the pod Pending with upstream\'s message', () => {
  const vb = new VolumeBinding(cacheWith({ claims: [claim('gone', {}, { deletionTimestamp: '2026-01-01T00:00:00Z' })] }), undefined);
  assert.deepEqual(filterAll(vb, claimPod('data'), nodes), { n1: 'persistentvolumeclaim "data" not found', n2: 'persistentvolumeclaim "data" not found' });
  assert.equal(filterAll(vb, claimPod('gone'), nodes).n1, 'persistentvolumeclaim "gone" is being deleted');
});

test('a bound claim keeps the pod on its volume\'s node; a volume whose node is gone fits nowhere', () => {
  const vb = new VolumeBinding(
    cacheWith({
      claims: [claim('data', { volumeName: 'pv-1' }), claim('orphan', { volumeName: 'pv-gone-node' }), claim('lost', { volumeName: 'nowhere' })],
      volumes: [volume('pv-1', { nodeAffinity: affinity('n2') }), volume('pv-gone-node', { nodeAffinity: affinity('n9') })],
    }),
    undefined,
  );
  assert.deepEqual(filterAll(vb, claimPod('data'), nodes), { n1: 'node(s) had volume node affinity conflict', n2: '' });
  assert.deepEqual(filterAll(vb, claimPod('orphan'), nodes), { n1: 'node(s) had volume node affinity conflict', n2: 'node(s) had volume node affinity conflict' });
  assert.equal(filterAll(vb, claimPod('lost'), nodes).n1, 'node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)');
});

test('unbound claims: Immediate ones must bind first; WaitForFirstConsumer ones need a provisioner or a free volume on the node', () => {
  const vb = new VolumeBinding(
    cacheWith({
      claims: [claim('now', { storageClassName: 'fast' }), claim('later'), claim('static', { storageClassName: 'manual' })],
      volumes: [volume('local-n1', { storageClassName: 'manual', nodeAffinity: affinity('n1') })],
      classes: [sc('fast', 'Immediate', 'example.com/fast'), sc('local-path', 'WaitForFirstConsumer'), sc('manual', 'WaitForFirstConsumer', 'kubernetes.io/no-provisioner')],
    }),
    undefined,
  );
  assert.equal(filterAll(vb, claimPod('now'), nodes).n1, 'pod has unbound immediate PersistentVolumeClaims');
  assert.deepEqual(filterAll(vb, claimPod('later'), nodes), { n1: '', n2: '' });
  assert.deepEqual(filterAll(vb, claimPod('static'), nodes), { n1: '', n2: "node(s) didn't find available persistent volumes to bind" });
});

test('PreBind asks for provisioning on the chosen node and waits until the claim is bound', async () => {
  const pvc = claim('later');
  const cache = cacheWith({ claims: [pvc], classes: [sc('local-path', 'WaitForFirstConsumer')] });
  const client = new FakeClient([['persistentvolumeclaims', { ...pvc, metadata: { name: 'later', namespace: 'default' } }]]);
  const vb = new VolumeBinding(cache, client, { pollMs: 5 });
  const state = new CycleState();
  const pi = newPodInfo(claimPod('later'));
  assert.equal(vb.preFilter(state, pi).code, Code.Success);
  const done = vb.preBind(state, pi, 'n2', new AbortController().signal);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(client.peek('persistentvolumeclaims', 'default', 'later')!.metadata.annotations?.['volume.kubernetes.io/selected-node'], 'n2');
  // the binder finishes: the cache sees the claim bound
  cache.setClaim({ ...pvc, metadata: { ...pvc.metadata, annotations: { 'volume.kubernetes.io/selected-node': 'n2', 'pv.kubernetes.io/bind-completed': 'yes' } }, spec: { ...pvc.spec, volumeName: 'pvc-1' } });
  assert.equal((await done).code, Code.Success);
});

test('PreBind gives up when the provisioner resets the selected node, or when the scheduler stops', async () => {
  const pvc = claim('later', {}, { annotations: { 'volume.kubernetes.io/selected-node': 'n1' } });
  const cache = cacheWith({ claims: [pvc], classes: [sc('local-path', 'WaitForFirstConsumer')] });
  const vb = new VolumeBinding(cache, new FakeClient(), { pollMs: 5 });
  const state = new CycleState();
  const pi = newPodInfo(claimPod('later'));
  vb.preFilter(state, pi);
  const abort = new AbortController();
  const stopped = vb.preBind(state, pi, 'n1', abort.signal);
  abort.abort();
  assert.equal((await stopped).code, Code.Error);
  const reset = vb.preBind(state, pi, 'n1', new AbortController().signal);
  cache.setClaim({ ...pvc, metadata: { ...pvc.metadata, annotations: {} } });
  const s = await reset;
  assert.equal(s.code, Code.Error);
  assert.match(s.reasons[0]!, /selectedNode annotation reset for PVC "later"/);
});

test('PreFilter reads the snapshot it is given (unused) and the plugin is in the default profile', async () => {
  const { defaultPlugins } = await import('./registry.js');
  const vb = new VolumeBinding(new VolumeCache(), undefined);
  assert.ok(defaultPlugins(vb).includes(vb));
  assert.equal(vb.preFilter(new CycleState(), newPodInfo(makePod('p'))).code, Code.Skip);
  void snapshotOf;
});
