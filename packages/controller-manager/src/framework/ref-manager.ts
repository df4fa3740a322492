// ControllerRefManager.ClaimObjects: a controller owns the objects whose controller
// reference names it; it adopts orphans its selector matches and releases owned objects
// its selector no longer matches (the relabel-to-debug trick). Adoption first re-reads the
// owner from the API so a stale cache never adopts for an owner that is being deleted.
import type { KubeObject, OwnerReference } from '@k8ts/api';
import { isNotFound, type Client } from '@k8ts/client';
import { controllerRef, deepCopy } from '@k8ts/api';

export interface ClaimOptions<T extends KubeObject> {
  client: Client;
  owner: KubeObject;
  ownerResource: string;
  ownerRef: OwnerReference;
  /** Resource of the claimed objects ("pods", "replicasets"). */
  resource: string;
  match: (obj: T) => boolean;
}

export async function claimObjects<T extends KubeObject>(objs: T[], o: ClaimOptions<T>): Promise<T[]> {
  const claimed: T[] = [];
  const errors: unknown[] = [];
  let adoptChecked: boolean | undefined;
  const canAdopt = async (): Promise<boolean> => {
    if (adoptChecked !== undefined) return adoptChecked;
    try {
      const fresh = await o.client.get(o.ownerResource, o.owner.metadata.namespace ?? '', o.owner.metadata.name!);
      adoptChecked = fresh.metadata.uid === o.owner.metadata.uid && !fresh.metadata.deletionTimestamp;
    } catch (e) {
      if (!isNotFound(e)) throw e;
      adoptChecked = false;
    }
    return adoptChecked;
  };
  const ownerDeleting = !!o.owner.metadata.deletionTimestamp;
  for (const obj of objs) {
    const ref = controllerRef(obj);
    try {
      if (ref) {
        if (ref.uid !== o.owner.metadata.uid) continue;
        if (o.match(obj)) {
          claimed.push(obj);
          continue;
        }
        if (ownerDeleting) continue;
        await release(o.client, o.resource, obj, o.owner.metadata.uid!);
        continue;
      }
      if (ownerDeleting || !o.match(obj) || obj.metadata.deletionTimestamp) continue;
      if (obj.metadata.namespace !== o.owner.metadata.namespace) continue;
      if (!(await canAdopt())) continue;
      const adopted = await adopt(o.client, o.resource, obj, o.ownerRef);
      if (adopted) claimed.push(adopted);
    } catch (e) {
      errors.push(e);
    }
  }
  if (errors.length) throw errors[0];
  return claimed;
}

async function adopt<T extends KubeObject>(client: Client, resource: string, obj: T, ref: OwnerReference): Promise<T | undefined> {
  const next = deepCopy(obj);
  next.metadata.ownerReferences = [...(next.metadata.ownerReferences ?? []).filter((r) => r.uid !== ref.uid), ref];
  try {
    return (await client.update(resource, next)) as T;
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

async function release(client: Client, resource: string, obj: KubeObject, ownerUid: string): Promise<void> {
  const next = deepCopy(obj);
  next.metadata.ownerReferences = (next.metadata.ownerReferences ?? []).filter((r) => r.uid !== ownerUid);
  try {
    await client.update(resource, next);
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
}
