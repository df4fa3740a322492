import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validate, type FieldError } from './index.js';
import { applyDefaults } from '../defaults.js';

const msgs = (errs: FieldError[]) => errs.map((e) => `${e.field}: ${e.message}`);

function sts(over: any = {}, name = 'web'): any {
  const o: any = {
    metadata: { name, namespace: 'default' },
    spec: {
      serviceName: 'web',
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'k8ts/hello:1.0' }] } },
      volumeClaimTemplates: [{ metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
      ...over,
    },
  };
  applyDefaults('statefulsets', o);
  return o;
}

test('statefulset defaults as apps/v1 sets them', () => {
  const s = sts();
  assert.equal(s.apiVersion, 'apps/v1');
  assert.equal(s.kind, 'StatefulSet');
  assert.equal(s.spec.replicas, 1);
  assert.equal(s.spec.podManagementPolicy, 'OrderedReady');
  assert.deepEqual(s.spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
  assert.equal(s.spec.revisionHistoryLimit, 10);
  assert.deepEqual(s.spec.persistentVolumeClaimRetentionPolicy, { whenDeleted: 'Retain', whenScaled: 'Retain' });
  assert.equal(s.spec.volumeClaimTemplates[0].spec.volumeMode, 'Filesystem');
  assert.equal(s.spec.template.spec.restartPolicy, 'Always');
  // OnDelete gets no rollingUpdate; an explicit one keeps its partition.
  assert.deepEqual(sts({ updateStrategy: { type: 'OnDelete' } }).spec.updateStrategy, { type: 'OnDelete' });
  assert.deepEqual(sts({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } }).spec.updateStrategy.rollingUpdate, { partition: 2 });
  assert.deepEqual(validate('statefulsets', s), []);
});

test('statefulset create: bad input in Kubernetes words', () => {
  assert.deepEqual(msgs(validate('statefulsets', sts({ selector: { matchLabels: { app: 'other' } } }))), [
    'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`',
  ]);
  assert.deepEqual(msgs(validate('statefulsets', sts({ replicas: -1 }))), ['spec.replicas: Invalid value: -1: must be greater than or equal to 0']);
  assert.deepEqual(msgs(validate('statefulsets', sts({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: -2 } } }))), [
    'spec.updateStrategy.rollingUpdate.partition: Invalid value: -2: must be greater than or equal to 0',
  ]);
  assert.deepEqual(msgs(validate('statefulsets', sts({ podManagementPolicy: 'Sometimes' }))), ["spec.podManagementPolicy: Invalid value: \"Sometimes\": must be 'OrderedReady' or 'Parallel'"]);
  assert.deepEqual(msgs(validate('statefulsets', sts({ updateStrategy: { type: 'OnDelete', rollingUpdate: { partition: 1 } } }))).length, 1);
  assert.deepEqual(msgs(validate('statefulsets', sts({ persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Keep', whenScaled: 'Retain' } }))), [
    'spec.persistentVolumeClaimRetentionPolicy.whenDeleted: Unsupported value: "Keep": supported values: "Retain", "Delete"',
  ]);
  assert.ok(msgs(validate('statefulsets', sts({ selector: undefined }))).includes('spec.selector: Required value'));
  assert.ok(msgs(validate('statefulsets', sts({}, 'web.v1'))).some((m) => m.startsWith('metadata.name: Invalid value: "web.v1"')));
  assert.ok(msgs(validate('statefulsets', sts({ volumeClaimTemplates: [{ spec: {} }] }))).some((m) => m.startsWith('spec.volumeClaimTemplates[0].metadata.name: Required value')));
  const t = sts();
  t.spec.template.spec.activeDeadlineSeconds = 5;
  assert.deepEqual(msgs(validate('statefulsets', t)), ['spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in StatefulSet is not Supported']);
});

test('statefulset update: replicas, template, updateStrategy and the retention policy change; the rest is immutable', () => {
  const old = sts();
  old.metadata.resourceVersion = '1';
  const ok = sts({ replicas: 5, updateStrategy: { type: 'OnDelete' }, persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Delete' }, minReadySeconds: 3 });
  ok.spec.template.spec.containers[0].image = 'k8ts/hello:2.0';
  ok.metadata.resourceVersion = '1';
  assert.deepEqual(validate('statefulsets', ok, old), []);
  const forbidden =
    "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden";
  for (const change of [{ serviceName: 'other' }, { podManagementPolicy: 'Parallel' }, { volumeClaimTemplates: [] }]) {
    const bad = sts(change);
    bad.metadata.resourceVersion = '1';
    assert.deepEqual(msgs(validate('statefulsets', bad, old)), [forbidden], JSON.stringify(change));
  }
});
