// The agent's wait for its Node's spec.podCIDR (nodeipam sets it shortly after registration).
// A get of its own Node is all the Node authorizer lets a node read of Nodes.
import { podCidrOf, type Node } from '@k8ts/api';
import type { Client, Logger } from '@k8ts/client';

export async function waitForPodCidr(client: Client, nodeName: string, log: Logger, signal: AbortSignal, everyMs = 250): Promise<string | undefined> {
  let logged = false;
  while (!signal.aborted) {
    try {
      const cidr = podCidrOf(await client.get<Node>('nodes', '', nodeName));
      if (cidr) return cidr;
    } catch (e) {
      log.warn({ reason: 'PodCIDRReadFailed', err: (e as Error).message }, 'cannot read the node\'s podCIDR; retrying');
    }
    if (!logged) log.info({ reason: 'WaitingForPodCIDR' }, 'waiting for the node\'s podCIDR');
    logged = true;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return undefined;
}
