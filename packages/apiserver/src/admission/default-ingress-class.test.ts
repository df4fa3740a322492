import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '@k8ts/api';
import { defaultIngressClassAdmission, pickDefaultIngressClass } from './default-ingress-class.js';
import type { AdmissionRequest } from '../registry/admission.js';

const ic = (name: string, created: string, isDefault: boolean) =>
  ({ metadata: { name, creationTimestamp: created, annotations: isDefault ? { 'ingressclass.kubernetes.io/is-default-class': 'true' } : {} }, spec: { controller: 'x.io/y' } }) as unknown as KubeObject;

test('the default IngressClass: the marked one; of several the newest, then the first by name', () => {
  assert.equal(pickDefaultIngressClass([ic('a', '2026-01-01T00:00:00Z', false)]), undefined);
  assert.equal(pickDefaultIngressClass([ic('a', '2026-01-01T00:00:00Z', true), ic('b', '2026-01-02T00:00:00Z', false)])?.metadata.name, 'a');
  assert.equal(pickDefaultIngressClass([ic('a', '2026-01-01T00:00:00Z', true), ic('b', '2026-01-02T00:00:00Z', true)])?.metadata.name, 'b');
  assert.equal(pickDefaultIngressClass([ic('z', '2026-01-01T00:00:00Z', true), ic('y', '2026-01-01T00:00:00Z', true)])?.metadata.name, 'y');
});

test('DefaultIngressClass admission sets the class of a new Ingress that names none, and only then', async () => {
  const plugin = defaultIngressClassAdmission({ list: async () => ({ apiVersion: 'v1', kind: 'List', metadata: {}, items: [ic('k8ts', '2026-01-01T00:00:00Z', true)] }) as any });
  const req = (object: any, operation: AdmissionRequest['operation'] = 'CREATE'): AdmissionRequest => ({ operation, resource: 'ingresses', subresource: '', namespace: 'default', name: 'i', object, dryRun: false });
  const bare = { metadata: { name: 'i' }, spec: { defaultBackend: {} } } as any;
  await plugin.admit!(req(bare));
  assert.equal(bare.spec.ingressClassName, 'k8ts');
  const named = { metadata: { name: 'i' }, spec: { ingressClassName: 'other' } } as any;
  await plugin.admit!(req(named));
  assert.equal(named.spec.ingressClassName, 'other');
  const annotated = { metadata: { name: 'i', annotations: { 'kubernetes.io/ingress.class': 'nginx' } }, spec: {} } as any;
  await plugin.admit!(req(annotated));
  assert.equal(annotated.spec.ingressClassName, undefined);
  const updated = { metadata: { name: 'i' }, spec: {} } as any;
  await plugin.admit!(req(updated, 'UPDATE'));
  assert.equal(updated.spec.ingressClassName, undefined);
});
