// The step every pod-owning controller (ReplicaSet, Job, DaemonSet) takes to remove pods:
// controller.PodControl.DeletePod with the expectations around it. Each deletion is expected
// before it is sent; one that fails will never be observed, so its expectation is lowered at
// once. A pod already gone (404) counts as deleted; any other failure is recorded as a
// FailedDelete event and returned for the caller to requeue on.
import { objectKey, type KubeObject, type Pod } from '@k8ts/api';
import { isNotFound } from '@k8ts/client';
import type { Expectations } from './expectations.js';
import type { ControllerContext } from './types.js';

export async function deletePods(ctx: ControllerContext, owner: KubeObject, expectations: Expectations, key: string, pods: readonly Pod[]): Promise<unknown[]> {
  if (!pods.length) return [];
  expectations.expectDeletions(key, pods.map(objectKey));
  const errors: unknown[] = [];
  await Promise.all(
    pods.map(async (p) => {
      try {
        await ctx.client.delete('pods', p.metadata.namespace!, p.metadata.name!);
        ctx.recorder.event(owner, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`);
      } catch (e) {
        expectations.deletionObserved(key, objectKey(p));
        if (isNotFound(e)) return;
        ctx.recorder.event(owner, 'Warning', 'FailedDelete', `Error deleting: ${e instanceof Error ? e.message : String(e)}`);
        errors.push(e);
      }
    }),
  );
  return errors;
}
