// Fixtures for the storage controllers' unit tests: listers reading FakeClient's objects, so
// each write a controller makes is what its next sync sees (a cache always in step).
import type { KubeObject } from '@k8ts/api';
import type { FakeClient } from '@k8ts/client/testing';
import type { Lister } from '../framework/types.js';

export function clientLister<T extends KubeObject = KubeObject>(client: FakeClient, resource: string): Lister<T> {
  return {
    get: (ns, name) => client.peek<T>(resource, ns, name),
    list: (ns) => client.objects<T>(resource, ns),
  };
}

export const HOSTNAME = 'kubernetes.io/hostname';

export function storageClass(name: string, extra: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name }, provisioner: 'rancher.io/local-path', reclaimPolicy: 'Delete', volumeBindingMode: 'WaitForFirstConsumer', ...extra } as KubeObject;
}

export function claim(name: string, spec: Record<string, unknown> = {}, annotations: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, namespace: 'default', annotations },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, volumeMode: 'Filesystem', ...spec },
    status: { phase: 'Pending' },
  };
}

export function volume(name: string, spec: Record<string, unknown> = {}, annotations: Record<string, string> = {}, phase = 'Available'): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name, annotations },
    spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], persistentVolumeReclaimPolicy: 'Retain', volumeMode: 'Filesystem', hostPath: { path: `/data/${name}` }, ...spec },
    status: { phase },
  };
}

export function node(name: string, localPathDir?: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { [HOSTNAME]: name }, annotations: localPathDir ? { 'k8ts.io/local-path-dir': localPathDir } : {} } };
}
