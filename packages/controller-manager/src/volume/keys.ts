// The storage controllers keep claims and volumes in one queue: keys say which.
import type { KubeObject } from '@k8ts/api';

export const claimKey = (ns: string, name: string) => `pvc/${ns}/${name}`;
export const volumeKey = (name: string) => `pv/${name}`;

export type VolumeQueueKey = { kind: 'claim'; namespace: string; name: string } | { kind: 'volume'; name: string };

export function parseKey(key: string): VolumeQueueKey | undefined {
  if (key.startsWith('pv/')) return { kind: 'volume', name: key.slice(3) };
  if (key.startsWith('pvc/')) {
    const rest = key.slice(4);
    const i = rest.indexOf('/');
    if (i > 0) return { kind: 'claim', namespace: rest.slice(0, i), name: rest.slice(i + 1) };
  }
  return undefined;
}

export function claimKeyOf(pvc: KubeObject): string {
  return claimKey(pvc.metadata.namespace ?? '', pvc.metadata.name ?? '');
}
