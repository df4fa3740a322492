// What a pod that could not be scheduled shows: PodScheduled=False with reason Unschedulable
// and the FitError message in its status, and a FailedScheduling Warning event.
import type { Pod } from '@k8ts/api';
import { getCondition, nowRfc3339 } from '@k8ts/api';
import type { Client, Logger } from '@k8ts/client';
import type { EventSink } from './events.js';

export const REASON_UNSCHEDULABLE = 'Unschedulable';

export async function reportUnschedulable(client: Client, events: EventSink, pod: Pod, message: string, log?: Logger): Promise<void> {
  events.event(pod as any, 'Warning', 'FailedScheduling', message);
  const cur = getCondition(pod.status?.conditions as any, 'PodScheduled');
  if (cur?.status === 'False' && cur.reason === REASON_UNSCHEDULABLE && cur.message === message) return;
  const condition = {
    type: 'PodScheduled',
    status: 'False',
    lastProbeTime: null,
    lastTransitionTime: cur?.status === 'False' ? cur.lastTransitionTime : nowRfc3339(),
    reason: REASON_UNSCHEDULABLE,
    message,
  };
  try {
    await client.patch(
      'pods',
      pod.metadata?.namespace ?? 'default',
      pod.metadata?.name ?? '',
      'application/strategic-merge-patch+json',
      { status: { conditions: [condition] } },
      { subresource: 'status' },
    );
  } catch (e) {
    log?.debug({ pod: `${pod.metadata?.namespace}/${pod.metadata?.name}`, err: (e as Error).message }, 'could not update PodScheduled condition');
  }
}
