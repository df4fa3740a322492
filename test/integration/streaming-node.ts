// A kubectl cluster with one agent on the real Docker engine, running as its node and with its
// stream tunnel open: what the suites that drive exec, attach, debug and port-forward through
// kubectl start from.
import { clientFromOptions, nodeIdentity, type GrpcClient } from '@k8ts/client';
import { startKubectlCluster, type KubectlCluster } from './kubectl-cluster.js';
import { AgentHarness, waitFor } from './agent-harness.js';

export interface StreamingNode {
  cluster: KubectlCluster;
  client: GrpcClient;
  h: AgentHarness;
}

export async function startStreamingNode(node: string): Promise<StreamingNode> {
  process.env.K8TS_LOG_LEVEL ??= 'warn';
  await AgentHarness.images();
  const cluster = await startKubectlCluster({ nodes: [node] });
  // The agent runs as its node (system:node:<name>), as in a cluster.
  const client = clientFromOptions({ server: cluster.grpcAddress, token: cluster.tokenFor(nodeIdentity(node)) });
  const h = new AgentHarness(client);
  const agent = await h.start(node, { streams: true });
  await waitFor('agent stream open', () => agent.streams?.connected, 20_000);
  return { cluster, client, h };
}
