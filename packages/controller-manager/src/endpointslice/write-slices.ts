// The slice-writing step the endpoints and EndpointSliceMirroring controllers share (upstream
// serves both from one reconciler, staging/src/k8s.io/endpointslice): each wanted slice
// rewrites the existing slice it pairs with, or is created; slices nothing paired with go.
import type { EndpointSlice, OwnerReference } from '@k8ts/api';
import { deepCopy } from '@k8ts/api';
import { isNotFound, type Client } from '@k8ts/client';
import { semanticEqual } from '../util/objects.js';

export interface WantedSlice {
  addressType: string;
  ports: unknown[];
  endpoints: unknown[];
}

/** What every slice of one owner carries. Annotations are left alone when not given. */
export interface SliceOwner {
  namespace: string;
  /** generateName prefix of new slices: the owner's name, as upstream names them. */
  name: string;
  ownerReference: OwnerReference;
  labels: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface SliceWrite {
  op: 'created' | 'updated' | 'deleted';
  name: string;
}

/**
 * `pair(unused, want)` picks the index in `unused` of the slice that `want` may rewrite,
 * or -1; a slice once paired is not offered again.
 */
export async function writeSlices<W extends WantedSlice>(
  client: Pick<Client, 'create' | 'update' | 'delete'>,
  owner: SliceOwner,
  wanted: W[],
  existing: EndpointSlice[],
  pair: (unused: EndpointSlice[], want: W) => number,
): Promise<SliceWrite[]> {
  const writes: SliceWrite[] = [];
  const unused = [...existing];
  for (const want of wanted) {
    const i = pair(unused, want);
    const cur = i >= 0 ? unused.splice(i, 1)[0] : undefined;
    if (cur) {
      if (unchanged(cur, want, owner)) continue;
      const next = deepCopy(cur);
      next.endpoints = want.endpoints as EndpointSlice['endpoints'];
      next.ports = want.ports as EndpointSlice['ports'];
      next.metadata.labels = owner.labels;
      if (owner.annotations) next.metadata.annotations = owner.annotations;
      await client.update('endpointslices', next);
      writes.push({ op: 'updated', name: cur.metadata.name! });
      continue;
    }
    const created = await client.create<EndpointSlice>('endpointslices', {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        generateName: `${owner.name}-`,
        namespace: owner.namespace,
        labels: owner.labels,
        ...(owner.annotations && Object.keys(owner.annotations).length ? { annotations: owner.annotations } : {}),
        ownerReferences: [owner.ownerReference],
      },
      addressType: want.addressType,
      endpoints: want.endpoints,
      ports: want.ports,
    } as unknown as EndpointSlice);
    writes.push({ op: 'created', name: created?.metadata?.name ?? `${owner.name}-` });
  }
  return [...writes, ...(await deleteSlices(client, owner.namespace, unused))];
}

/** Deletes each slice; one already gone counts as deleted. */
export async function deleteSlices(client: Pick<Client, 'delete'>, namespace: string, slices: EndpointSlice[]): Promise<SliceWrite[]> {
  const writes: SliceWrite[] = [];
  for (const s of slices) {
    try {
      await client.delete('endpointslices', namespace, s.metadata.name!);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    writes.push({ op: 'deleted', name: s.metadata.name! });
  }
  return writes;
}

function unchanged(cur: EndpointSlice, want: WantedSlice, owner: SliceOwner): boolean {
  return (
    semanticEqual(cur.endpoints, want.endpoints) &&
    semanticEqual(cur.ports, want.ports) &&
    semanticEqual(cur.metadata.labels, owner.labels) &&
    (!owner.annotations || semanticEqual(cur.metadata.annotations, owner.annotations))
  );
}
