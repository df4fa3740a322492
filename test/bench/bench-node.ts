// One node for the pod benchmarks: etcd, the apiserver in-process with authorization on as in
// `k8ts up` (Node,RBAC; the agent runs as system:node:<name>, the bench as an admin) and one
// agent over gRPC on a pod network of its own on the real Docker engine. stop() leaves no
// container, network, etcd or credential behind, and is also run on Ctrl-C.
import Docker from 'dockerode';
import { clientFromOptions, createLogger, type GrpcClient } from '@k8ts/client';
import { startApiServer } from '@k8ts/apiserver';
import { startAgent, type Agent } from '@k8ts/agent';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEtcd } from '../support/etcd.js';
import { writeClusterAuth } from '../support/cluster-auth.js';
import { freeOctets } from '../support/ranges.js';

export const docker = new Docker();

export interface BenchNode {
  /** Random, in the node's and the network's names; the bench labels its own containers with it. */
  tag: string;
  node: string;
  netName: string;
  client: GrpcClient;
  agent: Agent;
  stop(): Promise<void>;
}

export async function removeByLabel(label: string): Promise<void> {
  const cs = await docker.listContainers({ all: true, filters: { label: [label] } });
  await Promise.all(cs.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined)));
}

/** `benchLabels`: the `k8ts.bench` label values (besides the tag) whose containers stop() removes. */
export async function startBenchNode(name: string, benchLabels: (tag: string) => string[] = (t) => [t]): Promise<BenchNode> {
  const tag = Math.random().toString(36).slice(2, 8);
  const netName = `k8ts-bench-${tag}`;
  const [octet] = await freeOctets(docker);
  const net = { network: netName, subnet: `10.${octet}.0.0/16`, ipRange: `10.${octet}.0.0/17`, gateway: `10.${octet}.0.1` };
  const node = `bench-node-${tag}`;
  const etcd = await startEtcd();
  const logger = createLogger('bench');
  logger.level = 'warn';
  const authDir = mkdtempSync(join(tmpdir(), `k8ts-bench-${name}-`));
  const auth = writeClusterAuth(authDir, { nodes: [node], audit: false });
  const api = await startApiServer({ etcdServers: [etcd.url], port: 0, grpcPort: 0, ...auth.apiserver, logger });
  const client = clientFromOptions({ server: `127.0.0.1:${api.grpcPort}`, token: auth.adminToken });
  const agentClient = clientFromOptions({ server: `127.0.0.1:${api.grpcPort}`, token: auth.componentToken('agent', node) });
  const agent = await startAgent({ client: agentClient, nodeName: node, ...net, opsPort: -1, streams: false, log: logger });
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      await agent.stop();
      client.close();
      agentClient.close();
      await api.stop();
      await etcd.stop();
      rmSync(authDir, { recursive: true, force: true });
      await removeByLabel(`io.k8ts.node=${node}`);
      for (const l of benchLabels(tag)) await removeByLabel(`k8ts.bench=${l}`);
      const nets = await docker.listNetworks({ filters: { name: [netName] } });
      for (const n of nets.filter((x) => x.Name === netName)) await docker.getNetwork(n.Id).remove().catch(() => undefined);
    })());
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void stop().finally(() => process.exit(130)));
  return { tag, node, netName, client, agent, stop };
}
