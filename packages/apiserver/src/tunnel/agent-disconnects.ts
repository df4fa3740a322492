// When a node agent's Connect stream ends and no new one replaces it, the node's Lease gets
// the time (AgentDisconnectedAtAnnotation): the node lifecycle controller then declares the
// node unreachable after a short grace instead of waiting for the Lease to age out. A killed
// agent's kernel closes its connection at once, so this is seen within milliseconds; a
// live agent reconnects and renews its Lease, which makes the mark stale.
import { AgentDisconnectedAtAnnotation, NodeLeaseNamespace as LEASE_NS, type KubeObject } from '@k8ts/api';
import { ApiError } from '@k8ts/client';
import type { Logger } from 'pino';
import type { Registry } from '../registry/types.js';
import { nowMicroTime } from '../registry/time.js';

export async function markAgentDisconnected(registry: Registry, nodeName: string, logger?: Logger): Promise<void> {
  const at = nowMicroTime();
  try {
    await registry.guaranteedUpdate('leases', LEASE_NS, nodeName, (cur: KubeObject) => {
      cur.metadata.annotations = { ...(cur.metadata.annotations ?? {}), [AgentDisconnectedAtAnnotation]: at };
      return cur;
    });
    logger?.info({ object: `${LEASE_NS}/${nodeName}`, reason: 'AgentDisconnected' }, 'node agent stream ended: lease marked');
  } catch (err) {
    // No Lease yet (an agent that never registered): nothing to tell apart.
    if (err instanceof ApiError && err.code === 404) return;
    logger?.warn({ object: `${LEASE_NS}/${nodeName}`, err: (err as Error).message }, 'could not mark the lease of a disconnected agent');
  }
}
