// startAgent: one node. Registers the Node, keeps its Lease, runs the pods bound to it on
// Docker, and serves logs/exec/port-forward over the stream it holds to the apiserver.
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { Histogram, Gauge } from 'prom-client';
import { componentClient, componentOps, createLogger, type Client, type ComponentClientOptions, type Logger, type OpsServer } from '@k8ts/client';
import { DockerRuntime, dockerClient, type DockerClient } from './runtime/docker/docker-runtime.js';
import type { ContainerRuntime } from './runtime/container-runtime.js';
import type { ImageMirror } from './runtime/image-ref.js';
import { PodManager } from './pods/pod-manager.js';
import { NodeLife } from './node/node-life.js';
import { parseNodeLabels } from './node/node-object.js';
import { StreamServer, type ConnectCall } from './streams/stream-server.js';
import { resourceMetrics, RESOURCE_METRICS_PATH, PROMETHEUS_TEXT } from './metrics/resource-metrics.js';
import { bridgeOf, waitForPodCidr } from './network/index.js';

/** opsPort defaults to -1 (no ops server of its own). */
export interface AgentOptions extends ComponentClientOptions {
  nodeName?: string;
  nodeLabels?: Record<string, string> | string;
  cpu?: string;
  memory?: string;
  maxPods?: number;
  network?: string;
  subnet?: string;
  ipRange?: string;
  gateway?: string;
  clusterDns?: string;
  clusterDomain?: string;
  stateDir?: string;
  /** The Node's InternalIP (kubelet's --node-ip); default the cluster network's gateway. */
  nodeIP?: string;
  /**
   * Pod ranges from nodeipam: the agent waits for its Node's spec.podCIDR and makes its Docker
   * bridge with it (subnet, ipRange and gateway are then ignored). Routes between machines are
   * podnet's (network/pod-network.ts), as flanneld's beside a kubelet.
   */
  podCidrFromNode?: boolean;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  relistMs?: number;
  leaseDurationSeconds?: number;
  dockerSocket?: string;
  docker?: DockerClient;
  /** The cluster registry: Docker Hub names and its own names are pulled through it (image-ref.ts). */
  imageMirror?: ImageMirror;
  /** A ready runtime (tests: an in-memory one); otherwise Docker at `docker`/`dockerSocket`. */
  runtime?: ContainerRuntime;
  /** Open the Nodes.Connect stream for logs/exec/port-forward (default: when the client can). */
  streams?: boolean;
  log?: Logger;
}

export interface Agent {
  nodeName: string;
  runtime: ContainerRuntime;
  pods: PodManager;
  node: NodeLife;
  ops: OpsServer;
  /** The Nodes.Connect stream server (absent with a client that has no Nodes service). */
  streams?: StreamServer;
  stop(): Promise<void>;
}

export const AGENT_DEFAULTS = {
  network: 'k8ts',
  subnet: '10.213.0.0/16',
  ipRange: '10.213.0.0/17',
  gateway: '10.213.0.1',
};

/** The agent's metrics: sync durations (observe through the returned function), pods bound here. */
function agentMetrics(ops: OpsServer, podCount: () => number): (ms: number, ok: boolean) => void {
  const syncSeconds = new Histogram({ name: 'k8ts_agent_pod_sync_duration_seconds', help: 'Duration of one pod sync', labelNames: ['result'], registers: [ops.registry], buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10] });
  const podsGauge: Gauge = new Gauge({ name: 'k8ts_agent_pods', help: 'Pods bound to this node', registers: [ops.registry], collect(): void { podsGauge.set(podCount()); } });
  return (ms, ok) => syncSeconds.observe({ result: ok ? 'ok' : 'error' }, ms / 1000);
}

/** The runtime may be down at start: keep trying its cluster network every 2 s until it is there. */
function ensureNetworkUntilReady(runtime: ContainerRuntime, log: Logger, onReady: () => Promise<void>): { ready: Promise<void>; stop(): void } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const attempt = async (): Promise<void> => {
    try {
      const r = await runtime.ensureNetwork();
      if (r.created) log.info('cluster network created');
      await onReady();
    } catch (e) {
      log.warn({ err: (e as Error).message }, 'cluster network not ready; retrying');
      if (!stopped) await new Promise<void>((r) => (timer = setTimeout(r, 2000)));
      if (!stopped) return attempt();
    }
  };
  return {
    ready: attempt(),
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}

type NodesService = { renewLease?(n: string, d: number): Promise<unknown>; connect?(n: string): ConnectCall };

/** GrpcClient carries the Nodes service (lease renewal, the Connect stream); FakeClient does not. */
function nodesService(client: Client): NodesService | undefined {
  return (client as unknown as { nodes?: NodesService }).nodes;
}

interface NodeContext {
  nodeName: string;
  hostIP: string;
  runtimeVersion: string;
  opsPort: number;
  runtime: ContainerRuntime;
  log: Logger;
  renewLease?: (n: string, d: number) => Promise<unknown>;
  localPathDir?: string;
}

function nodeLife(client: Client, opts: AgentOptions, c: NodeContext): NodeLife {
  return new NodeLife({
    client,
    facts: {
      name: c.nodeName,
      labels: typeof opts.nodeLabels === 'string' ? parseNodeLabels(opts.nodeLabels) : (opts.nodeLabels ?? {}),
      cpu: opts.cpu,
      memory: opts.memory,
      maxPods: opts.maxPods,
      internalIP: c.hostIP,
      runtimeVersion: c.runtimeVersion,
      opsPort: c.opsPort,
      localPathDir: c.localPathDir,
    },
    pingRuntime: () => c.runtime.ping().then(() => undefined),
    log: c.log,
    leaseDurationSeconds: opts.leaseDurationSeconds,
    renewLease: c.renewLease,
  });
}

/** The pod bridge from the flags (with --pod-cidr-from-node its range is replaced by the Node's). */
function networkOf(opts: AgentOptions): { name: string; subnet: string; ipRange: string; gateway: string } {
  return {
    name: opts.network ?? AGENT_DEFAULTS.network,
    subnet: opts.subnet ?? AGENT_DEFAULTS.subnet,
    ipRange: opts.ipRange ?? AGENT_DEFAULTS.ipRange,
    gateway: opts.gateway ?? AGENT_DEFAULTS.gateway,
  };
}

/** nodeipam's range for this node becomes its bridge (the runtime holds `network` by reference). */
async function bridgeFromPodCidr(client: Client, nodeName: string, network: { subnet: string; ipRange: string; gateway: string }, log: Logger, signal: AbortSignal): Promise<void> {
  const cidr = await waitForPodCidr(client, nodeName, log, signal);
  if (cidr) Object.assign(network, bridgeOf(cidr));
  log.info({ reason: 'PodCIDR', subnet: network.subnet }, 'pod network from the node\'s podCIDR');
}

/**
 * Registers the node and keeps making its pod network. The runtime may be down at start: the
 * node registers NotReady and the network is retried. The network is made while the node
 * registers (at `k8ts up` the apiserver is still starting), unless its range is the node's
 * podCIDR (`fromPodCidr`), which nodeipam allocates once the node exists.
 */
async function registerWithNetwork(node: NodeLife, runtime: ContainerRuntime, network: { name: string; subnet: string }, log: Logger, runtimeVersion: () => string, fromPodCidr?: () => Promise<void>): Promise<ReturnType<typeof ensureNetworkUntilReady>> {
  if (fromPodCidr) {
    // NotReady until its range is known (kubelet: "network plugin not ready"): `k8ts up` waits for Ready nodes.
    node.networkError = 'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:waiting for the node\'s podCIDR';
    await node.start();
    await fromPodCidr();
    node.networkError = undefined;
  }
  const net = ensureNetworkUntilReady(runtime, log.child({ network: network.name, subnet: network.subnet }), async () => {
    if (runtimeVersion() === 'docker://unknown') node.o.facts.runtimeVersion = await runtime.version();
  });
  if (!fromPodCidr)
    await node.start().catch((e) => {
      net.stop();
      throw e;
    });
  return net;
}

export async function startAgent(opts: AgentOptions = {}): Promise<Agent> {
  const nodeName = opts.nodeName ?? os.hostname();
  const log = opts.log ?? createLogger('agent', { node: nodeName });
  const client = componentClient(opts);
  const ownsClient = !opts.client;
  const network = networkOf(opts);
  const stateDir = opts.stateDir ?? join(os.tmpdir(), 'k8ts-agent', nodeName);
  mkdirSync(stateDir, { recursive: true });
  const runtime =
    opts.runtime ??
    new DockerRuntime(opts.docker ?? dockerClient(opts.dockerSocket), { nodeName, network, clusterDns: opts.clusterDns, clusterDomain: opts.clusterDomain, imageMirror: opts.imageMirror });
  const hostIP = opts.nodeIP ?? (network.gateway || '127.0.0.1');

  const { ops, release } = await componentOps('agent', opts, -1);
  const observeSync = agentMetrics(ops, () => pods.pods.size);

  let runtimeVersion = 'docker://unknown';
  try {
    runtimeVersion = await runtime.version();
  } catch {
    // reported through the Ready condition
  }
  const nodesApi = nodesService(client);
  const node = nodeLife(client, opts, { nodeName, hostIP, runtimeVersion, opsPort: ops.port, runtime, log, renewLease: nodesApi?.renewLease?.bind(nodesApi), localPathDir: resolve(stateDir, 'local-path') });
  const pods = new PodManager({
    client,
    runtime,
    nodeName,
    hostIP: () => hostIP,
    stateDir,
    backoffBaseMs: opts.backoffBaseMs,
    backoffMaxMs: opts.backoffMaxMs,
    relistMs: opts.relistMs,
    log,
    onSync: observeSync,
  });
  ops.addRoute(RESOURCE_METRICS_PATH, async () => ({ contentType: PROMETHEUS_TEXT, text: await resourceMetrics(runtime, log) }));
  ops.addReadyCheck('node-registered', () => node.registered);
  ops.addReadyCheck('container-runtime', () => !node.runtimeError);

  const stopWaiting = new AbortController();
  const net = await registerWithNetwork(node, runtime, network, log, () => runtimeVersion, opts.podCidrFromNode ? () => bridgeFromPodCidr(client, nodeName, network, log, stopWaiting.signal) : undefined);
  // Wait for the network when the runtime is up, so the first pods find it.
  if (!node.runtimeError) await net.ready;
  pods.start();

  let streams: StreamServer | undefined;
  if (opts.streams !== false && nodesApi?.connect) {
    const renewNow = () => void node.renew().catch((e) => log.warn({ err: (e as Error).message }, 'lease renewal on reconnect failed'));
    streams = new StreamServer({ connect: (n) => nodesApi.connect!(n), nodeName, runtime, pods: () => pods.pods, log, onConnect: renewNow, opsPort: ops.port });
    streams.start();
  }
  log.info({ network: network.name, stateDir, opsPort: ops.port }, 'agent started');

  return {
    nodeName,
    runtime,
    pods,
    node,
    ops,
    streams,
    async stop() {
      stopWaiting.abort();
      net.stop();
      streams?.stop();
      node.stop();
      await pods.stop();
      await release();
      if (ownsClient) client.close();
      log.info('agent stopped (pods keep running)');
    },
  };
}
